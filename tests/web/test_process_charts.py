"""The numbers behind a process page's charts (clients/web/process_charts.py) and the JSON the
chart script reads: per minute over the window, instances started and completed and the
nearest-rank p50 / p95 / p99 of the durations of those completed."""

from __future__ import annotations

import json

from clients.web.process_charts import chart_series, percentile
from tests.web.conftest import Site
from tests.web.test_pages import get

MINUTE = 60_000
NOW = 1_700_000_000_000 // MINUTE * MINUTE + 30_000  # half a minute into a minute


def test_nearest_rank_percentiles() -> None:
    values = list(range(1, 101))
    assert [percentile(values, p) for p in (50, 95, 99)] == [50, 95, 99]
    assert percentile([7], 99) == 7 and percentile([], 50) is None


def test_instances_are_counted_in_the_minute_they_started_and_ended() -> None:
    rows = [
        (NOW - 5 * MINUTE, NOW - 2 * MINUTE, 3 * MINUTE),  # started 5 min ago, ended 2 min ago
        (NOW - 2 * MINUTE, NOW - 2 * MINUTE + 1_000, 1_000),
        (NOW - 1_000, None, None),  # running
        (NOW - 3 * 3_600_000, NOW - 1_000, 3 * 3_600_000 - 1_000),  # started before the window
    ]
    s = chart_series(rows, NOW, 1)
    assert len(s["minutes"]) == 60 and s["minutes"][-1] * 1000 == NOW - 30_000
    assert sum(s["started"]) == 3 and s["started"][-1] == 1 and s["started"][-6] == 1
    assert s["completed"][-3] == 2 and s["completed"][-1] == 1 and sum(s["completed"]) == 3
    assert s["p50"][-3] == 1_000 and s["p99"][-3] == 3 * MINUTE
    assert s["p50"][-4] is None  # no instance completed that minute


def test_the_chart_json_of_a_process(site: Site) -> None:
    status, body, _ = get(f"{site.base}/api/processes/order/charts?hours=2")
    assert status == 200, body
    charts = json.loads(body)
    assert charts["hours"] == 2 and len(charts["minutes"]) == 120
    assert sum(charts["started"]) == 8 and sum(charts["completed"]) == 4
    assert all(v is None or v > 0 for v in charts["p95"])
    assert any(v is not None for v in charts["p50"])
    assert get(f"{site.base}/api/processes/order/charts?hours=0")[0] == 400
    assert get(f"{site.base}/api/processes/nope/charts")[0] == 404
    _, page, _ = get(f"{site.base}/processes/order")
    assert 'data-charts="/api/processes/order/charts?version=1&amp;hours=3"' in page
    assert '<script src="/vendor/uplot/uPlot.iife.min.js"></script>' in page
