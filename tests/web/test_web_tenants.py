"""`honeyflow web --users`: a user sees and acts on the instances, processes, incidents and
tasks of its tenants only (docs/tenants.md). Over HTTP, on the in-process engine: tenant A's
operator lists A's instance and not B's, B's pages are 404 as if they did not exist, and
every action on B's entities is refused (404) with nothing sent; a user granted A and B sees
both; a user granted no tenant sees the default tenant's; without a login every tenant. The
last test does A's operator's part in headless Chromium (tests/web/tenants.mjs)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from clients.client import Client, connect
from clients.testing import instance_view
from clients.web.access import Access
from clients.web.app import create_app
from clients.web.assets import NPM_DIR
from clients.web.sessions import LoginThrottle
from clients.web.users_file import add_user, load
from processors.exporter.store import open_store
from tests.web.login_site import Browser
from tests.web.server_thread import serving
from tests.web.task_workload import TASKS, user_task_keys
from tests.web.test_browser import CHROMIUM, _missing
from tests.web.web_workload import ORDER, ExportingClient, export

A, B, DEFAULT = "tenant-a", "tenant-b", "<default>"
PASSWORD = "tenant-secret-1"
ACTIVE = "ELEMENT_ACTIVATED"


@dataclass
class TenantSite:
    base: str
    open_base: str
    """The same store and engine without --users."""
    client: Client
    page_client: ExportingClient
    orders: dict[str, int]
    """The waiting order instance by tenant."""
    stuck: int
    """B's order instance with an open incident."""
    incident: int
    tasks: dict[str, int]
    """The approval task by tenant."""


def _users(path: Path) -> Path:
    add_user(path, "ann", PASSWORD, ["operator"], tenants=[A])
    add_user(path, "bob", PASSWORD, ["operator"], tenants=[A, B])
    add_user(path, "dee", PASSWORD, ["operator"])
    add_user(path, "tia", PASSWORD, ["task-user"], tenants=[A], groups=["sales"])
    return path


def _workload(client: Client) -> tuple[dict[str, int], int, int, dict[str, int]]:
    orders: dict[str, int] = {}
    for tenant in (A, B, DEFAULT):
        client.deploy(ORDER, tenant_id=tenant)
        orders[tenant] = client.create_instance("order", {"orderId": 1}, tenant_id=tenant)
    client.deploy(TASKS / "expense.bpmn", tenant_id=B)  # a process only B has
    stuck = client.create_instance("order", {"orderId": 2}, tenant_id=B)
    (job,) = [
        j
        for j in client.activate_jobs("payment", max_jobs=10, timeout=3600, tenant_ids=[B])
        if j.process_instance_key == stuck
    ]
    client.fail_job(job.key, 0, "card declined")
    incident = next(
        r["key"]
        for r in client.records()
        if r["valueType"] == "INCIDENT" and r["intent"] == "CREATED"
    )
    approvals: dict[str, int] = {}
    for tenant in (A, B):
        client.deploy(TASKS / "approve.bpmn", tenant_id=tenant)
        approvals[tenant] = client.create_instance("approve", {}, tenant_id=tenant)
    keys = user_task_keys(client.records())
    return orders, stuck, incident, {t: keys[k] for t, k in approvals.items()}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TenantSite]:
    directory = tmp_path_factory.mktemp("tenants")
    store_path = directory / "visibility.db"
    with connect("memory://?partitions=2") as client:
        orders, stuck, incident, tasks = _workload(client)
        export(client, store_path)
        page_client = ExportingClient(client, store_path)
        access = Access(
            load(_users(directory / "users.json")),
            throttle=LoginThrottle(max_failures=100, failure_delay=0),
        )
        app = create_app(
            open_store(str(store_path), create=False),
            client_factory=lambda: page_client,
            engine_url="memory://",
            access=access,
        )
        open_app = create_app(open_store(str(store_path), create=False))
        with serving(app) as base, serving(open_app) as open_base:
            yield TenantSite(base, open_base, client, page_client, orders, stuck, incident, tasks)


def _browser(site: TenantSite, name: str) -> Browser:
    browser = Browser(site.base)
    assert browser.login(name, PASSWORD).status == 303
    return browser


def _linked(body: str, path: str, key: int) -> bool:
    return re.search(rf'href="{path}/{key}[?"]', body) is not None


def _state(site: TenantSite, key: int) -> str:
    return instance_view(site.client.records(), key).state


