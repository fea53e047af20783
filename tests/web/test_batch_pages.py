"""Batch actions on a process over HTTP, against the in-process engine: the form finds what
matches the filter and asks first (nothing sent), then works through the items one command
after another and lists each item's outcome; cancel-many and resolve-many, and filters by
element and incident type."""

from __future__ import annotations

from clients.testing import instance_view
from tests.web.conftest import Site
from tests.web.test_pages import get, post


def test_resolve_many_asks_first_then_resolves_each_incident(site: Site) -> None:
    w = site.workload
    url = f"{site.base}/processes/order/batch"
    _, page, _ = get(f"{site.base}/processes/order")
    assert 'action="/processes/order/batch"' in page
    status, page = post(url, {"action": "resolve", "element": "ship", "type": "job_no_retries"})
    assert (
        status == 200 and "2 match (waiting at ship, with an open JOB_NO_RETRIES incident)" in page
    )
    for key in w.with_incident:
        assert f">{w.incidents[key]}<" in page
    assert all(instance_view(site.client.records(), k).open_incidents for k in w.with_incident)
    status, page = post(url, {"action": "resolve", "element": "reserve", "type": ""})
    assert "0 match" in page and "Nothing matches." in page
    form = {"action": "resolve", "element": "ship", "type": "JOB_NO_RETRIES", "confirmed": "yes"}
    status, page = post(url, form)
    assert status == 200 and "2 of 2 done, 0 refused" in page
    for key in w.with_incident:
        assert not instance_view(site.client.records(), key).open_incidents
    # The jobs got a retry first: they can be worked again.
    jobs = site.client.activate_jobs("shipping", max_jobs=5, timeout=60)
    assert {j.process_instance_key for j in jobs} == set(w.with_incident)


def test_cancel_many_cancels_the_active_instances_waiting_at_an_element(site: Site) -> None:
    w = site.workload
    url = f"{site.base}/processes/order/batch"
    status, page = post(url, {"action": "cancel", "element": "reserve"})
    assert status == 200 and "1 match (waiting at reserve)" in page
    status, page = post(url, {"action": "cancel", "element": "reserve", "confirmed": "yes"})
    assert status == 200 and "1 of 1 done" in page
    assert instance_view(site.client.records(), w.waiting_at_reserve[0]).state == (
        "ELEMENT_TERMINATED"
    )
    assert post(url, {"action": "delete"})[0] == 400
    assert post(url, {"action": "cancel"}, {"Origin": "http://evil.example"})[0] == 403
