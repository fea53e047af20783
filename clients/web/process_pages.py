"""The process list (`/`), one process (`/processes/<id>`: its diagram with counts per
element, and its instances) and the instance list (`/instances`)."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from clients.cluster_topology import short_member
from clients.display import duration, timestamp
from clients.web.batch_routes import batch_form
from clients.web.html import Markup, html, join, url
from clients.web.page_frame import (
    count,
    diagram_container,
    link,
    page,
    pager,
    state_badge,
    table,
    tenant_text,
)
from clients.web.tenant_scope import DEFAULT_TENANT
from processors.exporter.views import InstanceSummary, PartitionLag, ProcessStats

PAGE_SIZE = 50
_STATE_FILTERS = (
    (None, "All"),
    ("ACTIVE", "Active"),
    ("COMPLETED", "Completed"),
    ("CANCELED", "Canceled"),
)


def processes_page(
    stats: Sequence[ProcessStats],
    lags: Sequence[PartitionLag],
    partitions: Mapping[str, Any] | str | None = None,
    tenants: Mapping[int, str] | None = None,
) -> str:
    """The start page: every process version with its counts (and its tenant, from
    `tenants` by definition key, once any is not the default one), the totals in flight, the
    engine partitions with the engine that processes each (`partitions`: what
    clients.cluster_topology reads, an error text, or None without a cluster) and the
    exporter's lag per partition."""
    tenant_of = tenants or {}
    named = any(t != DEFAULT_TENANT for t in tenant_of.values())

    def tenant(s: ProcessStats) -> str | None:
        return tenant_of.get(s.process_definition_key) if named else None

    rows = [
        (
            link(
                url("/processes", s.bpmn_process_id, version=s.version, tenant=tenant(s)),
                s.bpmn_process_id,
            ),
            *((html('<code class="tenant">{t}</code>', t=tenant(s) or ""),) if named else ()),
            s.version,
            count(s.active, "active"),
            s.completed,
            s.canceled,
            count(s.incidents, "incidents"),
            duration(s.duration_mean_ms),
            duration(s.duration_p50_ms),
            duration(s.duration_p95_ms),
        )
        for s in stats
    ]
    body = html(
        '<h1>Processes</h1><p class="summary in-flight">In flight: {active} instances ·'
        " open incidents: {incidents}</p>{table}"
        '<h2>Engine partitions</h2>{partitions}<p class="lag">{lag}</p>',
        active=count(sum(s.active for s in stats), "active"),
        incidents=count(sum(s.incidents for s in stats), "incidents"),
        partitions=_partitions(partitions, lags),
        table=table(
            (
                "Process",
                *(("Tenant",) if named else ()),
                "Version",
                "Active",
                "Completed",
                "Canceled",
                "Incidents",
                "Mean",
                "p50",
                "p95",
            ),
            rows,
            css="processes",
            empty="No process deployed yet (or the exporter has not read the log).",
        ),
        lag=lag_line(lags),
    )
    return page("Processes", body)


def _partitions(found: Mapping[str, Any] | str | None, lags: Sequence[PartitionLag]) -> Markup:
    if found is None:
        return html(
            '<p class="hint">{t}</p>',
            t="Start `honeyflow web` with --address to see the engine partitions and their owners.",
        )
    if isinstance(found, str):
        return html('<p class="error-message">{t}</p>', t=found)
    lag_of = {lag.partition_id: lag.lag for lag in lags}
    group = found["engineGroup"]
    rows = [
        (
            p["partitionId"],
            p["leader"],
            ",".join(map(str, p["inSync"])),
            f"{p['engine']['host'].lstrip('/')} {short_member(p['engine']['memberId'])}"
            if p["engine"]
            else html('<span class="error-message">{t}</span>', t="none"),
            lag_of.get(p["partitionId"], "-"),
        )
        for p in found["partitions"]
    ]
    return html(
        '<p class="summary">{n} brokers · engine group {state} with {members} engines</p>{t}',
        n=len(found["brokers"]),
        state=group["state"],
        members=group["members"],
        t=table(
            ("Partition", "Kafka leader", "In sync", "Engine", "Exporter lag"),
            rows,
            css="partitions",
        ),
    )


def lag_line(lags: Sequence[PartitionLag]) -> str:
    if not lags:
        return "Exporter: nothing exported yet."
    age = time.time() - max(lag.updated_at for lag in lags) / 1000
    parts = ", ".join(f"partition {lag.partition_id}: {lag.lag}" for lag in lags)
    return f"Exporter lag (records behind): {parts}; last update {age:.0f} s ago."


