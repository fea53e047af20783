"""The console's users file (`honeyflow web users add`), its sessions' deadlines and the
command's options: passwords kept only as Argon2 hashes in a 0600 file, sessions that end
when idle, when too old or at logout, and a console without --users that says so."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from clients.cli.main import cli
from clients.web.sessions import Sessions
from clients.web.users_file import UsersFileError, WebUser, add_user, load


def test_users_add_keeps_an_argon2_hash_in_a_private_file(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    add = ["web", "users", "add", "ada", "--file", str(path), "--role", "task-user"]
    more = ["--role", "viewer", "--group", "sales", "--tenant", "acme"]
    result = CliRunner().invoke(
        cli,
        [*add, *more],
        input="correct horse battery\n",
    )
    assert result.exit_code == 0, result.output
    assert "user ada (task-user, viewer) saved" in result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert "correct horse" not in text
    entry = json.loads(text)["users"]["ada"]
    assert entry["password_hash"].startswith("$argon2id$")
    assert entry["groups"] == ["sales"] and entry["tenants"] == ["acme"]
    users = load(path)
    user = users.authenticate("ada", "correct horse battery")
    assert user is not None and user.roles == {"task-user", "viewer"}
    assert users.authenticate("ada", "correct horse") is None
    assert users.authenticate("bob", "correct horse battery") is None


def test_users_add_refuses_a_short_password_and_a_bad_name(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    runner = CliRunner()
    short = runner.invoke(
        cli, ["web", "users", "add", "ada", "--file", str(path), "--role", "viewer"], input="abc\n"
    )
    assert short.exit_code == 1 and "at least 8 characters" in short.output
    bad = runner.invoke(
        cli,
        ["web", "users", "add", "a b", "--file", str(path), "--role", "viewer"],
        input="long enough\n",
    )
    assert bad.exit_code == 1 and "user name 'a b'" in bad.output
    assert not path.exists()


def test_a_broken_users_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    path.write_text('{"users": {"ada": {"roles": ["root"], "password_hash": "x"}}}')
    with pytest.raises(UsersFileError, match=r"users\.json is malformed: role 'root'"):
        load(path)
    with pytest.raises(UsersFileError, match="malformed"):
        add_user(path, "bob", "long enough", ["viewer"])
    result = CliRunner().invoke(cli, ["web", "--users", str(path), "--store", str(tmp_path / "s")])
    assert result.exit_code == 1 and "malformed" in result.output


def test_sessions_end_when_idle_too_old_or_ended() -> None:
    now = [1000.0]
    sessions = Sessions(clock=lambda: now[0], idle=60, lifetime=300)
    user = WebUser("ada", frozenset({"viewer"}))
    token, session = sessions.start(user)
    assert sessions.get(token) is session and session.csrf_token
    assert sessions.get("forged") is None and sessions.get(None) is None
    now[0] += 59
    assert sessions.get(token) is session  # used: idle again from here
    now[0] += 59
    assert sessions.get(token) is session
    now[0] += 61
    assert sessions.get(token) is None  # idle too long
    token, _ = sessions.start(user)
    for _ in range(7):
        now[0] += 50
        found = sessions.get(token)
    assert found is None  # past 300 s in all, even in use
    token, _ = sessions.start(user)
    other, _ = sessions.start(user)
    assert token != other
    sessions.end(token)
    assert sessions.get(token) is None and sessions.get(other) is not None


def test_web_has_the_login_options() -> None:
    result = CliRunner().invoke(cli, ["web", "--help"])
    assert result.exit_code == 0
    for option in ("--users", "--tls-certificate", "--tls-key"):
        assert option in result.output
    options = ["web", "--tls-certificate", "c.pem", "--store", "x.db"]
    assert "go together" in CliRunner().invoke(cli, options).output


def test_without_users_the_console_warns_loudly(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["web", "--host", "0.0.0.0", "--store", str(tmp_path / "none.db")]
    )
    assert "WARNING: the console has no login" in result.output
    assert "it listens on 0.0.0.0, not on loopback" in result.output
    local = CliRunner().invoke(cli, ["web", "--store", str(tmp_path / "none.db")])
    assert "WARNING: the console has no login" in local.output
    assert "not on loopback" not in local.output
