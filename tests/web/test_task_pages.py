"""The task pages without a browser: what a task list and a task show for the acting user,
escaping, and the "You are" field that names the acting user in a cookie."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from clients.web.app import USER_COOKIE, create_app
from clients.web.task_pages import task_page, tasks_page
from processors.exporter.schema import create_schema
from processors.exporter.store import open_store
from tests.web.server_thread import serving

EVIL = "<script>window.injected = true</script>"


@dataclass(frozen=True)
class Task:
    user_task_key: int = 2251799813685301
    element_id: str = "review"
    element_instance_key: int = 2251799813685299
    process_instance_key: int = 2251799813685290
    bpmn_process_id: str = "invoice"
    process_definition_version: int = 2
    state: str = "CREATED"
    assignee: str = ""
    candidate_groups: tuple[str, ...] = ("accounting",)
    candidate_users: tuple[str, ...] = ()
    due_date: str = "2026-12-24T12:00:00Z"
    follow_up_date: str = ""
    priority: int = 50
    form_key: int = -1
    external_form_reference: str = ""
    creation_time: int = 1_700_000_000_000


def test_the_list_links_every_task_by_its_whole_key_and_keeps_the_filters() -> None:
    body = tasks_page(
        [Task(), Task(user_task_key=4503599627370497, assignee=EVIL)],
        assignee="",
        group="accounting",
        acting_user="ada",
        next_before="1700000000000:2251799813685301",
        paged=False,
    )
    assert 'href="/tasks/2251799813685301"' in body
    assert 'href="/tasks/4503599627370497"' in body
    assert 'href="/instances/2251799813685290"' in body
    assert 'name="group" value="accounting"' in body
    assert EVIL not in body and "&lt;script&gt;" in body
    assert 'href="/tasks?assignee=&amp;' not in body  # empty filters are left out
    assert 'href="/tasks?group=accounting&amp;before=1700000000000%3A2251799813685301"' in body
    # The acting user's field comes back to the same filtered list.
    assert 'name="user" value="ada"' in body and 'value="/tasks?group=accounting"' in body


def test_claim_unclaim_and_complete_follow_who_holds_the_task() -> None:
    free = task_page(Task(), acting_user="ada", has_form=False)
    assert 'action="/tasks/2251799813685301/claim"' in free and ">Claim<" in free
    assert '<button type="submit" disabled>Complete</button>' in free
    assert "Claim the task to complete it." in free

    mine = task_page(Task(assignee="ada"), acting_user="ada", has_form=False)
    assert 'action="/tasks/2251799813685301/unclaim"' in mine
    assert '<button type="submit">Complete</button>' in mine
    assert '<textarea id="variables" name="variables"' in mine
    assert 'id="task-form"' not in mine

    theirs = task_page(Task(assignee="bob"), acting_user="ada", has_form=False)
    assert ">Claim from bob<" in theirs and "unclaim" not in theirs

    nobody = task_page(Task(), acting_user="", has_form=False)
    assert "/claim" not in nobody and "Say who you are" in nobody

    done = task_page(Task(state="COMPLETED", assignee="ada"), acting_user="ada", has_form=True)
    assert "/claim" not in done and "/complete" not in done


def test_a_task_with_a_form_gets_the_form_script_and_a_hidden_variables_field() -> None:
    body = task_page(Task(assignee="ada"), acting_user="ada", has_form=True)
    assert 'data-form="/api/tasks/2251799813685301/form"' in body
    assert '<input type="hidden" name="variables" value="{}">' in body
    assert '<script src="/vendor/form-js/form-viewer.umd.js"></script>' in body
    assert '<script src="/static/honeyflow-tasks.js"></script>' in body
    assert 'href="/vendor/form-js/assets/form-js.css"' in body
    assert "<textarea" not in body
    assert "bpmn-navigated-viewer" not in body
    problem = task_page(Task(), acting_user="ada", has_form=False, form_problem=EVIL)
    assert EVIL not in problem and 'class="error-message"' in problem
    facts = task_page(
        replace(Task(), candidate_users=("ada", "bob")), acting_user="", has_form=False
    )
    assert "<td>ada, bob</td>" in facts and "<td>accounting</td>" in facts


@pytest.fixture
def base(tmp_path: Path) -> Iterator[str]:
    store = open_store(str(tmp_path / "s.db"))
    create_schema(store, "t.events")
    with serving(create_app(store, default_user="demo")) as url:
        yield url


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _post(url: str, form: dict[str, str], **headers: str) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(form).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.build_opener(_NoRedirect).open(request) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def test_naming_the_acting_user_sets_a_cookie_and_goes_back(base: str) -> None:
    status, headers, _ = _post(f"{base}/user", {"user": " Ada Lovelace ", "next": "/tasks/7"})
    assert status == 303 and headers["Location"] == "/tasks/7"
    cookie = headers["Set-Cookie"]
    assert cookie.startswith(f"{USER_COOKIE}=Ada%20Lovelace;")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie

    status, headers, _ = _post(f"{base}/user", {"user": "", "next": "https://evil.example/"})
    assert status == 303 and headers["Location"] == "/tasks"
    assert "Max-Age=0" in headers["Set-Cookie"] or "expires" in headers["Set-Cookie"].lower()

    status, _, body = _post(f"{base}/user", {"user": "ada\nbob"})
    assert status == 400 and "a user name is printable text" in body
    status, _, _ = _post(f"{base}/user", {"user": "mallory"}, Origin="https://evil.example")
    assert status == 403


def test_a_bad_default_user_is_refused(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from clients.cli.main import cli

    result = CliRunner().invoke(cli, ["web", "--user", "a\tb", "--store", str(tmp_path / "x")])
    assert result.exit_code == 1 and "--user: a user name is printable text" in result.output
