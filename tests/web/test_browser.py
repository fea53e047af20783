"""The page in a real browser: headless Chromium driven by playwright-core (tests/web/
pages.mjs) checks that the diagrams render, that badges and markers sit on the right
elements, and that resolving an incident from the page works. Skipped where Chromium or the
npm packages are missing, except in CI (`CI` set), where that is a failure."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from clients.web.assets import NPM_DIR, WebAssets
from tests.web.conftest import Site
from tests.web.web_workload import CUSTOMER, export

CHROMIUM = Path("/usr/bin/chromium")
SCRIPT = Path(__file__).parent / "pages.mjs"
ORDER_ELEMENTS = [
    "placed", "charge", "in-stock", "reserve", "ship", "fulfilled", "backorder", "backordered",
    "to-payment", "to-stock-check", "to-reserve", "to-backorder", "to-shipping", "to-fulfilled",
]  # fmt: skip


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if shutil.which("node") is None:
        return "no node on PATH"
    if not (NPM_DIR / "node_modules" / "playwright-core").is_dir():
        return f"no npm packages in {NPM_DIR} (make install)"
    return None


@pytest.fixture(scope="module")
def browser_run(site: Site, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the browser tests to run: {missing}")
        pytest.skip(missing)
    w = site.workload
    resolve_instance = w.with_incident[0]
    screenshots = os.environ.get("HONEYFLOW_SCREENSHOTS") or str(tmp_path_factory.mktemp("shots"))
    args = {
        "base": site.base,
        "npmDir": str(NPM_DIR),
        "chromium": str(CHROMIUM),
        "userDataDir": str(tmp_path_factory.mktemp("chromium-profile")),
        "screenshots": screenshots,
        "processElements": ORDER_ELEMENTS,
        "incidentInstance": str(w.with_incident[1]),
        "resolveInstance": str(resolve_instance),
        "resolveIncident": str(w.incidents[resolve_instance]),
    }
    done = subprocess.run(
        ["node", str(SCRIPT), json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    print(done.stderr)  # the steps, with times: shown when a test fails
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["screenshots"] = screenshots
    return result


def test_nothing_is_loaded_from_elsewhere_and_no_script_error(browser_run: dict[str, Any]) -> None:
    assert browser_run["foreignRequests"] == []
    assert browser_run["errors"] == []


def test_process_page_draws_the_diagram_with_badges_on_the_right_elements(
    browser_run: dict[str, Any],
) -> None:
    page = browser_run["processPage"]
    assert page["status"] == 200 and page["state"] == "ready", page
    elements = page["elements"]
    assert all(e["drawn"] for e in elements.values()), elements
    # 1 order waits at "Reserve inventory", 2 are stuck at "Ship order" with an incident.
    assert elements["reserve"]["badges"] == {"active": {"text": "1", "elementId": "reserve"}}
    assert elements["ship"]["badges"] == {
        "active": {"text": "2", "elementId": "ship"},
        "incidents": {"text": "2", "elementId": "ship"},
    }
    assert elements["fulfilled"]["badges"] == {"completed": {"text": "3", "elementId": "fulfilled"}}
    assert elements["backordered"]["badges"] == {
        "completed": {"text": "1", "elementId": "backordered"}
    }
    for quiet in ("placed", "charge", "in-stock", "backorder"):
        assert elements[quiet]["badges"] == {}, quiet
    assert not page["injected"]


def test_process_page_colours_elements_by_their_open_incidents(
    browser_run: dict[str, Any],
) -> None:
    markers = {i: e["markers"] for i, e in browser_run["processPage"]["elements"].items()}
    # Both open incidents of the order process are at "Ship order": the darkest shade.
    assert markers["ship"] == ["hf-heat-4"]
    assert all(m == [] for i, m in markers.items() if i != "ship"), markers
    auto = browser_run["autoLayoutPage"]["elements"]
    assert auto["task"]["markers"] == ["hf-heat-4"]


def test_process_page_charts_instances_per_minute_and_durations(
    browser_run: dict[str, Any],
) -> None:
    if WebAssets.find().uplot_dist is None and not os.environ.get("CI"):
        pytest.skip(f"no uplot in {NPM_DIR} (make install)")
    charts = browser_run["processPage"]["charts"]
    # 8 orders started; 3 fulfilled and 1 backordered completed (the canceled one did not).
    assert charts == {
        "state": "ready",
        "started": "8",
        "completed": "4",
        "canvases": 2,
        "titles": ["Instances per minute", "Duration of the instances completed (s)"],
    }


def test_a_process_without_diagram_data_is_laid_out(browser_run: dict[str, Any]) -> None:
    page = browser_run["autoLayoutPage"]
    assert page["state"] == "ready", page
    elements = page["elements"]
    assert all(e["drawn"] for e in elements.values()), elements
    # The visibility workload: 1 waiting + 1 with an incident at the one task.
    assert elements["task"]["badges"]["active"]["text"] == "2"
    assert elements["task"]["badges"]["incidents"]["text"] == "1"


def test_instance_page_marks_the_path_taken_and_the_incident(browser_run: dict[str, Any]) -> None:
    page = browser_run["instancePage"]
    assert page["state"] == "ready", page
    markers = {i: e["markers"] for i, e in page["elements"].items()}
    for done in ("placed", "charge", "in-stock", "reserve"):
        assert markers[done] == ["hf-completed"], (done, markers)
    for taken in ("to-payment", "to-stock-check", "to-reserve", "to-shipping"):
        assert markers[taken] == ["hf-taken"], (taken, markers)
    assert markers["ship"] == ["hf-active", "hf-incident"]
    for untouched in ("fulfilled", "backorder", "backordered", "to-backorder", "to-fulfilled"):
        assert markers[untouched] == [], (untouched, markers)
    assert page["elements"]["ship"]["badges"]["incidents"]["elementId"] == "ship"
    # Variables from the store are shown as text, never run as markup.
    assert json.dumps(CUSTOMER) in page["variablesText"]
    assert not page["injected"]


def test_resolving_an_incident_from_the_page(browser_run: dict[str, Any], site: Site) -> None:
    w = site.workload
    instance = w.with_incident[0]
    incident = str(w.incidents[instance])
    resolve = browser_run["resolve"]
    assert incident in resolve["before"]
    assert incident not in resolve["after"]
    assert resolve["url"].endswith(f"/incidents?resolved={incident}")
    assert f"Incident {incident} resolved" in resolve["notice"]
    # JOB_NO_RETRIES: the job got its retries back first, then the incident was resolved.
    assert site.page_client.calls == [
        ("update_job_retries", w.jobs[instance]),
        ("resolve_incident", int(incident)),
    ]
    after = browser_run["afterResolve"]
    assert after["elements"]["ship"]["markers"] == ["hf-active"]
    assert "RESOLVED" in after["incidentsText"] or "resolved" in after["incidentsText"]

    # The instance goes on: its shipping job can be worked again and the order completes.
    jobs = site.client.activate_jobs("shipping", max_jobs=5, timeout=60)
    job = next(j for j in jobs if j.process_instance_key == instance)
    site.client.complete_job(job.key, {"trackingNumber": "T-2"})
    export(site.client, site.store_path)
    with urllib.request.urlopen(f"{site.base}/api/instances/{instance}/path") as response:
        path = json.load(response)
    assert path["state"] == "COMPLETED"
    assert {"ship", "fulfilled"} <= set(path["completed"])
    assert path["incidents"] == []


def test_screenshots_were_taken(browser_run: dict[str, Any]) -> None:
    for name in ("process-page.png", "instance-page.png"):
        assert (Path(browser_run["screenshots"]) / name).stat().st_size > 10_000
