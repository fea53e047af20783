"""The query store knows each definition's, instance's, incident's, job's and user task's
tenant, and its lists keep to the tenants a caller may see (docs/tenants.md); a store made
before tenants gets the column, its rows the default tenant."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from clients.cli.main import cli
from clients.client import connect
from processors.exporter.queries import Queries
from processors.exporter.schema import TENANT_TABLES
from processors.exporter.store import open_store
from tests.engine.conftest import scenario
from tests.visibility.projection_helpers import apply_records


def test_lists_keep_to_the_tenants_given(store_url: str) -> None:
    with connect("memory://") as client:
        client.deploy(scenario("one_task.bpmn"), tenant_id="tenant-a")
        client.deploy(scenario("one_task.bpmn"), tenant_id="tenant-b")
        client.deploy(scenario("camunda_user_task.bpmn"), tenant_id="tenant-b")
        client.deploy(scenario("call_parent.bpmn"))  # its child is missing: an incident
        a = client.create_instance("one_task", tenant_id="tenant-a")
        b = client.create_instance("one_task", tenant_id="tenant-b")
        task_instance = client.create_instance("camunda_user_task", tenant_id="tenant-b")
        d = client.create_instance("call_parent")
        records = client.records()
    with open_store(store_url) as store:
        apply_records(store, records)
        queries = Queries(store)
        keys = {i.process_instance_key for i in queries.instances(tenants={"tenant-b"})}
        assert keys == {b, task_instance}
        assert {i.process_instance_key for i in queries.instances()} == {a, b, task_instance, d}
        assert queries.instances(tenants=set()) == []
        assert {i.process_instance_key for i in queries.instances(tenants={"<default>"})} == {d}
        assert [i.process_instance_key for i in queries.incidents(tenants={"<default>"})] == [d]
        assert queries.incidents(tenants={"tenant-a", "tenant-b"}) == []
        by_tenant = {
            (p.bpmn_process_id, p.process_definition_key)
            for p in queries.definitions(tenants={"tenant-a"})
        }
        assert [p for p, _ in by_tenant] == ["one_task"]
        assert len(queries.definitions()) == 4
        [task] = queries.user_tasks(tenants={"tenant-b"})
        assert task.process_instance_key == task_instance
        assert queries.user_tasks(tenants={"tenant-a"}) == []
        assert queries.tenant_of(process_instance_key=a) == "tenant-a"
        assert queries.tenant_of(process_instance_key=d) == "<default>"
        [(job_tenant,)] = store.query(
            "SELECT tenant_id FROM jobs WHERE process_instance_key = ?", (b,)
        )
        assert job_tenant == "tenant-b"


def test_a_store_made_before_tenants_gets_the_column(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    with connect("memory://") as client:
        client.deploy(scenario("one_task.bpmn"))
        key = client.create_instance("one_task")
        records = client.records()
    with open_store(url) as store:
        apply_records(store, records[:1])
        with store.transaction() as tx:  # as version 1 left it: no tenant columns
            for table in TENANT_TABLES:
                tx.execute(f"ALTER TABLE {table} DROP COLUMN tenant_id")
            tx.execute("UPDATE store_meta SET value = '1' WHERE name = 'schema_version'")
    with open_store(url) as store:
        apply_records(store, records)
        queries = Queries(store)
        assert [i.process_instance_key for i in queries.instances(tenants={"<default>"})] == [key]
        assert store.query("SELECT value FROM store_meta WHERE name = 'schema_version'") == [("2",)]


def test_the_cli_lists_filter_by_tenant(tmp_path: Path) -> None:
    with connect("memory://") as client:
        client.deploy(scenario("one_task.bpmn"), tenant_id="tenant-a")
        client.deploy(scenario("call_parent.bpmn"), tenant_id="tenant-b")  # an incident
        a = client.create_instance("one_task", tenant_id="tenant-a")
        b = client.create_instance("call_parent", tenant_id="tenant-b")
        records = client.records()
    store = str(tmp_path / "visibility.db")
    with open_store(store) as s:
        apply_records(s, records)

    def listed(*args: str) -> list[int]:
        out = CliRunner().invoke(cli, [*args, "--json", "--store", store])
        assert out.exit_code == 0, out.output
        return [row["processInstanceKey"] for row in json.loads(out.stdout)]

    assert listed("instances", "--tenant", "tenant-a") == [a]
    assert sorted(listed("instances")) == sorted([a, b])
    assert listed("instances", "--tenant", "tenant-a", "--tenant", "tenant-b") == [b, a]
    assert listed("incidents", "--tenant", "tenant-b") == [b]
    assert listed("incidents", "--tenant", "tenant-a") == []
