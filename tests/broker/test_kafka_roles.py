"""The roles' ACLs as data: each names only the topics, groups and transactional ids its
principal needs (docs/security.md), nothing more."""

from __future__ import annotations

import pytest

from broker.errors import BrokerError
from broker.kafka_roles import Grant, role_grants


def topics_with(grants: list[Grant], operation: str) -> set[str]:
    return {g.name for g in grants if g.resource == "topic" and operation in g.operations}


def test_a_worker_reads_only_its_own_job_topic_in_its_own_group() -> None:
    grants = role_grants("worker", "p.", "io.camunda:http-json:1")
    assert topics_with(grants, "READ") == {"p.jobs.io.x2Ecamunda.x3Ahttp-json.x3A1", "p.responses"}
    assert topics_with(grants, "WRITE") == {"p.commands"}
    groups = {g.name for g in grants if g.resource == "group" and g.pattern == "literal"}
    assert groups == {
        "p.workers.io.camunda:http-json:1",
        "p.workers.io.camunda:http-json:1.offsets",
    }
    assert all(g.pattern == "literal" for g in grants if g.resource == "topic")


def test_a_tenants_worker_reads_only_its_tenants_job_topics() -> None:
    grants = role_grants("worker", "p.", "pay", ("tenant-a", "t.b"))
    assert topics_with(grants, "READ") == {
        "p.tenant.tenant-a.jobs.pay",
        "p.tenant.t.x2Eb.jobs.pay",
        "p.responses",
    }
    groups = {g.name for g in grants if g.resource == "group" and g.pattern == "literal"}
    assert groups == {
        "p.workers.pay@tenant-a",
        "p.workers.pay@tenant-a.offsets",
        "p.workers.pay@t.b",
        "p.workers.pay@t.b.offsets",
    }
    # The default tenant's topic only when it is granted.
    assert "p.jobs.pay" not in topics_with(grants, "READ")
    both = role_grants("worker", "p.", "pay", ("<default>", "tenant-a"))
    assert topics_with(both, "READ") == {"p.jobs.pay", "p.tenant.tenant-a.jobs.pay", "p.responses"}
    with pytest.raises(BrokerError, match="tenant 'a b'"):
        role_grants("worker", "p.", "pay", ("a b",))


def test_the_exporter_and_the_reader_only_read_the_audit_log() -> None:
    for role in ("exporter", "reader"):
        grants = role_grants(role, "p.")
        assert topics_with(grants, "READ") == {"p.events"}
        assert not any(
            op in g.operations for g in grants for op in ("WRITE", "ALL", "CREATE", "ALTER")
        )


def test_an_operator_writes_commands_and_reads_answers_and_the_audit_log() -> None:
    grants = role_grants("operator", "p.")
    assert topics_with(grants, "WRITE") == {"p.commands"}
    assert topics_with(grants, "READ") == {"p.commands", "p.responses", "p.events"}
    # The engine's group: described (its offsets), never joined.
    assert [g.operations for g in grants if g.name == "p.engine"] == [("DESCRIBE",)]


def test_a_worker_needs_a_valid_job_type_and_roles_are_known() -> None:
    with pytest.raises(BrokerError, match="--job-type"):
        role_grants("worker", "p.")
    with pytest.raises(BrokerError, match="too long for its worker topic name"):
        role_grants("worker", "p.", "x" * 300)
    with pytest.raises(BrokerError, match="unknown role 'root'"):
        role_grants("root", "p.")
