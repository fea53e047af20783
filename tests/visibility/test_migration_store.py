"""A migrated instance in the query store: the instance shows the target's definition and
version, its waiting element the target's element id, its job and incident the new element
(ELEMENT_MIGRATED, JOB MIGRATED, INCIDENT MIGRATED), on SQLite and PostgreSQL, whether the
migration arrives in the batch that inserted the rows or in a later one."""

from __future__ import annotations

import json
from typing import Any

import pytest

from clients.client import connect
from processors.exporter.queries import Queries
from processors.exporter.store import open_store
from tests.engine.conftest import events, scenario
from tests.visibility.projection_helpers import apply_records


def _records() -> tuple[list[dict[str, Any]], int, int]:
    with connect("memory://") as client:
        client.deploy(scenario("migrate_order_v1.bpmn"))
        instance = client.create_instance("migrate_order")
        [job] = client.activate_jobs("pay", max_jobs=1, timeout=60, worker="w")
        client.fail_job(job.key, 0, "card declined")
        [v2] = client.deploy(scenario("migrate_order_v2.bpmn")).processes
        client.migrate_instance(instance, v2.process_definition_key, {"pay": "charge"})
        assert events(client, valueType="INCIDENT", intent="MIGRATED")
        return json.loads(json.dumps(client.records())), instance, v2.process_definition_key


RECORDS, INSTANCE, V2 = _records()


@pytest.mark.parametrize("batch_size", [1, 7, 1000])
def test_the_store_shows_the_migrated_instance(store_url: str, batch_size: int) -> None:
    with open_store(store_url) as store:
        apply_records(store, RECORDS, batch_size=batch_size)
        detail = Queries(store).instance(INSTANCE)
        summary = detail.instance
        assert (summary.process_definition_key, summary.version, summary.state) == (
            V2,
            2,
            "ACTIVE",
        )
        assert [e.element_id for e in detail.waiting_at] == ["charge"]
        [job] = detail.jobs
        assert (job.element_id, job.state) == ("charge", "FAILED")
        [incident] = detail.incidents
        assert (incident.element_id, incident.state) == ("charge", "OPEN")