def test_an_operator_of_a_lists_a_s_instances_processes_and_incidents_only(
    site: TenantSite,
) -> None:
    ann = _browser(site, "ann")
    listed = ann.get("/instances").body
    assert _linked(listed, "/instances", site.orders[A])
    assert not _linked(listed, "/instances", site.orders[B])
    assert not _linked(listed, "/instances", site.orders[DEFAULT])
    process = ann.get("/processes/order").body
    assert _linked(process, "/instances", site.orders[A])
    assert not _linked(process, "/instances", site.orders[B])
    start = ann.get("/").body
    assert "/processes/order" in start and "/processes/expense" not in start
    assert str(site.incident) not in ann.get("/incidents?state=OPEN").body


def test_another_tenant_s_pages_are_not_found(site: TenantSite) -> None:
    ann = _browser(site, "ann")
    for path in (
        f"/instances/{site.orders[B]}",
        f"/api/instances/{site.orders[B]}/path",
        f"/api/instances/{site.orders[B]}/history",
        "/processes/expense",
        "/api/processes/expense/xml",
        "/api/processes/expense/stats",
        "/api/processes/expense/charts",
        f"/tasks/{site.tasks[B]}",
        f"/api/tasks/{site.tasks[B]}/form",
    ):
        answer = ann.get(path)
        assert answer.status == 404, (path, answer.status)
    missing = ann.get(f"/instances/{site.orders[B]}").body
    assert f"no process instance with key {site.orders[B]}" in missing


def test_the_instance_and_process_pages_show_the_tenant(site: TenantSite) -> None:
    ann = _browser(site, "ann")
    assert f'<code class="tenant">{A}</code>' in ann.get(f"/instances/{site.orders[A]}").body
    assert f'<code class="tenant">{A}</code>' in ann.get("/processes/order").body


def test_actions_on_another_tenant_s_entities_are_refused_and_nothing_is_sent(
    site: TenantSite,
) -> None:
    ann = _browser(site, "ann")
    token = ann.csrf_token("/instances")
    b, mine = site.orders[B], site.orders[A]
    calls = len(site.page_client.calls)
    for path, form in (
        (f"/instances/{b}/cancel", {"confirmed": "yes"}),
        (f"/instances/{b}/cancel", {}),  # not even the confirmation page
        (f"/instances/{b}/variables", {"confirmed": "yes", "variables": '{"a": 1}'}),
        (f"/instances/{b}/modify", {"confirmed": "yes", "activate": "ship"}),
        (f"/instances/{b}/migrate", {"confirmed": "yes", "target": "1"}),
        (f"/incidents/{site.incident}/resolve", {"retries": "1"}),
        # Its own instance's page, another tenant's element instance as the scope.
        (f"/instances/{mine}/variables", {"confirmed": "yes", "variables": "{}", "scope": str(b)}),
        ("/processes/expense/batch", {"confirmed": "yes", "action": "cancel"}),
    ):
        answer = ann.post(path, {**form, "csrf_token": token})
        assert answer.status == 404, (path, answer.status, answer.body[:300])
    assert site.page_client.calls[calls:] == []
    assert _state(site, b) == ACTIVE
    assert _state(site, site.stuck) == ACTIVE
    assert not any(
        r["valueType"] == "INCIDENT" and r["intent"] == "RESOLVED" for r in site.client.records()
    )


def test_a_batch_selects_only_the_user_s_tenants(site: TenantSite) -> None:
    ann = _browser(site, "ann")
    token = ann.csrf_token("/instances")
    confirm = ann.post("/processes/order/batch", {"action": "cancel", "csrf_token": token})
    assert confirm.status == 200
    assert _linked(confirm.body, "/instances", site.orders[A])
    assert not _linked(confirm.body, "/instances", site.orders[B])
    assert not _linked(confirm.body, "/instances", site.stuck)
    assert not _linked(confirm.body, "/instances", site.orders[DEFAULT])


def test_a_task_user_of_a_sees_and_claims_a_s_tasks_only(site: TenantSite) -> None:
    tia = _browser(site, "tia")
    tasks = tia.get("/tasks").body
    assert _linked(tasks, "/tasks", site.tasks[A])
    assert not _linked(tasks, "/tasks", site.tasks[B])
    token = tia.csrf_token("/tasks")
    calls = len(site.page_client.calls)
    for action in ("claim", "complete"):
        answer = tia.post(f"/tasks/{site.tasks[B]}/{action}", {"csrf_token": token})
        assert answer.status == 404, (action, answer.status)
    assert site.page_client.calls[calls:] == []


