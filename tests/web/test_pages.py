"""The page over HTTP, without a browser: what each page shows, escaping of everything from
the store, keyset paging, errors, the guards of the resolve action, and the JSON the diagram
script reads."""

from __future__ import annotations

import html
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from clients.web.app import create_app
from clients.web.assets import WebAssets
from processors.exporter.schema import create_schema
from processors.exporter.store import open_store
from tests.web.conftest import Site
from tests.web.server_thread import serving
from tests.web.web_workload import CUSTOMER

NEXT_PAGE = re.compile(r'href="([^"]+)" class="next-page"')


def get(url: str) -> tuple[int, str, dict[str, str]]:
    try:
        with urllib.request.urlopen(url) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), dict(e.headers)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def post(url: str, form: dict[str, str], headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(form).encode(), headers=headers or {}, method="POST"
    )
    try:
        with urllib.request.build_opener(_NoRedirect).open(request) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Location") or e.read().decode()


def test_process_list_shows_counts_per_version(site: Site) -> None:
    status, body, headers = get(site.base + "/")
    assert status == 200
    assert 'href="/processes/order?version=1"' in body
    assert 'href="/processes/one_task?version=1"' in body
    # order: 3 active (1 waiting, 2 with incidents), 4 completed, 1 canceled, 2 incidents.
    row = body.split('href="/processes/order?version=1"')[1].split("</tr>")[0]
    assert '<span class="count active">3</span>' in row
    assert "<td>4</td><td>1</td>" in row
    assert '<span class="count incidents">2</span>' in row
    assert "default-src 'self'" in headers["Content-Security-Policy"]


def test_instance_page_escapes_what_comes_from_the_store(site: Site) -> None:
    key = site.workload.with_incident[1]
    status, body, _ = get(f"{site.base}/instances/{key}")
    assert status == 200
    assert "<script>window.injected" not in body and 'id="injected"' not in body
    assert "&lt;b id=\\&quot;injected\\&quot;&gt;Ada &amp; Co&lt;/b&gt;" in body
    assert f"carrier refused order {key}: no address" in body
    assert "JOB_NO_RETRIES" in body and 'name="retries"' in body
    assert CUSTOMER not in body


def test_incident_list_and_paths(site: Site) -> None:
    status, body, _ = get(site.base + "/incidents")
    assert status == 200
    for key in site.workload.incidents.values():
        assert f'data-incident-key="{key}"' in body
    key = site.workload.completed[0]
    status, text, headers = get(f"{site.base}/api/instances/{key}/path")
    path = json.loads(text)
    assert headers["Content-Type"].startswith("application/json")
    assert path == {
        "processInstanceKey": str(key),
        "state": "COMPLETED",
        "taken": ["to-fulfilled", "to-payment", "to-reserve", "to-shipping", "to-stock-check"],
        "completed": ["charge", "fulfilled", "in-stock", "placed", "reserve", "ship"],
        "terminated": [],
        "active": [],
        "incidents": [],
    }


def test_diagram_xml_is_generated_only_where_missing(site: Site) -> None:
    _, order, _ = get(site.base + "/api/processes/order/xml")
    assert order == Path("tests/web/order.bpmn").read_text()
    _, one_task, headers = get(site.base + "/api/processes/one_task/xml?version=1")
    assert headers["Content-Type"].startswith("application/xml")
    assert "one_task_honeyflow_di" in one_task and 'bpmnElement="task"' in one_task
    _, stats, _ = get(site.base + "/api/processes/order/stats")
    elements = {e["elementId"]: e for e in json.loads(stats)["elements"]}
    assert "order" not in elements
    assert elements["ship"]["active"] == 2 and elements["ship"]["incidents"] == 2


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/processes/nope", 404),
        ("/processes/order?version=7", 404),
        ("/instances/42", 404),
        ("/instances/not-a-key", 404),
        ("/instances?state=RUNNING", 400),
        ("/incidents?before=yesterday", 400),
        ("/api/processes/nope/xml", 404),
    ],
)
def test_errors_are_pages_that_say_why(site: Site, path: str, status: int) -> None:
    got, body, _ = get(site.base + path)
    assert got == status
    assert "<h1>" in body and "Honeyflow" in body


