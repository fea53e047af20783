"""A just-created job topic is used only once its leaders take writes.

A broker names a new partition's leader in its metadata answers before it has made itself
that leader, and a produce in between is answered NotLeaderForPartition: under load the first
job of a new type then stood still for the producer's request timeout (40 s,
docs/kafka-runtime.md). `_await_leaders` waits until each leader answers for the partition."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.protocol.offset import OffsetRequest
from confluent_kafka.admin import AdminClient, NewTopic

from processors.kafka.runtime import _await_leaders

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(120)]

NOT_LEADER_OR_FOLLOWER = 6


def test_a_new_topic_is_used_once_its_leaders_take_writes(
    kafka_bootstrap: str, unique_name: str
) -> None:
    topic = unique_name + ".jobs.fresh"
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    for future in admin.create_topics([NewTopic(topic, 2, 1)]).values():
        future.result(30)

    async def scenario() -> tuple[bool, int]:
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
        await producer.start()
        try:
            client = producer.client
            real_send = client.send
            leader_ready = asyncio.Event()
            asked = 0

            async def send(node_id: int, request: Any, **kwargs: Any) -> Any:
                # The broker as it is between publishing the topic and becoming its leader:
                # the metadata names a leader, the leader answers NotLeaderForPartition.
                nonlocal asked
                if isinstance(request, OffsetRequest) and not leader_ready.is_set():
                    asked += 1
                    return SimpleNamespace(
                        topics=[
                            (name, [(p, NOT_LEADER_OR_FOLLOWER, -1, -1) for p, _ in partitions])
                            for name, partitions in request._topics
                        ]
                    )
                return await real_send(node_id, request, **kwargs)

            client.send = send
            becomes_leader = asyncio.get_running_loop().call_later(0.5, leader_ready.set)
            await _await_leaders(producer, [topic])
            becomes_leader.cancel()
            return leader_ready.is_set(), asked
        finally:
            await producer.stop()

    ready, asked = asyncio.run(scenario())
    assert ready, "the topic was used while its leader answered NotLeaderForPartition"
    assert asked > 0
