"""The client verbs (`deploy`, `create instance`, `activate jobs`, ...) from the shell against
one engine on the session's Kafka: the cluster named once by HONEYFLOW_ADDRESS, answers read
back with --json, and what happened checked in the audit log."""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from broker.protocol.keys import decode_partition
from broker.topics import TopicSettings, ensure_topics
from clients.cli.main import cli
from clients.cli.topology_command import short_member
from clients.client import Client, connect
from clients.kafka_engine_processes import EngineProcesses, EngineStartError

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(600)]

HERE = Path(__file__).parent / "verbs"
PARTITIONS = 2


class Cluster:
    def __init__(self, address: str, client: Client) -> None:
        self.address = address
        self.client = client

    def run(self, *args: str, ok: bool = True) -> Result:
        """`honeyflow ARGS` with the cluster in HONEYFLOW_ADDRESS, as a shell user sets it."""
        result = CliRunner().invoke(cli, list(args), env={"HONEYFLOW_ADDRESS": self.address})
        if ok:
            assert result.exit_code == 0, result.output
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--json").stdout)

    def events(self, **match: Any) -> list[dict[str, Any]]:
        found = []
        for record in self.client.records():
            value = record["value"]
            if record["recordType"] == "EVENT" and all(
                record.get(k) == v if k in ("valueType", "intent") else value.get(k) == v
                for k, v in match.items()
            ):
                found.append(record)
        return found

    def completed(self, instance: int) -> bool:
        return bool(
            self.events(
                valueType="PROCESS_INSTANCE",
                intent="ELEMENT_COMPLETED",
                bpmnElementType="PROCESS",
                processInstanceKey=instance,
            )
        )