def test_resolve_guards(site: Site) -> None:
    key = next(iter(site.workload.incidents.values()))
    url = f"{site.base}/incidents/{key}/resolve"
    assert post(url, {}, {"Origin": "http://evil.example"})[0] == 403
    assert post(url, {}, {"Sec-Fetch-Site": "cross-site"})[0] == 403
    assert post(url, {"retries": "0"})[0] == 400
    assert post(url, {"retries": "lots"})[0] == 400
    assert post(url, {"retries": "\u00b2"})[0] == 400  # '²': isdigit() yes, int() no (was a 500)
    assert post(f"{site.base}/incidents/42/resolve", {})[0] == 404
    assert site.page_client.calls == []


def test_without_an_engine_the_action_says_how_to_configure_one(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "s.db"))
    create_schema(store, "t.events")
    with store.transaction() as tx:
        tx.execute(
            "INSERT INTO incidents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (7, 1, 2, "p", "e", 3, -1, "CONDITION_ERROR", "m", "OPEN", 0, None, "<default>"),
        )
    missing = WebAssets.find(tmp_path / "node_modules")
    with serving(create_app(store, assets=missing)) as base:
        status, body = post(f"{base}/incidents/7/resolve", {"next": "/incidents"})
        assert status == 503 and "--address" in body
        status, body, _ = get(base + "/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js")
        assert status == 503 and "make install" in body
        status, body, _ = get(base + "/vendor/form-js/form-viewer.umd.js")
        assert status == 503 and "@bpmn-io/form-js" in body and "make install" in body


def test_lists_are_paged_by_key_ranges(tmp_path: Path) -> None:
    """Thousands of instances: each page is one index range, and paging visits each once."""
    store = open_store(str(tmp_path / "many.db"))
    create_schema(store, "t.events")
    rows = [
        (k, 1, "bulk", 1, "ACTIVE" if k % 3 else "COMPLETED", 1000 + k // 2, None, None, 1, -1, "")
        for k in range(1, 3001)
    ]
    with store.transaction() as tx:
        tx.execute_many(
            "INSERT INTO process_instances VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
        )
    expected = sorted(
        (r for r in rows if r[4] == "ACTIVE"), key=lambda r: (r[5], r[0]), reverse=True
    )
    seen: list[int] = []
    with serving(create_app(store)) as base:
        href: str | None = "/instances?process=bulk&state=ACTIVE"
        pages = 0
        while href and pages < 3:
            status, body, _ = get(base + href)
            assert status == 200
            seen += [int(k) for k in _keys(body)]
            found = NEXT_PAGE.search(body)
            href = html.unescape(found.group(1)) if found else None
            pages += 1
    assert seen == [r[0] for r in expected[:150]]


def _keys(body: str) -> list[str]:
    return [part.split('"')[0] for part in body.split('href="/instances/')[1:]]


@pytest.mark.parametrize(
    ("error_type", "asks_for_retries"),
    [
        ("JOB_NO_RETRIES", True),
        ("EXECUTION_LISTENER_NO_RETRIES", True),
        ("EXTRACT_VALUE_ERROR", False),
    ],
)
def test_the_resolve_form_asks_for_retries_when_a_job_ran_out(
    error_type: str, asks_for_retries: bool
) -> None:
    from clients.web.incident_page import resolve_form
    from processors.exporter.views import Incident

    incident = Incident(
        incident_key=9,
        process_instance_key=1,
        bpmn_process_id="p",
        element_id="task",
        element_instance_key=2,
        job_key=3 if error_type.endswith("NO_RETRIES") else -1,
        error_type=error_type,
        error_message="down",
        state="OPEN",
        created_at=0,
        resolved_at=None,
    )
    assert ('name="retries"' in str(resolve_form(incident, "/incidents"))) is asks_for_retries


def test_form_js_is_served_from_the_npm_folder(site: Site) -> None:
    if WebAssets.find().form_js_dist is None:
        pytest.skip("no npm packages in web/ (make install)")
    status, body, headers = get(site.base + "/vendor/form-js/form-viewer.umd.js")
    assert status == 200 and "FormViewer" in body[:2000]
    assert headers["Content-Type"].startswith(("application/javascript", "text/javascript"))
    status, body, _ = get(site.base + "/vendor/form-js/assets/form-js.css")
    assert status == 200 and ".fjs-container" in body
