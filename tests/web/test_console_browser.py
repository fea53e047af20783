"""The operator's console in headless Chromium (tests/web/console.mjs) against the in-process
engine: the time-travel slider redraws the diagram, variables and incidents as they were
after the record chosen; setting a variable, modifying by clicking the diagram and
cancelling each go through the confirmation page and show the records written. Skipped
where Chromium or the npm packages are missing, except in CI. HONEYFLOW_SCREENSHOTS=DIR
keeps the screenshots (docs/images has them)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from clients.instance_history import instance_history
from clients.testing import instance_view
from clients.web.assets import NPM_DIR
from tests.web.conftest import Site
from tests.web.test_browser import CHROMIUM, ORDER_ELEMENTS, _missing
from tests.web.web_workload import ORDER, export

SCRIPT = Path(__file__).parent / "console.mjs"


@pytest.fixture(scope="module")
def console_run(site: Site, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the browser tests to run: {missing}")
        pytest.skip(missing)
    w = site.workload
    travel = w.with_incident[1]
    steps = instance_history(site.client.records(), travel)
    charge = next(
        s.index for s in steps if (s.element_id, s.intent) == ("charge", "ELEMENT_ACTIVATED")
    )
    v2 = tmp_path_factory.mktemp("v2") / "order.bpmn"
    v2.write_text(ORDER.read_text().replace('name="Ship order"', 'name="Ship order (v2)"'))
    target = site.client.deploy(v2).processes[0].process_definition_key
    export(site.client, site.store_path)
    screenshots = os.environ.get("HONEYFLOW_SCREENSHOTS") or str(tmp_path_factory.mktemp("shots"))
    args = {
        "base": site.base,
        "npmDir": str(NPM_DIR),
        "chromium": str(CHROMIUM),
        "userDataDir": str(tmp_path_factory.mktemp("chromium-profile")),
        "screenshots": screenshots,
        "elements": ORDER_ELEMENTS,
        "travelInstance": str(travel),
        "chargeStep": charge,
        "variablesInstance": str(w.with_incident[0]),
        "modifyInstance": str(w.waiting_at_reserve[0]),
        "migrateInstance": str(w.with_incident[0]),
        "migrateTarget": str(target),
    }
    done = subprocess.run(
        ["node", str(SCRIPT), json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    print(done.stderr)
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["screenshots"] = screenshots
    result["steps"] = len(steps)
    return result


def test_nothing_from_elsewhere_and_no_script_error(console_run: dict[str, Any]) -> None:
    assert console_run["foreignRequests"] == []
    assert console_run["errors"] == []


def test_the_slider_shows_the_instance_after_the_record_chosen(console_run: dict[str, Any]) -> None:
    travel = console_run["travel"]
    assert travel["max"] == str(console_run["steps"] - 1)
    last = travel["last"]["elements"]
    assert last["ship"]["markers"] == ["hf-active", "hf-incident"]
    assert last["charge"]["markers"] == ["hf-completed"]
    assert last["to-shipping"]["markers"] == ["hf-taken"]
    assert "INCIDENT CREATED ship" in travel["last"]["record"]
    assert "JOB_NO_RETRIES" in travel["last"]["incidents"]
    # Back at "charge" activated: the token there, nothing after it, no incident yet.
    at = travel["atCharge"]
    assert at["elements"]["charge"]["markers"] == ["hf-active"]
    assert at["elements"]["charge"]["badges"] == ["1"]
    assert at["elements"]["placed"]["markers"] == ["hf-completed"]
    assert at["elements"]["to-payment"]["markers"] == ["hf-taken"]
    for later in ("ship", "reserve", "in-stock", "to-stock-check"):
        assert at["elements"][later] == {"markers": [], "badges": []}, later
    assert "PROCESS_INSTANCE ELEMENT_ACTIVATED charge" in at["record"]
    assert "orderId" in at["variables"] and "paymentId" not in at["variables"]
    assert "None." in at["incidents"]


def test_setting_a_variable_from_the_page(console_run: dict[str, Any], site: Site) -> None:
    outcome = console_run["variables"]
    assert '"shippingAddress": "1 Main St"' in outcome["details"]
    assert "done" in outcome["notice"]
    assert outcome["records"][0][4:6] == ["VARIABLE", "CREATED"]
    key = site.workload.with_incident[0]
    assert instance_view(site.client.records(), key).variables["shippingAddress"] == "1 Main St"


def test_modifying_by_clicking_the_diagram(console_run: dict[str, Any], site: Site) -> None:
    assert console_run["modifyPicked"] == {"activate": "ship", "terminate": ["reserve"]}
    outcome = console_run["modify"]
    assert "add tokens at ship, terminate 1 element instances" in outcome["question"]
    done = [(r[5], r[6]) for r in outcome["records"]]
    assert ("ELEMENT_TERMINATED", "reserve") in done and ("ELEMENT_ACTIVATED", "ship") in done
    view = instance_view(site.client.records(), site.workload.waiting_at_reserve[0])
    assert view.waiting_at == ["ship"]


def test_migrating_with_the_mapping_form(console_run: dict[str, Any], site: Site) -> None:
    assert console_run["migrateMapping"] == [["map.ship", "ship"]]
    outcome = console_run["migrate"]
    assert '"ship": "ship"' in outcome["details"]
    done = [(r[4], r[5], r[6]) for r in outcome["records"]]
    assert ("PROCESS_INSTANCE", "ELEMENT_MIGRATED", "ship") in done
    assert ("INCIDENT", "MIGRATED", "ship") in done
    steps = instance_history(site.client.records(), site.workload.with_incident[0])
    assert steps[-1].after.version == 2 and steps[-1].after.incidents


def test_cancelling_from_the_page(console_run: dict[str, Any], site: Site) -> None:
    outcome = console_run["cancel"]
    assert "Cancel process instance" in outcome["question"]
    assert "terminated" in outcome["state"]
    view = instance_view(site.client.records(), site.workload.with_incident[1])
    assert view.state == "ELEMENT_TERMINATED"


def test_console_screenshots_were_taken(console_run: dict[str, Any]) -> None:
    for name in ("console-time-travel.png", "console-confirm.png", "console-modify.png",
                 "console-migrate.png"):  # fmt: skip
        assert (Path(console_run["screenshots"]) / name).stat().st_size > 10_000
