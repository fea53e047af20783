"""`honeyflow web --users`: over HTTP, without a browser. Without a session every page goes
to the login page and every action is refused before it does anything; a viewer reads but
cannot act; an action without the session's own CSRF token is refused and changes nothing;
a wrong password is refused and failed logins are braked; the operator's action with its
own token works; logout ends the session; a task user sees and acts on its own tasks only.
The browser's view of the same is tests/web/test_login_browser.py."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from clients.kafka_requests import SPEAKING_FOR
from clients.testing import instance_view
from clients.web.access import SESSION_COOKIE
from tests.web.login_site import Browser, LoginSite, login_site

ACTIVE = "ELEMENT_ACTIVATED"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoginSite]:
    with login_site(tmp_path_factory.mktemp("login"), max_failures=100) as s:
        yield s


def _state(site: LoginSite, key: int) -> str:
    return instance_view(site.client.records(), key).state


def _incident_open(site: LoginSite, key: int) -> bool:
    return not any(
        r["valueType"] == "INCIDENT" and r["intent"] == "RESOLVED" and r["key"] == key
        for r in site.client.records()
    )


def _actions(site: LoginSite, token: str | None) -> list[tuple[str, dict[str, str]]]:
    """Every kind of action the console takes, on the instance waiting at reserve and the
    first incident, confirmed; with `token` as the CSRF field when given."""
    waiting = site.orders.waiting_at_reserve[0]
    incident = site.orders.incidents[site.orders.with_incident[0]]
    extra = {} if token is None else {"csrf_token": token}
    return [
        (f"/instances/{waiting}/cancel", {"confirmed": "yes", **extra}),
        (f"/instances/{waiting}/variables", {"confirmed": "yes", "variables": '{"a": 1}', **extra}),
        (f"/instances/{waiting}/modify", {"confirmed": "yes", "activate": "ship", **extra}),
        (f"/incidents/{incident}/resolve", {"retries": "1", **extra}),
        ("/processes/order/batch", {"confirmed": "yes", "action": "cancel", **extra}),
        (f"/tasks/{site.tasks.plain_task}/claim", extra),
        (f"/tasks/{site.tasks.held_task}/complete", {"variables": "{}", **extra}),
    ]


def _nothing_done(site: LoginSite, calls_before: int) -> None:
    assert len(site.page_client.calls) == calls_before, site.page_client.calls[calls_before:]
    assert _state(site, site.orders.waiting_at_reserve[0]) == ACTIVE
    first = site.orders.with_incident[0]
    assert _incident_open(site, site.orders.incidents[first])
    assert _state(site, first) == ACTIVE


def test_without_a_session_every_page_goes_to_the_login(site: LoginSite) -> None:
    browser = Browser(site.base)
    key = site.orders.with_incident[0]
    for path in ("/", "/instances", f"/instances/{key}", "/incidents", "/processes/order",
                 "/tasks", f"/tasks/{site.tasks.plain_task}", "/batches"):  # fmt: skip
        answer = browser.get(path)
        assert answer.status == 303, path
        assert answer.location.startswith("/login?next="), (path, answer.location)
    for path in (f"/api/instances/{key}/path", "/api/processes/order/xml",
                 f"/api/tasks/{site.tasks.plain_task}/form"):  # fmt: skip
        answer = browser.get(path)
        assert answer.status == 401, path
        assert "Log in first" in answer.body
    page = browser.get("/login")
    assert page.status == 200 and 'id="login-form"' in page.body
    assert 'href="/instances"' not in page.body  # no navigation before logging in


def test_without_a_session_every_action_is_refused_and_nothing_is_done(site: LoginSite) -> None:
    browser = Browser(site.base)
    before = len(site.page_client.calls)
    for path, form in [*_actions(site, None), ("/logout", {}), ("/user", {"user": "x"})]:
        answer = browser.post(path, form)
        assert answer.status == 401, (path, answer.status)
        assert "Nothing was done" in answer.body
    _nothing_done(site, before)


def test_a_wrong_password_or_an_unknown_user_is_refused(site: LoginSite) -> None:
    browser = Browser(site.base)
    for name in ("olga", "nobody"):
        answer = browser.login(name, "not-the-password")
        assert answer.status == 401
        assert "Wrong user name or password." in answer.body
        assert browser.cookie(SESSION_COOKIE) is None
        assert browser.get("/").status == 303


def test_a_login_form_from_elsewhere_is_refused(site: LoginSite) -> None:
    """Login CSRF: a form without the token of this browser's login page."""
    browser = Browser(site.base)
    answer = browser.post("/login", {"username": "olga", "password": "olga-secret-1"})
    assert answer.status == 403
    assert "was not sent from this console" in answer.body
    assert browser.cookie(SESSION_COOKIE) is None