@pytest.fixture(scope="module")
def cluster(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One engine for the module on topics of its own, the processes deployed by the CLI."""
    topics = TopicSettings(prefix=f"t-cli-{uuid.uuid4().hex[:8]}.", partitions=PARTITIONS)
    config = {"bootstrap.servers": kafka_bootstrap}
    ensure_topics(config, topics.core_topics())
    engines = EngineProcesses(config, topics, tmp_path_factory.mktemp("cli-engine"), count=1)
    try:
        try:
            engines.wait_until_serving()
        except EngineStartError as error:
            raise AssertionError(f"{error}\n{engines.output()}") from None
        address = f"kafka://{kafka_bootstrap}?prefix={topics.prefix}"
        with connect(address) as client:
            yield Cluster(address, client)
    finally:
        engines.stop()


@pytest.fixture(scope="module")
def deployed(cluster: Cluster) -> dict[str, Any]:
    return cluster.json(
        "deploy",
        *(str(HERE / f"{n}.bpmn") for n in ("cli-task", "cli-wait", "cli-straight", "cli-late")),
    )


def _one_job(cluster: Cluster, instance: int) -> dict[str, Any]:
    jobs = cluster.json("activate", "jobs", "cli-work", "--max-jobs", "10", "--timeout", "5m")
    [job] = [j for j in jobs if j["processInstanceKey"] == instance]
    return job


def test_deploy_prints_each_process_with_its_version_and_key(
    cluster: Cluster, deployed: dict[str, Any]
) -> None:
    assert sorted(p["bpmnProcessId"] for p in deployed["processes"]) == [
        "cli-late",
        "cli-straight",
        "cli-task",
        "cli-wait",
    ]
    assert all(p["version"] == 1 and p["processDefinitionKey"] > 0 for p in deployed["processes"])
    # Deployed again: the same versions, shown whole in the table at 80 columns.
    table = cluster.run("deploy", str(HERE / "cli-task.bpmn")).stdout
    [task] = [p for p in deployed["processes"] if p["bpmnProcessId"] == "cli-task"]
    assert str(task["processDefinitionKey"]) in table and "1 (unchanged)" in table


def test_create_activate_complete_runs_an_instance_to_its_end(
    cluster: Cluster, deployed: dict[str, Any]
) -> None:
    created = cluster.json("create", "instance", "cli-task", "--variables", '{"orderId": "o-1"}')
    instance = created["processInstanceKey"]
    job = _one_job(cluster, instance)
    assert job["variables"] == {"orderId": "o-1"} and job["worker"] == "honeyflow-cli"
    assert cluster.json("complete", "job", str(job["key"]), "--variables", '{"ok": true}') == {
        "jobKey": job["key"]
    }
    assert cluster.completed(instance)
    [ok] = cluster.events(valueType="VARIABLE", intent="CREATED", name="ok")
    assert ok["value"]["processInstanceKey"] == instance


def test_activated_jobs_table_shows_keys_whole_at_80_columns(
    cluster: Cluster, deployed: dict[str, Any]
) -> None:
    instance = cluster.json("create", "instance", "cli-task")["processInstanceKey"]
    result = CliRunner().invoke(
        cli,
        ["activate", "jobs", "cli-work", "--max-jobs", "10"],
        env={"HONEYFLOW_ADDRESS": cluster.address, "COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    # Other columns may shrink (`Variab…`); no key is cut.
    assert str(instance) in result.stdout and not re.search(r"\d{5,}…", result.stdout)


def test_publish_message_and_broadcast_signal_move_an_instance_on(
    cluster: Cluster, deployed: dict[str, Any]
) -> None:
    other = cluster.json("create", "instance", "cli-wait", "--variables", '{"orderId": "o-2"}')
    # An instance waits for the message, then the signal.
    created = cluster.json("create", "instance", "cli-wait", "--variables", '{"orderId": "o-3"}')
    instance = created["processInstanceKey"]
    published = cluster.json(
        "publish", "message", "paid", "--correlation-key", "o-3",
        "--variables", '{"amount": 12}', "--ttl", "1m", "--message-id", "pay-o-3",
    )  # fmt: skip
    assert published["messageKey"] > 0
    assert cluster.events(
        valueType="PROCESS_INSTANCE",
        intent="ELEMENT_ACTIVATED",
        elementId="wait_go",
        processInstanceKey=instance,
    )
    signal = cluster.json("broadcast", "signal", "go", "--variables", '{"went": true}')
    assert signal["signalKey"] > 0
    assert cluster.completed(instance)
    [amount] = cluster.events(valueType="VARIABLE", intent="CREATED", name="amount")
    assert amount["value"]["processInstanceKey"] == instance
    assert not cluster.completed(other["processInstanceKey"])  # its message never came


def test_create_with_result_prints_the_fetched_variables(
    cluster: Cluster, deployed: dict[str, Any]
) -> None:
    result = cluster.json(
        "create", "instance", "cli-straight", "--version", "1", "--with-result",
        "--fetch-variables", "a,c", "--variables", '{"a": 1, "b": 2, "c": 3}',
    )  # fmt: skip
    assert result["bpmnProcessId"] == "cli-straight" and result["version"] == 1
    assert result["variables"] == {"a": 1, "c": 3}
    text = cluster.run("create", "instance", "cli-straight", "--with-result").stdout
    assert "cli-straight v1 completed" in text


def test_set_variables_then_cancel_an_instance(cluster: Cluster, deployed: dict[str, Any]) -> None:
    instance = cluster.json("create", "instance", "cli-wait", "--variables", '{"orderId": "o-5"}')[
        "processInstanceKey"
    ]
    assert cluster.json(
        "set", "variables", str(instance), "--variables", '{"orderId": "o-6", "note": "x"}'
    ) == {"elementInstanceKey": instance}
    [updated] = cluster.events(valueType="VARIABLE", intent="UPDATED", name="orderId")
    assert updated["value"]["value"] == '"o-6"'
    assert cluster.run("cancel", "instance", str(instance)).stdout.strip() == (
        f"instance {instance} canceled"
    )
    assert cluster.events(
        valueType="PROCESS_INSTANCE",
        intent="ELEMENT_TERMINATED",
        bpmnElementType="PROCESS",
        processInstanceKey=instance,
    )


def test_fail_to_incident_update_retries_resolve_then_throw_error(
    cluster: Cluster, deployed: dict[str, Any]
) -> None:
    instance = cluster.json("create", "instance", "cli-task")["processInstanceKey"]
    job = _one_job(cluster, instance)["key"]
    cluster.run(
        "fail", "job", str(job), "--retries", "0", "--error-message", "card declined",
        "--retry-backoff", "0s",
    )  # fmt: skip
    [incident] = cluster.events(valueType="INCIDENT", intent="CREATED", processInstanceKey=instance)
    assert incident["value"]["errorMessage"] == "card declined"
    assert cluster.json("update", "retries", str(job), "--retries", "2") == {"jobKey": job}
    resolved = cluster.run("resolve", "incident", str(incident["key"])).stdout
    assert resolved.strip() == f"incident {incident['key']} resolved"
    assert _one_job(cluster, instance)["retries"] == 2
    assert cluster.json("update", "timeout", str(job), "--timeout", "10m") == {"jobKey": job}
    assert cluster.events(valueType="JOB", intent="TIMEOUT_UPDATED", processInstanceKey=instance)
    cluster.run("throw", "error", str(job), "--error-code", "BAD", "--error-message", "no stock")
    assert cluster.completed(instance)
    assert cluster.events(
        valueType="PROCESS_INSTANCE",
        intent="ELEMENT_COMPLETED",
        elementId="rejected",
        processInstanceKey=instance,
    )


def test_a_rejection_is_one_line_and_exit_code_1(cluster: Cluster) -> None:
    result = cluster.run("complete", "job", "2251799813685999", ok=False)
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and result.output.startswith("Error: ")
    assert "NOT_FOUND" in result.output
    result = cluster.run("create", "instance", "cli-task", "--variables", "[1]", ok=False)
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert "--variables must be a JSON object" in result.output


def test_topology_names_the_engine_of_every_partition(cluster: Cluster) -> None:
    topology = cluster.json("topology")
    assert len(topology["brokers"]) == 1
    assert [p["partitionId"] for p in topology["partitions"]] == list(range(1, PARTITIONS + 1))
    owners = {p["engine"]["memberId"] for p in topology["partitions"]}
    assert len(owners) == 1 and topology["engineGroup"] == {"state": "STABLE", "members": 1}
    text = cluster.run("topology").stdout
    assert f"{PARTITIONS} partition(s)" in text and short_member(owners.pop()) in text


def test_activate_jobs_waits_for_a_first_job_with_request_timeout(
    cluster: Cluster, deployed: dict[str, Any]
) -> None:
    """Long polling: an activation that started before the instance gets its job."""
    answer: list[Result] = []
    waiting = threading.Thread(
        target=lambda: answer.append(
            cluster.run("activate", "jobs", "cli-late", "--request-timeout", "2m", "--json")
        )
    )
    waiting.start()
    instance = cluster.json("create", "instance", "cli-late")["processInstanceKey"]
    waiting.join()
    [job] = json.loads(answer[0].stdout)
    assert job["processInstanceKey"] == instance and job["type"] == "cli-late"


def test_deploy_a_dmn_file_then_evaluate_its_decision(cluster: Cluster) -> None:
    deployed = cluster.json("deploy", str(HERE / "cli-discount.dmn"))
    assert [(d["decisionId"], d["version"]) for d in deployed["decisions"]] == [
        ("discount", 1),
        ("tier", 1),
    ]
    assert deployed["decisionRequirements"][0]["resourceName"] == "cli-discount.dmn"
    table = cluster.run("deploy", str(HERE / "cli-discount.dmn")).stdout
    assert "discount" in table and "1 (unchanged)" in table
    result = cluster.json("evaluate", "decision", "discount", "--variables", '{"amount": 2000}')
    assert result["output"] == 0.2
    assert [d["decisionId"] for d in result["evaluatedDecisions"]] == ["tier", "discount"]
    shown = cluster.run("evaluate", "decision", "discount", "--variables", '{"amount": 5}').stdout
    assert "decision discount version 1: 0.1" in shown and "silver" in shown
    by_key = deployed["decisions"][1]["decisionKey"]
    assert (
        cluster.json("evaluate", "decision", str(by_key), "--variables", '{"amount": 5}')["output"]
        == "silver"
    )
    missing = cluster.run("evaluate", "decision", "nothing", ok=False)
    assert missing.exit_code == 1 and "no decision found for id 'nothing'" in missing.output


def test_migrate_an_instance_to_a_new_version_then_finish_it_there(cluster: Cluster) -> None:
    scenarios = Path(__file__).parents[1] / "engine" / "scenarios"
    cluster.run("deploy", str(scenarios / "migrate_order_v1.bpmn"))
    instance = cluster.json("create", "instance", "migrate_order")["processInstanceKey"]
    [v2] = cluster.json("deploy", str(scenarios / "migrate_order_v2.bpmn"))["processes"]
    target = str(v2["processDefinitionKey"])
    unmapped = cluster.run("migrate", "instance", str(instance), "--target", target, ok=False)
    assert unmapped.exit_code == 1 and unmapped.output.count("\n") == 1
    assert "no mapping instruction defined for active element with id 'pay'" in unmapped.output
    bad = cluster.run(
        "migrate", "instance", str(instance), "--target", target, "--map", "pay", ok=False
    )
    assert bad.exit_code == 2 and "SOURCE:TARGET" in bad.output

    answer = cluster.json(
        "migrate", "instance", str(instance), "--target", target, "--map", "pay:charge"
    )
    assert answer == {
        "processInstanceKey": instance,
        "targetProcessDefinitionKey": v2["processDefinitionKey"],
        "mappingInstructions": [{"sourceElementId": "pay", "targetElementId": "charge"}],
    }
    [job] = _jobs_of(cluster, "pay", instance)
    assert job["elementId"] == "charge"
    assert job["processDefinitionKey"] == v2["processDefinitionKey"]
    cluster.run("complete", "job", str(job["key"]))
    [ship] = _jobs_of(cluster, "ship", instance)
    cluster.run("complete", "job", str(ship["key"]))
    assert cluster.completed(instance)


def _instance_on_the_deployment_partition(cluster: Cluster, process_id: str) -> int:
    """An instance of `process_id` on partition 1, where a deletion is decided: that partition
    refuses to delete a definition while an instance of it runs there (instances on other
    partitions hold the deletion back there, not on partition 1). Instances created round
    robin on the other partitions on the way are cancelled."""
    for _ in range(PARTITIONS):
        key = int(cluster.json("create", "instance", process_id)["processInstanceKey"])
        if decode_partition(key) == 1:
            return key
        cluster.run("cancel", "instance", str(key))
    raise AssertionError(f"no instance of {process_id} on partition 1")


def _jobs_of(cluster: Cluster, job_type: str, instance: int) -> list[dict[str, Any]]:
    """The jobs of `job_type` of `instance`, waiting for them to be ready (long polling)."""
    jobs = cluster.json(
        "activate", "jobs", job_type, "--max-jobs", "10", "--request-timeout", "30s"
    )
    return [j for j in jobs if j["processInstanceKey"] == instance]


def test_skip_a_broken_step_then_delete_the_definition(cluster: Cluster) -> None:
    scenarios = Path(__file__).parents[1] / "engine" / "scenarios"
    [definition] = cluster.json("deploy", str(scenarios / "repair.bpmn"))["processes"]
    instance = _instance_on_the_deployment_partition(cluster, "repair")
    [check] = _jobs_of(cluster, "check", instance)
    cluster.run("fail", "job", str(check["key"]), "--retries", "0")
    unknown = cluster.run("modify", "instance", str(instance), "--activate", "nowhere", ok=False)
    assert unknown.exit_code == 1 and unknown.output.count("\n") == 1
    assert "activate instructions with an element that could not be found: 'nowhere'" in (
        unknown.output
    )
    answer = cluster.json(
        "modify",
        "instance",
        str(instance),
        "--activate",
        f"ship:{instance}",
        "--terminate",
        str(check["elementInstanceKey"]),
        "--variables",
        '{"fixed": true}',
    )
    assert answer == {
        "processInstanceKey": instance,
        "activated": [{"elementId": "ship", "ancestorScopeKeys": [instance]}],
        "terminated": [check["elementInstanceKey"]],
    }
    assert cluster.events(valueType="INCIDENT", intent="RESOLVED", processInstanceKey=instance)
    running = cluster.run("delete", "resource", str(definition["processDefinitionKey"]), ok=False)
    assert running.exit_code == 1 and "there are still running instances" in running.output
    [ship] = _jobs_of(cluster, "ship", instance)
    assert ship["variables"]["fixed"] is True
    cluster.run("complete", "job", str(ship["key"]))
    [pack] = _jobs_of(cluster, "pack", instance)
    cluster.run("complete", "job", str(pack["key"]))
    assert cluster.completed(instance)
    deleted = cluster.json("delete", "resource", str(definition["processDefinitionKey"]))
    assert deleted == {"resourceKey": definition["processDefinitionKey"]}
    gone = cluster.run("create", "instance", "repair", ok=False)
    assert gone.exit_code == 1 and "none found" in gone.output
