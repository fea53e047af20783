"""No command stops a partition on Kafka: a job type no worker topic can hold is refused at
deployment (static) or an incident (from an expression), and a command whose results the
Kafka layer cannot write is rejected while the partition goes on (#10 item 1)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from broker.protocol import Record, RecordType, ValueType
from broker.topics import TopicSettings, TopicSpec, ensure_topics
from processors.kafka import partition_processor
from tests.kafka_runtime import commands
from tests.kafka_runtime.harness import (
    Client,
    EngineProcess,
    Worker,
    completed_instances,
    deploy_and_wait,
    engine_in_process,
    events_of,
    read_all,
)

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(240)]
TOO_LONG = "t" * 196


def task_process(process_id: str, job_type: str) -> bytes:
    return commands.one_task_process(process_id, job_type)


def run_until_completed(client: Client, worker: Worker, count: int) -> list[dict[str, Any]]:
    topics = client.topics
    deadline = time.monotonic() + 60
    records: list[dict[str, Any]] = []
    while time.monotonic() < deadline and len(completed_instances(records)) < count:
        worker.poll(1.0)
        records = read_all(client.bootstrap, topics.events, topics.partitions)
    return records


def test_poison_job_types_are_refused_or_incidents_and_the_partition_goes_on(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path
) -> None:
    topics = TopicSettings(prefix=unique_name + ".", partitions=1)
    engine = EngineProcess(kafka_bootstrap, topics.prefix, tmp_path / "e", 1)
    try:
        client = Client(kafka_bootstrap, topics)
        client.send(commands.deploy(task_process("static", TOO_LONG), "static.bpmn"), 1)
        deploy_and_wait(client, task_process("dynamic", "=kind"))
        for kind in ("", TOO_LONG, "work"):
            client.send(commands.create_instance("dynamic", {"kind": kind}), 1)
        client.flush()
        worker = Worker(client, "work")
        records = run_until_completed(client, worker, 1)
        worker.close()
        assert engine.process.poll() is None, engine.log()[-3000:]
    finally:
        engine.stop()

    [refused] = [r for r in records if r["recordType"] == "COMMAND_REJECTION"]
    assert (refused["valueType"], refused["rejectionType"]) == ("DEPLOYMENT", "INVALID_ARGUMENT")
    assert "serviceTask 'task'" in refused["rejectionReason"]
    assert "too long" in refused["rejectionReason"]
    incidents = list(events_of(records, "INCIDENT", "CREATED"))
    assert [i["value"]["errorType"] for i in incidents] == ["EXTRACT_VALUE_ERROR"] * 2
    assert "must not be empty" in incidents[0]["value"]["errorMessage"]
    assert "too long" in incidents[1]["value"]["errorMessage"]
    assert len(completed_instances(records)) == 1  # the instance after them, on the partition


def test_a_command_whose_results_cannot_be_written_is_rejected_and_the_loop_goes_on(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    encode = partition_processor.encode_record

    def failing(record: Record[Any]) -> bytes:
        # A defect in the Kafka layer, for the events of one command only.
        if (
            record.record_type is RecordType.EVENT
            and record.value_type is ValueType.PROCESS_INSTANCE_CREATION
            and "poison" in record.value.variables
        ):
            raise ValueError("injected")
        return encode(record)

    monkeypatch.setattr(partition_processor, "encode_record", failing)
    topics = TopicSettings(prefix=unique_name + ".", partitions=1)
    with engine_in_process(kafka_bootstrap, topics, tmp_path / "e"):
        client = Client(kafka_bootstrap, topics)
        deploy_and_wait(client, commands.one_task_process())
        client.send(commands.create_instance("one-task", {"before": True}), 1)
        client.send(commands.create_instance("one-task", {"poison": True}), 1)
        client.send(commands.create_instance("one-task", {"after": True}), 1)
        client.flush()
        worker = Worker(client, "work")
        records = run_until_completed(client, worker, 2)
        worker.close()
        answers = read_all(kafka_bootstrap, topics.responses, 1)

    assert len(completed_instances(records)) == 2
    [rejection] = [r for r in records if r["recordType"] == "COMMAND_REJECTION"]
    assert (rejection["valueType"], rejection["intent"]) == ("PROCESS_INSTANCE_CREATION", "CREATE")
    assert rejection["rejectionType"] == "PROCESSING_ERROR"
    assert rejection["rejectionReason"] == (
        "Expected to process PROCESS_INSTANCE_CREATION CREATE with key '-1', but writing its"
        " results to Kafka failed: ValueError: injected"
    )
    # Nothing of the rejected command stayed: no instance, no variable of it.
    created = [v["value"]["name"] for v in events_of(records, "VARIABLE", "CREATED")]
    assert sorted(created) == ["after", "before", "done", "done"]  # "done": the worker's
    # Its sender has the rejection as the answer.
    assert any(a["recordType"] == "COMMAND_REJECTION" for a in answers)


def test_a_job_topic_kafka_cannot_give_rejects_the_command_and_the_partition_goes_on(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path
) -> None:
    topics = TopicSettings(prefix=unique_name + ".", partitions=1)
    # Someone made the job topic of type "clash" with a partition count the engine cannot use.
    clash = topics.job_topic("clash").name
    ensure_topics({"bootstrap.servers": kafka_bootstrap}, [TopicSpec(clash, 2, 1)])
    engine = EngineProcess(kafka_bootstrap, topics.prefix, tmp_path / "e", 1)
    try:
        client = Client(kafka_bootstrap, topics)
        deploy_and_wait(client, task_process("clashing", "clash"))
        deploy_and_wait(client, commands.one_task_process())
        client.send(commands.create_instance("clashing"), 1)
        client.send(commands.create_instance("one-task"), 1)
        client.flush()
        worker = Worker(client, "work")
        records = run_until_completed(client, worker, 1)
        worker.close()
        assert engine.process.poll() is None, engine.log()[-3000:]
    finally:
        engine.stop()

    assert len(completed_instances(records)) == 1
    [rejection] = [r for r in records if r["recordType"] == "COMMAND_REJECTION"]
    assert (rejection["valueType"], rejection["rejectionType"]) == (
        "PROCESS_INSTANCE_CREATION",
        "PROCESSING_ERROR",
    )
    assert f"cannot publish a job of type 'clash': MISMATCH {clash}" in rejection["rejectionReason"]
    assert "has 2 partitions, expected 1" in rejection["rejectionReason"]
