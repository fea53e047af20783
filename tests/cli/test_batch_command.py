"""`honeyflow batch resolve|cancel` without a cluster: --dry-run lists what matches in the
query store and sends nothing; a progress file's done items are skipped. The real run is in
tests/web/test_console_kafka.py (memory:// is no cluster a command can reach)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from clients.cli.main import cli
from clients.client import connect
from tests.web.web_workload import export, run_order_workload


def test_dry_run_lists_the_matches_and_skips_what_a_progress_file_says_is_done(
    tmp_path: Path,
) -> None:
    store = tmp_path / "visibility.db"
    with connect("memory://?partitions=2") as client:
        w = run_order_workload(client)
        export(client, store)
    base = ["--process", "order", "--store", str(store), "--address", "127.0.0.1:1", "--dry-run"]
    result = CliRunner().invoke(cli, ["batch", "resolve", "--type", "job_no_retries", *base])
    assert result.exit_code == 0, result.output
    assert "2 match, 0 already done by an earlier run, 2 to resolve" in result.output
    for key in w.with_incident:
        assert f"incident {w.incidents[key]} of instance {key}: would resolve" in result.output
    progress = tmp_path / "progress.jsonl"
    first = w.incidents[w.with_incident[0]]
    progress.write_text(json.dumps({"key": first, "outcome": "done"}) + "\n")
    result = CliRunner().invoke(
        cli, ["batch", "resolve", *base, "--progress", str(progress), "--json"]
    )
    assert result.exit_code == 0, result.output
    [line] = result.output.splitlines()
    assert json.loads(line)["key"] == w.incidents[w.with_incident[1]]
    result = CliRunner().invoke(cli, ["batch", "cancel", "--element", "reserve", *base])
    assert "1 match, 0 already done by an earlier run, 1 to cancel" in result.output
    assert f"{w.waiting_at_reserve[0]}: would cancel" in result.output


def test_variable_and_version_filters_and_a_dry_run_migration(tmp_path: Path) -> None:
    store = tmp_path / "visibility.db"
    with connect("memory://?partitions=2") as client:
        w = run_order_workload(client)
        export(client, store)
    base = ["--process", "order", "--store", str(store), "--address", "127.0.0.1:1", "--dry-run"]
    stuck, other = w.with_incident
    result = CliRunner().invoke(cli, ["batch", "resolve", "--variable", f"orderId={stuck}", *base])
    # orderId is the instance's index in the workload, not its key: nothing has that value.
    assert "0 match" in result.output, result.output
    index = {"stuck": 3, "other": 4}
    result = CliRunner().invoke(
        cli, ["batch", "resolve", "--variable", f"orderId={index['stuck']}", *base]
    )
    assert "1 match" in result.output, result.output
    assert f"incident {w.incidents[stuck]} of instance {stuck}: would resolve" in result.output
    assert str(other) not in result.output
    migrate = ["batch", "migrate", "--target", "123", "--map", "ship:ship", *base]
    result = CliRunner().invoke(cli, [*migrate, "--version", "1", "--variable", "inStock=true"])
    assert result.exit_code == 0, result.output
    assert "3 match, 0 already done by an earlier run, 3 to migrate" in result.output
    for key in [*w.with_incident, *w.waiting_at_reserve]:
        assert f"{key}: would migrate" in result.output
    result = CliRunner().invoke(cli, [*migrate, "--version", "2"])
    assert "0 match" in result.output
    # JSON true is not the number 1.
    assert "0 match" in CliRunner().invoke(cli, [*migrate, "--variable", "inStock=1"]).output
    bad = CliRunner().invoke(cli, [*migrate, "--variable", "customer=Ada"])
    assert bad.exit_code == 2 and "the value of 'customer' is not JSON" in bad.output
    bad = CliRunner().invoke(cli, [*migrate, "--map", "ship"])
    assert bad.exit_code == 2 and "expected SOURCE:TARGET" in bad.output
