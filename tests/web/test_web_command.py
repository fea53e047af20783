"""`honeyflow web` as a user starts it: registered, and clear about a missing store."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from clients.cli.main import cli


def test_web_is_a_command_with_its_options() -> None:
    result = CliRunner().invoke(cli, ["web", "--help"])
    assert result.exit_code == 0
    for option in ("--port", "--store", "--address", "--engine", "--host", "--assets", "--user"):
        assert option in result.output


def test_a_missing_store_is_an_error_that_says_what_to_do(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["web", "--store", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert "no query store at" in result.output and "honeyflow exporter" in result.output
    assert not (tmp_path / "none.db").exists()
