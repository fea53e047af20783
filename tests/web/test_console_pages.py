"""The operator's console over HTTP, against the in-process engine: the history the
time-travel slider reads, and the instance actions (cancel, set variables, modify), each
first a confirmation page that sends nothing, then the command and the records it wrote (or
the engine's rejection). The same actions in a browser: test_console_browser.py."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from clients.testing import instance_view
from tests.web.conftest import Site
from tests.web.test_pages import get, post
from tests.web.web_workload import ORDER, export


def history(site: Site, key: int) -> list[dict[str, Any]]:
    status, body, _ = get(f"{site.base}/api/instances/{key}/history")
    assert status == 200, body
    found = json.loads(body)
    assert found["processInstanceKey"] == str(key)
    steps: list[dict[str, Any]] = found["steps"]
    return steps


def hidden_fields(page: str) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page):
        fields.setdefault(html.unescape(name), []).append(html.unescape(value))
    return fields


def state_of(site: Site, key: int) -> str:
    return instance_view(site.client.records(), key).state


def test_history_gives_each_record_with_the_instance_after_it(site: Site) -> None:
    key = site.workload.with_incident[1]
    steps = history(site, key)
    assert [s["index"] for s in steps] == list(range(len(steps)))
    last = steps[-1]
    assert (last["valueType"], last["intent"], last["elementId"]) == ("INCIDENT", "CREATED", "ship")
    assert [i["elementId"] for i in last["after"]["incidents"]] == ["ship"]
    assert [e["elementId"] for e in last["after"]["active"]] == ["ship"]
    assert last["after"]["taken"] == ["to-payment", "to-stock-check", "to-reserve", "to-shipping"]
    charge = next(
        s for s in steps if s["elementId"] == "charge" and s["intent"] == "ELEMENT_ACTIVATED"
    )
    assert [e["elementId"] for e in charge["after"]["active"]] == ["charge"]
    assert charge["after"]["incidents"] == []
    assert "paymentId" not in [v["name"] for v in charge["after"]["variables"]]
    status, _, _ = get(f"{site.base}/api/instances/42/history")
    assert status == 404


def test_instance_page_has_the_slider_and_the_actions_of_an_active_instance(site: Site) -> None:
    key = site.workload.with_incident[1]
    status, body, _ = get(f"{site.base}/instances/{key}")
    assert status == 200
    assert f'data-history="/api/instances/{key}/history"' in body
    assert f'action="/instances/{key}/cancel"' in body and 'id="modify-form"' in body
    assert f'<option value="{key}">the instance ({key})</option>' in body
    assert "ship (" in body  # the active element instance is a scope to choose
    assert '<script src="/static/honeyflow-console.js"></script>' in body
    done = site.workload.completed[0]
    _, body, _ = get(f"{site.base}/instances/{done}")
    assert "No actions: the instance is COMPLETED." in body and "cancel" not in body.lower()


def test_cancel_asks_first_then_shows_the_records_it_wrote(site: Site) -> None:
    key = site.workload.waiting_at_reserve[0]
    url = f"{site.base}/instances/{key}/cancel"
    status, page = post(url, {})
    assert status == 200 and "Yes, do it" in page and f"Cancel process instance {key}?" in page
    assert state_of(site, key) == "ELEMENT_ACTIVATED"  # nothing sent yet
    assert post(url, {"confirmed": "yes"}, {"Origin": "http://evil.example"})[0] == 403
    status, page = post(url, {**{k: v[0] for k, v in hidden_fields(page).items()}})
    assert status == 200, page
    assert "done. The engine wrote these records." in page
    assert "<td>ELEMENT_TERMINATED</td><td>reserve</td>" in page
    assert "After them the instance is terminated" in page
    assert state_of(site, key) == "ELEMENT_TERMINATED"
    # Again: the engine's rejection, shown.
    status, page = post(url, {"confirmed": "yes"})
    assert status == 409 and "The engine refused" in page and "NOT_FOUND" in page


def test_set_variables_checks_the_json_then_sets_them_in_the_chosen_scope(site: Site) -> None:
    key = site.workload.with_incident[0]
    url = f"{site.base}/instances/{key}/variables"
    status, page = post(url, {"scope": str(key), "variables": '{"address": '})
    assert status == 400 and "variables is not valid JSON" in page
    status, page = post(url, {"scope": str(key), "variables": "[1, 2]"})
    assert status == 400 and "must be a JSON object" in page
    form = {"scope": str(key), "variables": '{"shippingAddress": "1 Main St"}'}
    status, page = post(url, form)
    assert status == 200 and "&quot;shippingAddress&quot;: &quot;1 Main St&quot;" in page
    fields = hidden_fields(page)
    assert fields["variables"] == [form["variables"]] and fields["confirmed"] == ["yes"]
    status, page = post(url, {**form, "confirmed": "yes"})
    assert status == 200, page
    assert "<td>VARIABLE</td><td>CREATED</td>" in page
    assert instance_view(site.client.records(), key).variables["shippingAddress"] == "1 Main St"
    # Local to the element instance with the incident.
    ship = next(
        e["key"] for e in history(site, key)[-1]["after"]["active"] if e["elementId"] == "ship"
    )
    status, page = post(
        url, {"scope": ship, "local": "1", "variables": '{"carrier": "ups"}', "confirmed": "yes"}
    )
    assert status == 200, page
    last = history(site, key)[-1]["after"]["variables"]
    assert {"scopeKey": ship, "name": "carrier", "value": "ups"} in last


def test_modify_moves_a_token_and_a_refused_one_shows_why(site: Site) -> None:
    key = site.workload.with_incident[1]
    ship = next(
        e["key"] for e in history(site, key)[-1]["after"]["active"] if e["elementId"] == "ship"
    )
    url = f"{site.base}/instances/{key}/modify"
    assert post(url, {})[0] == 400  # nothing picked
    status, page = post(url, {"activate": "nope", "confirmed": "yes"})
    assert status == 409 and "The engine refused" in page and "nope" in page
    form = {"activate": "fulfilled", "terminate": ship, "pick": "activate"}
    status, page = post(url, form)
    assert status == 200 and "add tokens at fulfilled, terminate 1 element instances?" in page
    status, page = post(url, {**form, "confirmed": "yes"})
    assert status == 200, page
    assert "<td>ELEMENT_TERMINATED</td><td>ship</td>" in page
    assert "<td>INCIDENT</td><td>RESOLVED</td>" in page
    assert state_of(site, key) == "ELEMENT_COMPLETED"


def test_migrate_to_another_version_with_the_mapping_form(site: Site, tmp_path: Path) -> None:
    key = site.workload.with_incident[0]
    v2 = tmp_path / "order.bpmn"
    v2.write_text(ORDER.read_text().replace('name="Ship order"', 'name="Ship order (v2)"'))
    target = site.client.deploy(v2).processes[0].process_definition_key
    export(site.client, site.store_path)
    status, body, _ = get(f"{site.base}/instances/{key}")
    assert f'<option value="{target}">order v2 ({target})</option>' in body
    assert '<input name="map.ship" value="ship"' in body
    url = f"{site.base}/instances/{key}/migrate"
    status, page = post(url, {"target": str(target), "map.ship": "nope", "confirmed": "yes"})
    assert status == 409 and "The engine refused" in page
    form = {"target": str(target), "map.ship": "ship"}
    status, page = post(url, form)
    assert status == 200 and f"to process definition {target}" in page
    assert "&quot;ship&quot;: &quot;ship&quot;" in page
    status, page = post(url, {**form, "confirmed": "yes"})
    assert status == 200, page
    assert "<td>ELEMENT_MIGRATED</td><td>ship</td>" in page
    assert "<td>INCIDENT</td><td>MIGRATED</td>" in page
    assert history(site, key)[-1]["after"]["version"] == 2
