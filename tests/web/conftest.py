"""The web tests' workload, store and server: one in-process engine and one SQLite store per
module, the page served on a free port of 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from clients.client import Client, connect
from clients.web.app import create_app
from processors.exporter.store import open_store
from tests.web.server_thread import serving
from tests.web.web_workload import ExportingClient, OrderWorkload, export, run_order_workload


@dataclass
class Site:
    base: str
    client: Client
    page_client: ExportingClient
    workload: OrderWorkload
    store_path: Path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    store_path = tmp_path_factory.mktemp("web") / "visibility.db"
    with connect("memory://?partitions=2") as client:
        workload = run_order_workload(client)
        export(client, store_path)
        page_client = ExportingClient(client, store_path)
        app = create_app(
            open_store(str(store_path), create=False),
            client_factory=lambda: page_client,
            engine_url="memory://",
        )
        with serving(app) as base:
            yield Site(base, client, page_client, workload, store_path)
