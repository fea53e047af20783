"""`honeyflow web --users` in headless Chromium (tests/web/login.mjs) against the in-process
engine: every page starts at the login; a wrong password is refused; a page of another site
that posts the cancel form, and a script posting with a forged or no CSRF token, are refused
and the instance goes on; the operator's own resolve works; logout ends the session; a
viewer's cancel is refused. Skipped where Chromium or the npm packages are missing, except
in CI."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from clients.testing import instance_view
from clients.web.assets import NPM_DIR
from tests.web.login_site import PASSWORDS, LoginSite, login_site
from tests.web.test_browser import CHROMIUM, _missing

SCRIPT = Path(__file__).parent / "login.mjs"


@contextmanager
def attacker_site(action: str) -> Iterator[str]:
    """Another site (http://localhost:PORT, not 127.0.0.1) whose page posts `action` at once."""
    page = (
        "<!DOCTYPE html><html><body>"
        f'<form method="post" action="{action}">'
        '<input type="hidden" name="confirmed" value="yes">'
        '<input type="hidden" name="csrf_token" value="guessed"></form>'
        "<script>document.forms[0].submit()</script></body></html>"
    ).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoginSite]:
    with login_site(tmp_path_factory.mktemp("login-browser"), max_failures=100) as s:
        yield s


@pytest.fixture(scope="module")
def login_run(site: LoginSite, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the browser tests to run: {missing}")
        pytest.skip(missing)
    waiting = site.orders.waiting_at_reserve[0]
    incident = site.orders.incidents[site.orders.with_incident[0]]
    with attacker_site(f"{site.base}/instances/{waiting}/cancel") as attack:
        args = {
            "base": site.base,
            "attack": attack,
            "npmDir": str(NPM_DIR),
            "chromium": str(CHROMIUM),
            "userDataDir": str(tmp_path_factory.mktemp("chromium-profile")),
            "waitingInstance": str(waiting),
            "incident": str(incident),
            "operatorPassword": PASSWORDS["olga"],
            "viewerPassword": PASSWORDS["vera"],
        }
        done = subprocess.run(
            ["node", str(SCRIPT), json.dumps(args)],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    print(done.stderr)
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _still_waiting(site: LoginSite) -> None:
    key = site.orders.waiting_at_reserve[0]
    assert instance_view(site.client.records(), key).state == "ELEMENT_ACTIVATED"
    assert ("cancel_instance", key) not in site.page_client.calls


def test_every_page_starts_at_the_login_and_no_script_fails(
    login_run: dict[str, Any], site: LoginSite
) -> None:
    waiting = site.orders.waiting_at_reserve[0]
    assert unquote(login_run["firstUrl"]) == f"{site.base}/login?next=/instances/{waiting}"
    assert login_run["errors"] == []


def test_a_wrong_password_is_refused(login_run: dict[str, Any], site: LoginSite) -> None:
    wrong = login_run["wrong"]
    assert wrong["status"] == 401 and wrong["url"].startswith(f"{site.base}/login")
    assert wrong["notice"] == "Wrong user name or password."


def test_the_operator_lands_where_it_was_going_with_a_token_in_every_form(
    login_run: dict[str, Any], site: LoginSite
) -> None:
    after = login_run["afterLogin"]
    assert after["url"] == f"{site.base}/instances/{site.orders.waiting_at_reserve[0]}"
    assert after["user"] == "olga"
    token = login_run["metaToken"]
    assert token and len(login_run["formTokens"]) >= 5  # logout, cancel, variables, ...
    assert set(login_run["formTokens"]) == {token}


def test_a_forged_or_missing_token_and_another_site_change_nothing(
    login_run: dict[str, Any], site: LoginSite
) -> None:
    for answer in (login_run["forged"], login_run["missing"]):
        assert answer["status"] == 403
        assert "security token (CSRF)" in answer["text"]
    # Another site's form: the browser does not send the SameSite=Strict cookie along.
    cross = login_run["crossSite"]
    assert cross["status"] in (401, 403)
    assert "Nothing was done" in cross["text"]
    _still_waiting(site)


def test_the_operators_own_action_works(login_run: dict[str, Any], site: LoginSite) -> None:
    incident = site.orders.incidents[site.orders.with_incident[0]]
    assert f"resolved={incident}" in login_run["resolved"]["url"]
    assert f"Incident {incident} resolved" in login_run["resolved"]["notice"]
    assert ("resolve_incident", incident) in site.page_client.calls


def test_logout_ends_the_session(login_run: dict[str, Any], site: LoginSite) -> None:
    assert login_run["loggedOut"]["url"] == f"{site.base}/login?logged_out=1"
    assert login_run["loggedOut"]["notice"] == "You are logged out."
    assert unquote(login_run["afterLogout"]) == f"{site.base}/login?next=/incidents"


def test_a_viewer_cannot_cancel(login_run: dict[str, Any], site: LoginSite) -> None:
    assert login_run["viewerForms"] == 0
    assert "No actions for your role (viewer)" in login_run["viewerHint"]
    viewer = login_run["viewer"]
    assert viewer["status"] == 403
    assert "vera (viewer) may not take console actions" in viewer["text"]
    _still_waiting(site)
