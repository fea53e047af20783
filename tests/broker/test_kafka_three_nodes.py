"""Three Kafka nodes survive the loss of one: acks=all with min.insync.replicas=2 keeps every
record, and the killed node comes back and rejoins the in-sync replicas."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from broker.kafka_cluster import LocalCluster
from tests.conftest import pids_of

pytestmark = [pytest.mark.kafka, pytest.mark.cluster, pytest.mark.slow]

TOPIC = "durable"
PARTITIONS = 3


class Collector(threading.Thread):
    """Consumes TOPIC in the background until stopped, keeping every value it sees."""

    def __init__(self, bootstrap: str) -> None:
        super().__init__(daemon=True)
        self.values: list[str] = []
        self.stop_event = threading.Event()
        self.consumer = Consumer(
            {
                "bootstrap.servers": bootstrap,
                "group.id": "durable-readers",
                "auto.offset.reset": "earliest",
                "isolation.level": "read_committed",
            }
        )

    def run(self) -> None:
        self.consumer.subscribe([TOPIC])
        while not self.stop_event.is_set():
            msg = self.consumer.poll(0.5)
            if msg is not None and msg.error() is None:
                self.values.append(msg.value().decode())
        self.consumer.close()


def produce(producer: Producer, start: int, count: int) -> None:
    failures: list[str] = []

    def on_delivery(err: object, _msg: object) -> None:
        if err is not None:
            failures.append(str(err))

    for i in range(start, start + count):
        producer.produce(TOPIC, str(i).encode(), key=str(i % 17).encode(), on_delivery=on_delivery)
        producer.poll(0)
    assert producer.flush(120) == 0
    assert failures == []


def in_sync_everywhere(admin: AdminClient, node_id: int) -> bool:
    partitions = admin.list_topics(TOPIC, timeout=10).topics[TOPIC].partitions.values()
    return all(node_id in p.isrs for p in partitions)


def test_losing_one_broker_loses_no_record(tmp_path: Path) -> None:
    cluster = LocalCluster(tmp_path / "kafka3")
    spec = cluster.up(3, base_port=0)
    try:
        assert spec.replication_factor == 3 and spec.min_insync_replicas == 2
        bootstrap = spec.bootstrap
        admin = AdminClient({"bootstrap.servers": bootstrap})
        topic = NewTopic(TOPIC, PARTITIONS, 3, config={"min.insync.replicas": "2"})
        for future in admin.create_topics([topic]).values():
            future.result(timeout=60)

        producer = Producer(
            {
                "bootstrap.servers": bootstrap,
                "acks": "all",
                "enable.idempotence": True,
                "message.timeout.ms": 120000,
            }
        )
        collector = Collector(bootstrap)
        collector.start()

        produce(producer, 0, 500)
        victim = 2
        cluster.stop_node(victim, kill=True)  # SIGKILL: no controlled shutdown
        assert [n.up for n in cluster.status()] == [True, False, True]
        produce(producer, 500, 500)  # two replicas left: still accepted with acks=all

        cluster.up(3)  # restarts the node that is down
        assert all(n.up for n in cluster.status())
        deadline = time.monotonic() + 120
        while not in_sync_everywhere(admin, victim):
            assert time.monotonic() < deadline, "the restarted node did not rejoin the ISR"
            time.sleep(1)
        produce(producer, 1000, 200)

        deadline = time.monotonic() + 120
        while len(collector.values) < 1200 and time.monotonic() < deadline:
            time.sleep(0.5)
        collector.stop_event.set()
        collector.join(30)
        # Nothing lost, nothing written twice (the producer is idempotent).
        assert sorted(collector.values, key=int) == [str(i) for i in range(1200)]
    finally:
        cluster.down()
    assert pids_of(tmp_path / "kafka3") == []
