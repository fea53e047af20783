"""The instance page shows the decisions its business rule tasks evaluated: each decision
(required ones first), its output and the rules that matched; a failed evaluation with why."""

from __future__ import annotations

import html
import json
from pathlib import Path

from clients.client import connect
from clients.web.app import create_app
from processors.exporter.store import open_store
from tests.engine.conftest import events
from tests.engine.decision_models import discount_graph, rank_table, rule_process
from tests.visibility.projection_helpers import apply_records
from tests.web.server_thread import serving
from tests.web.test_pages import get


def test_instance_page_lists_decisions_and_matched_rules(tmp_path: Path) -> None:
    with connect("memory://") as client:
        client.deploy(rule_process("discount", result="rate"), discount_graph())
        client.deploy(rule_process(process_id="ranked"), rank_table("UNIQUE"))
        gold = client.create_instance("rules", {"amount": 1500})
        failed = client.create_instance("ranked", {"x": 12})
        [incident] = events(client, valueType="INCIDENT", intent="CREATED")
        records = json.loads(json.dumps(client.records()))
    store = open_store(str(tmp_path / "s.db"))
    apply_records(store, records)
    with serving(create_app(store)) as base:
        status, body, _ = get(f"{base}/instances/{gold}")
        assert status == 200
        section = body.split("<h2>Decisions</h2>")[1].split("<h2>")[0]
        rows = section.split("<tr>")[2:]
        assert "<code>tier</code>" in rows[0] and "&quot;gold&quot;" in rows[0]
        assert "<code>discount</code>" in rows[1] and "EVALUATED" in rows[1]
        assert "#1 <code>gold</code> → rate = 0.2" in rows[1]
        status, body, _ = get(f"{base}/instances/{failed}")
        section = body.split("<h2>Decisions</h2>")[1].split("<h2>")[0]
        assert "FAILED" in section and 'class="failure"' in section
        # the failure as the incident gives it: the decision, the hit policy, the rules
        message = incident["value"]["errorMessage"]
        assert "hit policy UNIQUE" in message
        assert html.escape(message) in section