def test_a_user_granted_a_and_b_sees_both(site: TenantSite) -> None:
    bob = _browser(site, "bob")
    listed = bob.get("/instances").body
    assert _linked(listed, "/instances", site.orders[A])
    assert _linked(listed, "/instances", site.orders[B])
    assert not _linked(listed, "/instances", site.orders[DEFAULT])
    assert bob.get(f"/instances/{site.orders[B]}").status == 200
    assert "/processes/expense" in bob.get("/").body
    assert str(site.incident) in bob.get("/incidents?state=OPEN").body


def test_a_user_granted_no_tenant_sees_the_default_tenant_only(site: TenantSite) -> None:
    dee = _browser(site, "dee")
    listed = dee.get("/instances").body
    assert _linked(listed, "/instances", site.orders[DEFAULT])
    assert not _linked(listed, "/instances", site.orders[A])
    assert dee.get(f"/instances/{site.orders[A]}").status == 404


def test_without_a_login_every_tenant_is_shown(site: TenantSite) -> None:
    anyone = Browser(site.open_base)
    listed = anyone.get("/instances").body
    for key in site.orders.values():
        assert _linked(listed, "/instances", key)
    assert anyone.get(f"/instances/{site.orders[B]}").status == 200
    assert str(site.incident) in anyone.get("/incidents?state=OPEN").body


def test_in_chromium_a_s_operator_sees_neither_b_s_instance_nor_cancels_it(
    site: TenantSite, tmp_path: Path
) -> None:
    """The same through a real browser (tests/web/tenants.mjs); skipped where Chromium or
    the npm packages are missing, except in CI."""
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the browser tests to run: {missing}")
        pytest.skip(missing)
    args = {
        "base": site.base,
        "npmDir": str(NPM_DIR),
        "chromium": str(CHROMIUM),
        "userDataDir": str(tmp_path / "chromium-profile"),
        "user": "ann",
        "password": PASSWORD,
        "ownInstance": str(site.orders[A]),
        "foreignInstance": str(site.orders[B]),
    }
    calls = len(site.page_client.calls)
    done = subprocess.run(
        ["node", str(Path(__file__).parent / "tenants.mjs"), json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["errors"] == []
    assert f"/instances/{site.orders[A]}" in result["listed"]
    assert f"/instances/{site.orders[B]}" not in result["listed"]
    assert result["foreignPage"]["status"] == 404
    assert f"no process instance with key {site.orders[B]}" in result["foreignPage"]["text"]
    assert result["ownTenant"] == A
    assert result["cancel"]["status"] == 404
    assert site.page_client.calls[calls:] == []
    assert _state(site, site.orders[B]) == ACTIVE


def test_a_process_id_of_two_tenants_is_told_apart_by_its_tenant(site: TenantSite) -> None:
    """A and B both deployed `order` v1: `?tenant=` picks one, and an instance page's links
    to its process and diagram name its tenant."""
    bob = _browser(site, "bob")
    b_page = bob.get(f"/processes/order?tenant={B}").body
    assert f'<code class="tenant">{B}</code>' in b_page
    assert _linked(b_page, "/instances", site.orders[B])
    assert not _linked(b_page, "/instances", site.orders[A])
    assert f"/api/processes/order/xml?version=1&amp;tenant={B}" in b_page
    instance = bob.get(f"/instances/{site.orders[B]}").body
    assert f'href="/processes/order?version=1&amp;tenant={B}"' in instance
    assert f"/api/processes/order/xml?version=1&amp;tenant={B}" in instance
    assert bob.get(f"/api/processes/order/xml?version=1&tenant={B}").status == 200
    ann = _browser(site, "ann")
    assert ann.get(f"/processes/order?tenant={B}").status == 404
    assert ann.get(f"/api/processes/order/stats?tenant={B}").status == 404


def test_the_start_page_names_each_version_s_tenant(site: TenantSite) -> None:
    bob = _browser(site, "bob")
    start = bob.get("/").body
    assert "<th>Tenant</th>" in start
    for tenant in (A, B):
        assert f'href="/processes/order?version=1&amp;tenant={tenant}"' in start
    assert f'<code class="tenant">{B}</code>' in start
    assert "tenant=%3Cdefault%3E" not in start  # not granted to bob