def test_the_session_cookie_is_http_only_and_strict(site: LoginSite) -> None:
    browser = Browser(site.base)
    answer = browser.login("vera")
    assert answer.status == 303 and answer.location == "/"
    header = answer.headers.get("Set-Cookie")
    assert f"{SESSION_COOKIE}=" in header
    assert "HttpOnly" in header and "SameSite=Strict" in header and "Path=/" in header
    assert "Secure" not in header  # plain HTTP: the browser would not send it back
    page = browser.get("/")
    assert page.status == 200
    assert page.headers.get("Cache-Control") == "no-store"
    assert '<span class="user-name" title="viewer">vera</span>' in page.body


def test_a_viewer_reads_every_page_but_cannot_act(site: LoginSite) -> None:
    browser = Browser(site.base)
    assert browser.login("vera").status == 303
    key = site.orders.with_incident[0]
    for path in ("/", f"/instances/{key}", "/incidents", "/tasks", f"/api/instances/{key}/path"):
        assert browser.get(path).status == 200, path
    # The pages offer no actions: no forms but logout's.
    waiting = browser.get(f"/instances/{site.orders.waiting_at_reserve[0]}").body
    assert 'id="cancel-form"' not in waiting and "No actions for your role (viewer)" in waiting
    assert 'class="resolve"' not in browser.get("/incidents").body
    assert 'id="batch-form"' not in browser.get("/processes/order").body
    task = browser.get(f"/tasks/{site.tasks.plain_task}").body
    assert "task-claim" not in task and "task-complete" not in task
    token = browser.csrf_token("/")
    before = len(site.page_client.calls)
    for path, form in _actions(site, token):
        answer = browser.post(path, form)
        assert answer.status == 403, (path, answer.status)
        assert "vera (viewer) may not" in answer.body and "Nothing was done" in answer.body
    _nothing_done(site, before)


def test_an_action_with_a_foreign_or_missing_csrf_token_is_refused(site: LoginSite) -> None:
    olga, other = Browser(site.base), Browser(site.base)
    assert olga.login("olga").status == 303 and other.login("olga").status == 303
    own, foreign = olga.csrf_token("/"), other.csrf_token("/")
    assert own != foreign
    before = len(site.page_client.calls)
    for token in (foreign, None, ""):
        for path, form in _actions(site, token)[:5]:
            answer = olga.post(path, form)
            assert answer.status == 403, (path, token, answer.status)
            assert "security token (CSRF)" in answer.body and "Nothing was done" in answer.body
    # A token in a header is checked the same way.
    cancel = f"/instances/{site.orders.waiting_at_reserve[0]}/cancel"
    answer = olga.post(cancel, {"confirmed": "yes"}, headers={"X-CSRF-Token": foreign})
    assert answer.status == 403
    _nothing_done(site, before)