CHART_HOURS = 3
UPLOT_JS = "/vendor/uplot/uPlot.iife.min.js"
UPLOT_CSS = "/vendor/uplot/uPlot.min.css"


def process_page(
    process: ProcessStats,
    versions: Sequence[int],
    instances: Sequence[InstanceSummary],
    state: str | None,
    paged: bool,
    tenant: str | None = None,
    tenant_asked: str | None = None,
) -> str:
    """`tenant`: the version's tenant, shown; `tenant_asked`: the page's `?tenant=`, which
    its links keep."""
    pid, version = process.bpmn_process_id, process.version
    t = tenant_asked
    version_links = join(
        link(url("/processes", pid, version=v, tenant=t), f"v{v}", _current(v == version))
        for v in versions
    )
    state_links = join(
        link(
            url("/processes", pid, version=version, state=s, tenant=t), label, _current(s == state)
        )
        for s, label in _STATE_FILTERS
    )
    body = html(
        '<h1>{pid} <span class="version">v{version}</span></h1>'
        '<p class="versions">Versions: {versions}{tenant}</p>'
        '<p class="summary">Active {active} · Completed {completed} · Canceled {canceled}'
        " · Open incidents {incidents}</p>{diagram}"
        '<h2>The last {hours} hours</h2><div id="charts" class="charts" data-charts="{charts}">'
        '<p class="charts-status">Loading the charts…</p></div>'
        "<h2>Batch actions <small>(all versions)</small></h2>{batch}"
        "<h2>Instances <small>(all versions)</small></h2>"
        '<p class="filters">{states}</p>{table}{pager}',
        pid=pid,
        version=version,
        versions=version_links,
        tenant=tenant_text(tenant),
        active=count(process.active, "active"),
        completed=process.completed,
        canceled=process.canceled,
        incidents=count(process.incidents, "incidents"),
        diagram=diagram_container(
            url("/api/processes", pid, "xml", version=version, tenant=t),
            stats_href=url("/api/processes", pid, "stats", version=version, tenant=t),
        ),
        hours=CHART_HOURS,
        batch=batch_form(pid),
        charts=url("/api/processes", pid, "charts", version=version, hours=CHART_HOURS, tenant=t),
        states=state_links,
        table=instance_table(instances, show_process=False),
        pager=_pager(f"/processes/{pid}", instances, paged, version=version, state=state, tenant=t),
    )
    return page(
        f"{pid} v{version}",
        body,
        diagram=True,
        extra_styles=[UPLOT_CSS],
        extra_scripts=[UPLOT_JS, "/static/honeyflow-charts.js"],
    )


def instances_page(
    instances: Sequence[InstanceSummary], state: str | None, process_id: str | None, paged: bool
) -> str:
    state_links = join(
        link(url("/instances", process=process_id, state=s), label, _current(s == state))
        for s, label in _STATE_FILTERS
    )
    body = html(
        '<h1>Instances</h1><p class="filters">{states}</p>{table}{pager}',
        states=state_links,
        table=instance_table(instances, show_process=True),
        pager=_pager("/instances", instances, paged, process=process_id, state=state),
    )
    return page("Instances", body)


def instance_table(instances: Sequence[InstanceSummary], *, show_process: bool) -> Markup:
    headers = ["Instance", "Version", "State", "Started", "Ended", "Duration", "Incidents"]
    if show_process:
        headers.insert(1, "Process")
    rows = []
    for i in instances:
        row: list[object] = [
            link(url("/instances", i.process_instance_key), i.process_instance_key),
            i.version,
            state_badge(i.state),
            timestamp(i.start_time),
            timestamp(i.end_time),
            duration(i.duration_ms),
            count(i.open_incidents, "incidents") if i.open_incidents else "",
        ]
        if show_process:
            row.insert(1, link(url("/processes", i.bpmn_process_id), i.bpmn_process_id))
        rows.append(row)
    return table(headers, rows, css="instances", empty="No instances.")


def _pager(path: str, instances: Sequence[InstanceSummary], paged: bool, **query: object) -> Markup:
    """A full page may have a next one; the link carries where this page ended."""
    next_href = None
    if len(instances) == PAGE_SIZE:
        last = instances[-1]
        next_href = url(path, **query, before=f"{last.start_time}:{last.process_instance_key}")
    return pager(next_href, url(path, **query) if paged else None)


def _current(selected: bool) -> str:
    return "current" if selected else ""
