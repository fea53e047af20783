"""Decisions in the query store: deployed decisions, and per process instance every decision
its business rule tasks evaluated (required decisions first) with the rules that matched; a
failed evaluation with its failure. On SQLite and PostgreSQL, in batches of any size."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from clients.cli.main import cli
from clients.client import connect
from processors.exporter.queries import Queries
from processors.exporter.store import open_store
from tests.engine.conftest import events
from tests.engine.decision_models import discount_graph, rank_table, rule_process
from tests.visibility.projection_helpers import apply_records


def _records() -> tuple[list[dict[str, Any]], dict[str, int]]:
    with connect("memory://?partitions=2") as client:
        client.deploy(rule_process("discount", result="rate"), discount_graph())
        client.deploy(rule_process(process_id="ranked"), rank_table("UNIQUE"))
        keys = {
            "gold": client.create_instance("rules", {"amount": 1500}),
            "failed": client.create_instance("ranked", {"x": 12}),
        }
        [incident] = events(client, valueType="INCIDENT", intent="CREATED")
        client.set_variables(keys["failed"], {"x": 3})
        client.resolve_incident(incident["key"])
        records = json.loads(json.dumps(client.records()))
    return records, keys


RECORDS, KEYS = _records()


@pytest.mark.parametrize("batch_size", [1, 1000])
def test_evaluated_decisions_and_matched_rules_per_instance(
    store_url: str, batch_size: int
) -> None:
    with open_store(store_url) as store:
        apply_records(store, RECORDS, batch_size=batch_size)
        q = Queries(store)
        rows = q.decision_evaluations(KEYS["gold"])
        assert [(r.decision_id, r.decision_type, r.output) for r in rows] == [
            ("tier", "LITERAL_EXPRESSION", "gold"),
            ("discount", "DECISION_TABLE", 0.2),
        ]
        assert {r.element_id for r in rows} == {"decide"}
        assert rows[1].matched_rules == (
            {"ruleId": "gold", "ruleIndex": 1, "outputs": {"rate": 0.2}},
        )
        failed, evaluated = q.decision_evaluations(KEYS["failed"])
        assert (failed.state, failed.decision_id) == ("FAILED", "rank")
        assert failed.failure_message and failed.matched_rules == ()
        assert (evaluated.state, evaluated.output) == ("EVALUATED", 10)
        assert [r["ruleIndex"] for r in evaluated.matched_rules] == [1]


def test_deployed_decisions_are_kept_once(store_url: str) -> None:
    with open_store(store_url) as store:
        apply_records(store, RECORDS)
        decisions = Queries(store).decisions()
        assert [(d.decision_id, d.version) for d in decisions] == [
            ("discount", 1),
            ("rank", 1),
            ("tier", 1),
        ]
        assert {d.decision_requirements_id for d in decisions} == {"pricing", "ranking"}


def test_honeyflow_instance_lists_the_decisions(tmp_path: Path) -> None:
    store = str(tmp_path / "s.db")
    with open_store(store) as opened:
        apply_records(opened, RECORDS)
    runner = CliRunner(env={"COLUMNS": "200"})
    out = runner.invoke(cli, ["instance", str(KEYS["failed"]), "--store", store])
    assert out.exit_code == 0, out.output
    table = out.output.split("Decisions")[1]
    assert "FAILED" in table and "hit policy UNIQUE" in table
    assert "EVALUATED" in table and "1 r1" in table
    shown = json.loads(
        runner.invoke(cli, ["instance", str(KEYS["gold"]), "--store", store, "--json"]).output
    )
    assert [(d["decisionId"], d["output"]) for d in shown["decisions"]] == [
        ("tier", "gold"),
        ("discount", 0.2),
    ]
