"""The task pages without a browser: what a task list and a task show for the acting user,
escaping, and the "You are" field that names the acting user in a cookie."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

import pytest

from clients.client import Client, connect
from clients.web.app import create_app
from clients.web.task_pages import task_page, tasks_page
from clients.web.web_state import USER_COOKIE
from processors.exporter.schema import create_schema
from processors.exporter.store import open_store
from tests.web.server_thread import serving
from tests.web.task_fakes import REVIEW_FORM, FakeTaskClient, FakeTasks
from tests.web.task_fakes import Task as FakeTask
from tests.web.task_workload import TASKS, user_task_keys
from tests.web.web_workload import export

EVIL = "<script>window.injected = true</script>"


@dataclass(frozen=True)
class Task:
    user_task_key: int = 2251799813685301
    element_id: str = "review"
    element_instance_key: int = 2251799813685299
    process_instance_key: int = 2251799813685290
    process_definition_key: int = 2251799813685249
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
    assert "<th>Candidate users</th><td>ada, bob</td>" in facts
    assert "<th>Candidate groups</th><td>accounting</td>" in facts


@dataclass
class FakeSite:
    base: str
    tasks: FakeTasks
    client: FakeTaskClient


FORM_TASK = 2251799813685301
PLAIN_TASK = 2251799813685302
HELD_TASK = 4503599627370497
INSTANCE = 2251799813685290


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[FakeSite]:
    store = open_store(str(tmp_path / "s.db"))
    create_schema(store, "t.events")
    tasks = FakeTasks(
        forms={77: REVIEW_FORM}, instance_variables={INSTANCE: {"customer": "Ada & Co"}}
    )
    tasks.add(FakeTask(FORM_TASK, form_key=77, creation_time=3))
    tasks.add(FakeTask(PLAIN_TASK, candidate_groups=("sales",), creation_time=2))
    tasks.add(FakeTask(HELD_TASK, assignee="bob", creation_time=1))
    client = FakeTaskClient(tasks)
    app = create_app(
        store, default_user="demo", tasks=tasks, client_factory=lambda: cast(Client, client)
    )
    with serving(app) as url:
        yield FakeSite(url, tasks, client)


@pytest.fixture
def base(fake: FakeSite) -> str:
    return fake.base


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


def _get(url: str, user: str = "") -> tuple[int, str]:
    headers = {"Cookie": f"{USER_COOKIE}={urllib.parse.quote(user)}"} if user else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def _as(user: str) -> dict[str, str]:
    return {"Cookie": f"{USER_COOKIE}={urllib.parse.quote(user)}"}


def test_the_list_filters_by_group_and_assignee_newest_first(fake: FakeSite) -> None:
    status, body = _get(fake.base + "/tasks")
    assert status == 200
    keys = re.findall(r'href="/tasks/(\d+)" class="task-link"', body)
    assert keys == [str(FORM_TASK), str(PLAIN_TASK), str(HELD_TASK)]
    assert 'name="user" value="demo"' in body  # --user's default
    _, body = _get(fake.base + "/tasks?group=sales")
    assert re.findall(r'href="/tasks/(\d+)" class="task-link"', body) == [str(PLAIN_TASK)]
    _, body = _get(fake.base + "/tasks?assignee=bob", user="Ada Lovelace")
    assert re.findall(r'href="/tasks/(\d+)" class="task-link"', body) == [str(HELD_TASK)]
    assert 'name="user" value="Ada Lovelace"' in body  # the cookie wins
    assert 'href="/tasks?assignee=Ada+Lovelace" class="my-tasks"' in body
    assert _get(fake.base + "/tasks/42")[0] == 404


def test_claim_complete_and_the_engines_refusal(fake: FakeSite) -> None:
    status, headers, _ = _post(f"{fake.base}/tasks/{FORM_TASK}/claim", {}, **_as("ada"))
    assert status == 303 and headers["Location"] == f"/tasks/{FORM_TASK}?done=claimed"
    status, body = _get(f"{fake.base}/tasks/{FORM_TASK}?done=claimed", user="ada")
    assert f"Task {FORM_TASK} claimed by ada." in body
    assert '<button type="submit">Complete</button>' in body

    # Someone else's task: the engine refuses, the page says so with the task shown again.
    status, _, body = _post(f"{fake.base}/tasks/{HELD_TASK}/claim", {}, **_as("ada"))
    assert status == 409
    assert "notice-error" in body and f"The engine did not claim task {HELD_TASK}" in body
    assert "INVALID_STATE" in body and "already been assigned to &#x27;bob&#x27;" in body
    # ... nor can it be completed from here.
    status, _, body = _post(f"{fake.base}/tasks/{HELD_TASK}/complete", {}, **_as("ada"))
    assert status == 409 and "is not assigned to you (ada): claim it first" in body

    variables = {"approved": True, "comment": "ok <b>"}
    status, headers, _ = _post(
        f"{fake.base}/tasks/{FORM_TASK}/complete",
        {"variables": json.dumps(variables)},
        **_as("ada"),
    )
    assert status == 303 and headers["Location"] == f"/tasks?completed={FORM_TASK}"
    assert fake.client.calls == [
        ("claim", FORM_TASK, "ada"),
        ("claim", HELD_TASK, "ada"),
        ("complete", FORM_TASK, variables),
    ]
    _, body = _get(f"{fake.base}/tasks?completed={FORM_TASK}")
    assert f"Task {FORM_TASK} completed." in body


def test_bad_variables_and_anonymous_actions_are_refused(fake: FakeSite) -> None:
    url = f"{fake.base}/tasks/{PLAIN_TASK}"
    _post(url + "/claim", {}, **_as("ada"))
    for text, message in (
        ("{not json", "variables are not JSON"),
        ("[1, 2]", "variables must be a JSON object, not list"),
    ):
        status, _, body = _post(url + "/complete", {"variables": text}, **_as("ada"))
        assert status == 400 and message in body
    status, headers, _ = _post(url + "/unclaim", {}, **_as("ada"))
    assert status == 303 and headers["Location"].endswith("?done=unclaimed")
    status, _, body = _post(url + "/claim", {}, Origin="https://evil.example", **_as("ada"))
    assert status == 403
    assert fake.client.calls == [("claim", PLAIN_TASK, "ada"), ("unassign", PLAIN_TASK)]


def test_the_form_script_reads_the_schema_and_the_variables(fake: FakeSite) -> None:
    status, body = _get(f"{fake.base}/api/tasks/{FORM_TASK}/form")
    assert status == 200
    answer: dict[str, Any] = json.loads(body)
    assert answer == {
        "userTaskKey": str(FORM_TASK),
        "schema": REVIEW_FORM,
        "variables": {"customer": "Ada & Co"},
    }
    status, body = _get(f"{fake.base}/api/tasks/{PLAIN_TASK}/form")
    assert status == 404 and json.loads(body) == {"error": "The task has no Camunda form."}


def test_without_an_engine_an_action_says_how_to_configure_one(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "s.db"))
    create_schema(store, "t.events")
    tasks = FakeTasks()
    tasks.add(FakeTask(FORM_TASK, form_key=5))
    with serving(create_app(store, default_user="ada", tasks=tasks)) as url:
        status, _, body = _post(f"{url}/tasks/{FORM_TASK}/claim", {})
        assert status == 503 and "--address" in body
        # A form the store does not have: the script shows why and offers no Complete.
        status, body = _get(f"{url}/api/tasks/{FORM_TASK}/form")
        assert status == 404 and "no Camunda form" in json.loads(body)["error"]
        status, body = _get(f"{url}/api/tasks/42/form")
        assert status == 404


def test_the_store_source_names_a_form_it_does_not_hold(tmp_path: Path) -> None:
    """Tasks from the exporter's projection: the form comes from the store's forms, and
    one missing there is named instead of failing the page."""
    store_path = tmp_path / "v.db"
    with connect("memory://?partitions=1") as client:
        client.deploy(TASKS / "invoice.bpmn", TASKS / "invoice-review.form")
        instance = client.create_instance("invoice", {"customer": "Ada & Co"})
        task = user_task_keys(client.records())[instance]
        export(client, store_path)
    with serving(create_app(open_store(str(store_path), create=False))) as url:
        status, body = _get(f"{url}/api/tasks/{task}/form")
        assert status == 200
        answer = json.loads(body)
        assert answer["schema"]["id"] == "invoice-review"
        assert answer["variables"] == {"customer": "Ada & Co"}
    with open_store(str(store_path)) as store, store.transaction() as tx:
        tx.execute("DELETE FROM forms")
    with serving(create_app(open_store(str(store_path), create=False))) as url:
        status, body = _get(f"{url}/api/tasks/{task}/form")
        assert status == 404
        assert json.loads(body)["error"].endswith("is not in the store.")
