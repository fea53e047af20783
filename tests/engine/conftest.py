"""Scenario fixtures: a `client` per runtime (the in-process engine with one and with three
partitions; two engine processes on Kafka, see conftest_kafka.py) and helpers over `records()`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from broker.protocol import Record
from clients.client import Client, connect
from clients.commands import check, partition_of
from tests.engine.conftest_kafka import deselect_kafka_variants, kafka_scenario_client

SCENARIOS = Path(__file__).parent / "scenarios"


@pytest.fixture(
    params=["memory://", "memory://?partitions=3", pytest.param("kafka", marks=pytest.mark.kafka)]
)
def client(request: pytest.FixtureRequest) -> Iterator[Client]:
    if request.param == "kafka":  # two engine processes on the session's Kafka
        yield from kafka_scenario_client(request)
        return
    with connect(request.param) as c:
        yield c


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    deselect_kafka_variants(config, items)


def scenario(name: str) -> Path:
    return SCENARIOS / name


def events(client: Client, **match: Any) -> list[dict[str, Any]]:
    """EVENT records whose valueType/intent and value fields match, oldest first."""
    out = []
    for record in client.records():
        if record["recordType"] != "EVENT":
            continue
        if "valueType" in match and record["valueType"] != match["valueType"]:
            continue
        if "intent" in match and record["intent"] != match["intent"]:
            continue
        value = record["value"]
        if all(value.get(k) == v for k, v in match.items() if k not in ("valueType", "intent")):
            out.append(record)
    return out


def send_unchecked(
    client: Client, command: Record[Any], partition_id: int | None = None
) -> Record[Any]:
    """Send `command` as built, past the client's argument checks (what a client in another
    language may send), to `partition_id` or else the partition of its key (partition 1 for
    a key that names none); returns the answer, raises `RejectedError` on a rejection."""
    partition = partition_of(command.key) if partition_id is None else partition_id
    return check(client.transport.request(command, partition, 30))


def called_instance(client: Client, parent_key: int) -> dict[str, Any]:
    """The ELEMENT_ACTIVATED event of the one process instance that `parent_key` called."""
    [child] = events(
        client,
        valueType="PROCESS_INSTANCE",
        intent="ELEMENT_ACTIVATED",
        bpmnElementType="PROCESS",
        parentProcessInstanceKey=parent_key,
    )
    return child


def element_trace(client: Client, process_instance_key: int) -> list[tuple[str, str]]:
    """(elementId, intent) of every PROCESS_INSTANCE event of one instance."""
    return [
        (r["value"]["elementId"], r["intent"])
        for r in events(
            client, valueType="PROCESS_INSTANCE", processInstanceKey=process_instance_key
        )
    ]


def completed_elements(client: Client, process_instance_key: int) -> list[str]:
    return [e for e, i in element_trace(client, process_instance_key) if i == "ELEMENT_COMPLETED"]


def variables_of(client: Client, process_instance_key: int) -> dict[str, Any]:
    """The latest value of each root-scope variable of an instance, from the record stream."""
    import json

    result: dict[str, Any] = {}
    for r in events(client, valueType="VARIABLE", scopeKey=process_instance_key):
        result[r["value"]["name"]] = json.loads(r["value"]["value"])
    return result