def test_the_operator_acts_with_its_own_token_and_logout_ends_the_session(
    site: LoginSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    speaking_for: list[str] = []
    resolve = site.page_client.resolve_incident

    def spy(key: int) -> None:
        speaking_for.append(SPEAKING_FOR.get())
        resolve(key)

    monkeypatch.setattr(site.page_client, "resolve_incident", spy)
    olga = Browser(site.base)
    assert olga.login("olga", next_path="/incidents").location == "/incidents"
    token = olga.csrf_token("/incidents")
    second = site.orders.with_incident[1]
    incident = site.orders.incidents[second]
    page = olga.get(f"/instances/{second}")
    assert f'name="csrf_token" value="{token}"' in page.body  # in the action forms
    assert (
        'id="cancel-form"' in page.body and 'id="batch-form"' in olga.get("/processes/order").body
    )
    answer = olga.post(f"/incidents/{incident}/resolve", {"retries": "1", "csrf_token": token})
    assert answer.status == 303 and f"resolved={incident}" in answer.location
    assert not _incident_open(site, incident)
    assert speaking_for == ["olga"]  # signed commands name her as the end user
    # Confirmation page, then the command: the token goes along.
    confirm = olga.post(f"/instances/{second}/cancel", {"csrf_token": token})
    assert confirm.status == 200
    confirm_form = confirm.body.split('class="confirm"')[1].split("</form>")[0]
    assert confirm_form.count(f'name="csrf_token" value="{token}"') == 1
    done = olga.post(f"/instances/{second}/cancel", {"confirmed": "yes", "csrf_token": token})
    assert done.status == 200, done.body[:400]
    assert _state(site, second) == "ELEMENT_TERMINATED"

    session = olga.cookie(SESSION_COOKIE)
    assert session is not None
    out = olga.post("/logout", {"csrf_token": token})
    assert out.status == 303 and out.location == "/login?logged_out=1"
    assert olga.cookie(SESSION_COOKIE) is None
    # The old cookie, kept by someone, opens nothing any more.
    olga.jar.set_cookie(session)
    assert olga.get("/incidents").status == 303
    before = len(site.page_client.calls)
    waiting = site.orders.waiting_at_reserve[0]
    answer = olga.post(f"/instances/{waiting}/cancel", {"confirmed": "yes", "csrf_token": token})
    assert answer.status == 401
    _nothing_done(site, before)


def test_a_task_user_sees_and_acts_on_its_own_tasks_only(site: LoginSite) -> None:
    carol = Browser(site.base)
    assert carol.login("carol").location == "/tasks"
    tasks = carol.get("/tasks")
    assert tasks.status == 200
    t = site.tasks
    # Offered to sales: the expense and the approval; the invoice is accounting's, the
    # other approval is bob's.
    assert f'href="/tasks/{t.plain_task}"' in tasks.body
    assert f'href="/tasks/{t.embedded_task}"' in tasks.body
    assert f'href="/tasks/{t.form_task}"' not in tasks.body
    assert f'href="/tasks/{t.held_task}"' not in tasks.body
    assert 'class="acting-user"' not in tasks.body  # the logged-in user acts, no name field
    assert carol.get(f"/tasks/{t.form_task}").status == 404
    assert carol.get(f"/api/tasks/{t.form_task}/form").status == 404
    assert carol.get(f"/instances/{site.orders.with_incident[0]}").status == 403
    token = carol.csrf_token("/tasks")
    before = len(site.page_client.calls)
    assert carol.post(f"/tasks/{t.held_task}/claim", {"csrf_token": token}).status == 404
    answer = carol.post(f"/instances/{site.orders.waiting_at_reserve[0]}/cancel",
                        {"confirmed": "yes", "csrf_token": token})  # fmt: skip
    assert answer.status == 403 and "carol (task-user) may not take console actions" in answer.body
    assert carol.post("/user", {"user": "bob", "csrf_token": token}).status == 403
    assert len(site.page_client.calls) == before
    claimed = carol.post(f"/tasks/{t.plain_task}/claim", {"csrf_token": token})
    assert claimed.status == 303
    assert carol.get(f"/tasks/{t.plain_task}").body.count("carol") >= 2  # header and assignee
    task_records = [
        r for r in site.client.records()
        if r["valueType"] == "USER_TASK" and r["key"] == t.plain_task
    ]  # fmt: skip
    assert task_records[-1]["value"]["assignee"] == "carol"


def test_failed_logins_are_braked(tmp_path: Path) -> None:
    with login_site(tmp_path, max_failures=3) as site:
        browser = Browser(site.base)
        for _ in range(3):
            assert browser.login("olga", "wrong-password").status == 401
        answer = browser.login("olga")  # the right password, too late
        assert answer.status == 429 and "Too many failed logins" in answer.body
        assert browser.cookie(SESSION_COOKIE) is None


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def test_over_tls_the_session_cookie_is_secure(tmp_path: Path) -> None:
    _openssl(
        *("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-keyout", "web.key"),
        *("-out", "web.pem", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
        cwd=tmp_path,
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(tmp_path / "web.pem", tmp_path / "web.key")
    client = ssl.create_default_context(cafile=str(tmp_path / "web.pem"))
    with login_site(tmp_path, ssl_context=server) as site:
        assert site.base.startswith("https://")
        browser = Browser(site.base, client)
        answer = browser.login("olga")
        assert answer.status == 303
        header = answer.headers.get("Set-Cookie")
        assert "Secure" in header and "HttpOnly" in header and "SameSite=Strict" in header
        assert browser.get("/").status == 200
