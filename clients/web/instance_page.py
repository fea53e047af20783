"""One instance (`/instances/<key>`): the diagram with the path taken and the incident marked,
where it waits, its incidents (with the resolve action), user tasks, decisions evaluated
(with the rules that matched), variables, jobs, path and audit records; and `path_markers`,
what the diagram script marks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from clients.display import duration, timestamp
from clients.web.console_pages import actions_section, time_travel_section
from clients.web.decision_table import decision_table
from clients.web.html import Markup, html, join, url
from clients.web.incident_page import incident_table
from clients.web.page_frame import (
    diagram_container,
    link,
    page,
    state_badge,
    table,
    tenant_text,
)
from clients.web.task_pages import TaskView, user_task_table
from processors.exporter.decision_queries import EvaluatedDecisionRow
from processors.exporter.views import InstanceDetail, ProcessDefinition


def instance_page(
    detail: InstanceDetail,
    notice: Markup | None = None,
    user_tasks: Sequence[TaskView] = (),
    decisions: Sequence[EvaluatedDecisionRow] = (),
    definitions: Sequence[ProcessDefinition] = (),
    tenant: str | None = None,
) -> str:
    i = detail.instance
    waiting = join(
        html("<code>{id}</code> ({type}) ", id=e.element_id, type=e.bpmn_element_type)
        for e in detail.waiting_at
    )
    open_incidents = [n for n in detail.incidents if n.state == "OPEN"]
    body = html(
        "<h1>Instance {key}</h1>"
        '<p class="summary">{process}{tenant} · {state} · started {start}{end}</p>'
        '<p class="waiting">Waiting at: {waiting}</p>{diagram}'
        "<h2>Time travel</h2>{time_travel}"
        "<h2>Actions</h2>{actions}"
        "<h2>Incidents</h2>{incidents}"
        "<h2>User tasks</h2>{user_tasks}"
        "<h2>Decisions</h2>{decisions}"
        "<h2>Variables</h2>{variables}"
        "<h2>Jobs</h2>{jobs}"
        "<h2>Path</h2>{path}"
        "<details><summary>Audit records ({audit_count})</summary>{audit}</details>",
        key=i.process_instance_key,
        process=link(
            url("/processes", i.bpmn_process_id, version=i.version, tenant=tenant),
            f"{i.bpmn_process_id} v{i.version}",
        ),
        tenant=tenant_text(tenant),
        state=state_badge(i.state),
        start=timestamp(i.start_time),
        end=(
            html(", ended {end} after {d}", end=timestamp(i.end_time), d=duration(i.duration_ms))
            if i.end_time is not None
            else Markup("")
        ),
        waiting=waiting or "-",
        diagram=diagram_container(
            url("/api/processes", i.bpmn_process_id, "xml", version=i.version, tenant=tenant),
            path_href=url("/api/instances", i.process_instance_key, "path"),
        ),
        time_travel=time_travel_section(i.process_instance_key),
        actions=actions_section(detail, definitions),
        incidents=incident_table(
            detail.incidents, show_instance=False, next_path=f"/instances/{i.process_instance_key}"
        )
        if detail.incidents
        else html("<p>{n}</p>", n="None."),
        user_tasks=user_task_table(user_tasks),
        decisions=decision_table(decisions),
        variables=table(
            ("Name", "Value", "Scope", "Updated"),
            [
                (v.name, html("<code>{v}</code>", v=v.value), v.scope_key, timestamp(v.updated_at))
                for v in detail.variables
            ],
            css="variables",
            empty="No variables.",
        ),
        jobs=table(
            ("Job", "Element", "Type", "State", "Retries", "Worker", "Error"),
            [
                (j.job_key, j.element_id, j.job_type, j.state, j.retries, j.worker, j.error_message)
                for j in detail.jobs
            ],
            css="jobs",
            empty="No jobs.",
        ),
        path=table(
            ("Element", "Type", "State", "Started", "Ended"),
            [
                (
                    e.element_id,
                    e.bpmn_element_type,
                    e.state,
                    timestamp(e.start_time),
                    timestamp(e.end_time),
                )
                for e in detail.path
            ],
            css="path",
        ),
        audit_count=len(detail.audit),
        audit=table(
            ("Partition", "Position", "Time", "Type", "Value type", "Intent", "Element"),
            [
                (
                    a.partition_id,
                    a.position,
                    timestamp(a.timestamp),
                    a.record_type,
                    a.value_type,
                    a.intent,
                    a.element_id,
                )
                for a in detail.audit
            ],
            css="audit",
        ),
    )
    title = f"Instance {i.process_instance_key}"
    if open_incidents:
        title += " (incident)"
    return page(
        title, body, diagram=True, notice=notice, extra_scripts=["/static/honeyflow-console.js"]
    )


def path_markers(detail: InstanceDetail) -> dict[str, Any]:
    """Element ids by what happened to them, for the diagram: sequence flows taken, elements
    completed / terminated / active, and elements with an open incident. An element entered
    more than once (a loop) can be in several lists; the page shows the most pressing."""
    process_id = detail.instance.bpmn_process_id
    groups: dict[str, set[str]] = {"COMPLETED": set(), "TERMINATED": set(), "ACTIVE": set()}
    taken: set[str] = set()
    for e in detail.path:
        if e.bpmn_element_type == "PROCESS" or e.element_id == process_id:
            continue
        if e.bpmn_element_type == "SEQUENCE_FLOW":
            taken.add(e.element_id)
        elif e.state in groups:
            groups[e.state].add(e.element_id)
    return {
        # Keys exceed 2**53 beyond partition 3: JSON numbers would lose digits in JS.
        "processInstanceKey": str(detail.instance.process_instance_key),
        "state": detail.instance.state,
        "taken": sorted(taken),
        "completed": sorted(groups["COMPLETED"]),
        "terminated": sorted(groups["TERMINATED"]),
        "active": sorted(groups["ACTIVE"]),
        "incidents": sorted({n.element_id for n in detail.incidents if n.state == "OPEN"}),
    }
