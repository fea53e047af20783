"""The start page as the operator's view of the whole system: every process with its counts,
the totals in flight, the engine partitions with the engine that processes each and the
exporter's lag per partition (the partitions as clients.cluster_topology reads them; on
Kafka in test_console_kafka.py)."""

from __future__ import annotations

from typing import Any

from clients.errors import ConnectError
from clients.web.app import create_app
from processors.exporter.store import open_store
from tests.web.conftest import Site
from tests.web.server_thread import serving
from tests.web.test_pages import get

TOPOLOGY: dict[str, Any] = {
    "address": "k:9092",
    "prefix": "honeyflow.",
    "brokers": [{"nodeId": 1, "host": "k", "port": 9092}],
    "engineGroup": {"state": "STABLE", "members": 1},
    "partitions": [
        {
            "partitionId": 1,
            "leader": 1,
            "replicas": [1],
            "inSync": [1],
            "engine": {
                "memberId": "aiokafka-0.14.0-c05f43ba-da69-4c1e-9d1e-1b2c3d4e5f60",
                "clientId": "engine",
                "host": "/10.0.0.7",
            },
        },
        {"partitionId": 2, "leader": 1, "replicas": [1], "inSync": [1], "engine": None},
    ],
}


def _page(site: Site, topology: Any) -> str:
    app = create_app(open_store(str(site.store_path), create=False), topology=topology)
    with serving(app) as base:
        status, body, _ = get(base + "/")
    assert status == 200
    return body


def test_the_start_page_shows_partitions_their_engines_and_lag(site: Site) -> None:
    body = _page(site, lambda: TOPOLOGY)
    # The order process: 3 active, 2 incidents; one_task: 2 active, 1 incident.
    assert 'In flight: <span class="count active">5</span> instances' in body
    assert 'open incidents: <span class="count incidents">3</span>' in body
    assert "1 brokers · engine group STABLE with 1 engines" in body
    rows = body.split('<table class="partitions">')[1].split("</table>")[0]
    assert "<td>1</td><td>1</td><td>1</td><td>10.0.0.7 c05f43ba</td>" in rows
    assert '<td>2</td><td>1</td><td>1</td><td><span class="error-message">none</span></td>' in rows


def test_the_start_page_says_why_it_has_no_partitions(site: Site) -> None:
    assert "Start `honeyflow web` with --address" in _page(site, None)

    def unreachable() -> dict[str, Any]:
        raise ConnectError("cannot reach Kafka at k:9092")

    body = _page(site, unreachable)
    assert "The engine partitions could not be read: cannot reach Kafka at k:9092" in body
