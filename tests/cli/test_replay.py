"""`honeyflow replay KEY`: the instance's records one by one with where its tokens were after
each, read from a file of records (the cluster's audit log is read the same way through the
client); `--json` gives the steps; a key with no records is one error line."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from clients.cli.main import cli
from clients.client import connect
from tests.web.web_workload import run_order_workload


def _recorded(tmp_path: Path) -> tuple[Path, int, int]:
    """The web tests' order workload as JSON lines; an instance stuck with an incident at
    `ship` and a completed one."""
    with connect("memory://?partitions=2") as client:
        workload = run_order_workload(client)
        records = client.records()
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records))
    return path, workload.with_incident[0], workload.completed[0]


def test_replay_prints_each_record_with_the_tokens_after_it(tmp_path: Path) -> None:
    path, stuck, _ = _recorded(tmp_path)
    result = CliRunner().invoke(
        cli, ["replay", str(stuck), "--records", str(path)], env={"COLUMNS": "160"}
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"Instance {stuck} of order v1" in lines[0]
    at_ship = lines.index(next(x for x in lines if "ELEMENT_ACTIVATED ship" in x))
    assert "tokens at ship (activated)" in lines[at_ship + 1]
    incident = lines.index(next(x for x in lines if "INCIDENT CREATED ship" in x))
    assert "JOB_NO_RETRIES" in lines[incident]
    assert "incidents: JOB_NO_RETRIES at ship" in lines[incident + 1]
    assert "Variables at the end" in result.output and "reservationId" in result.output
    assert "Open incidents at the end" in result.output


def test_replay_json_gives_every_step_with_the_state_after_it(tmp_path: Path) -> None:
    path, _, done = _recorded(tmp_path)
    result = CliRunner().invoke(cli, ["replay", str(done), "--records", str(path), "--json"])
    assert result.exit_code == 0, result.output
    steps = json.loads(result.output)
    assert [s["index"] for s in steps] == list(range(len(steps)))
    assert steps[-1]["after"]["state"] == "ELEMENT_COMPLETED"
    assert steps[-1]["after"]["active"] == []
    assert steps[-1]["after"]["completed"][-1] == "fulfilled"
    assert isinstance(steps[0]["key"], int)  # the CLI's keys are numbers


def test_replay_step_waits_for_enter_and_q_stops(tmp_path: Path) -> None:
    path, stuck, _ = _recorded(tmp_path)
    result = CliRunner().invoke(
        cli, ["replay", str(stuck), "--records", str(path), "--step"], input="\n\nq\n"
    )
    assert result.exit_code == 0, result.output
    assert len([x for x in result.output.splitlines() if x.startswith("#")]) == 3
    assert len([x for x in result.output.splitlines() if "after:" in x]) == 3
    assert "Variables at the end" not in result.output


def test_replay_of_an_unknown_instance_or_without_a_source_is_one_error(tmp_path: Path) -> None:
    path, _, _ = _recorded(tmp_path)
    result = CliRunner().invoke(cli, ["replay", "42", "--records", str(path)], env={})
    assert result.exit_code == 1
    assert "no records of process instance 42" in result.output
    result = CliRunner().invoke(cli, ["replay", "42"], env={"HONEYFLOW_ADDRESS": ""})
    assert result.exit_code == 2 and "--records" in result.output
