"""The local Kafka launcher's pure parts: cluster ids and the Java version check."""

from __future__ import annotations

from broker.kafka_cluster import _new_cluster_id
from broker.kafka_dist import _java_major


def test_cluster_ids_never_look_like_options() -> None:
    ids = {_new_cluster_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(len(i) == 22 and not i.startswith("-") for i in ids)


def test_java_versions_are_read_from_java_version_output() -> None:
    assert _java_major('openjdk version "17.0.15" 2025-04-15') == 17
    assert _java_major('openjdk version "25" 2025-09-16') == 25
    assert _java_major('java version "1.8.0_412"') == 8
    assert _java_major("no quotes here") is None
