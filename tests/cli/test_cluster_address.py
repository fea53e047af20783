"""`--address` on every command: the spellings it takes, the old option names kept working,
and an unreachable cluster as one line and exit code 1 (no librdkafka log, no traceback)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from clients.cli.cluster_address import parse_address
from clients.cli.main import cli
from clients.cli.verb_options import DURATION

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE = "127.0.0.1:1"  # nothing listens on port 1: the connection is refused at once


@pytest.mark.parametrize(
    ("text", "bootstrap", "prefix"),
    [
        ("127.0.0.1:9092", "127.0.0.1:9092", None),
        ("a:1,b:2", "a:1,b:2", None),
        ("kafka://a:1,b:2", "a:1,b:2", None),
        ("kafka://a:1?prefix=team.", "a:1", "team."),
    ],
)
def test_an_address_is_a_bootstrap_or_a_kafka_url(
    text: str, bootstrap: str, prefix: str | None
) -> None:
    address = parse_address(text)
    assert (address.bootstrap, address.prefix) == (bootstrap, prefix)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("memory://", "memory:// is an engine inside one process"),
        ("http://a:1", "unsupported address"),
        ("kafka://a:1?partitions=2", "unknown option 'partitions'"),
        ("", "the address is empty"),
    ],
)
def test_a_wrong_address_says_what_to_give(text: str, says: str) -> None:
    with pytest.raises(click.ClickException) as error:
        parse_address(text)
    assert says in error.value.message


def test_a_prefix_option_that_differs_from_the_address_is_refused() -> None:
    address = parse_address("kafka://a:1?prefix=one.")
    assert address.with_prefix(None) == "one." and address.with_prefix("one.") == "one."
    with pytest.raises(click.ClickException, match="differs"):
        address.with_prefix("two.")
    assert parse_address("a:1").with_prefix(None) == "honeyflow."


def test_durations_take_seconds_or_a_unit() -> None:
    assert [DURATION.convert(v, None, None) for v in ("30", "1.5", "500ms", "30s", "5m", "1h")] == [
        30.0,
        1.5,
        0.5,
        30.0,
        300.0,
        3600.0,
    ]
    with pytest.raises(click.BadParameter, match="5 minutes"):
        DURATION.convert("5 minutes", None, None)


@pytest.mark.parametrize(
    ("command", "old"),
    [
        (["engine"], "--bootstrap"),
        (["exporter"], "--bootstrap"),
        (["gateway"], "--bootstrap"),
        (["topics", "create"], "--bootstrap"),
        (["web"], "--engine"),
        (["incident", "resolve"], "--url"),
        (["deploy"], None),
        (["create", "instance"], None),
        (["activate", "jobs"], None),
        (["topology"], None),
    ],
)
def test_every_command_names_the_cluster_with_address(command: list[str], old: str | None) -> None:
    out = CliRunner().invoke(cli, [*command, "--help"], terminal_width=200)
    assert out.exit_code == 0, out.output
    assert "--address" in out.output and "HONEYFLOW_ADDRESS" in out.output
    if old:
        assert old in out.output  # the old spelling still works (docker-compose.yml, docs)


@pytest.mark.parametrize(
    "args",
    [
        ["engine", "--bootstrap", UNREACHABLE, "--data-dir", "{tmp}"],
        ["engine", "--address", f"kafka://{UNREACHABLE}", "--data-dir", "{tmp}"],
        ["topics", "create", "--address", UNREACHABLE],
        ["gateway", "--address", UNREACHABLE, "--port", "0"],
        ["deploy", "x.bpmn", "--address", UNREACHABLE],
        ["create", "instance", "p", "--address", UNREACHABLE, "--json"],
        ["topology", "--address", UNREACHABLE],
    ],
)
def test_an_unreachable_cluster_is_one_line_naming_the_address(
    args: list[str], tmp_path: Path
) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "clients.cli.main", *(a.format(tmp=tmp_path) for a in args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert out.returncode == 1
    assert out.stdout == ""
    assert out.stderr.splitlines() == [
        f"Error: cannot reach Kafka at {UNREACHABLE} within 5 s"
        " (Failed to get metadata: Local: Broker transport failure)"
    ]


def test_the_address_comes_from_the_environment() -> None:
    out = CliRunner().invoke(
        cli, ["cancel", "instance", "1"], env={"HONEYFLOW_ADDRESS": "memory://"}
    )
    assert out.exit_code == 1
    assert out.output.startswith("Error: memory:// is an engine inside one process")
