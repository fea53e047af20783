"""The incident list (`/incidents`) and the incident table the instance page shares, with the
resolve action: a form that POSTs to `/incidents/<key>/resolve`; for a job whose retries ran
out (JOB_NO_RETRIES, EXECUTION_LISTENER_NO_RETRIES) it first gives the job the retries typed
in."""

from __future__ import annotations

from collections.abc import Sequence

from broker.protocol.values import JOB_RETRIES_ERRORS
from clients.display import timestamp
from clients.web.html import Markup, html, join, url
from clients.web.page_frame import link, page, pager, table
from clients.web.session_context import csrf_field, may_operate
from processors.exporter.views import Incident

PAGE_SIZE = 50


def needs_retries(incident: Incident) -> bool:
    """A job out of retries (an element's or an execution listener's): resolving it first
    gives the job retries."""
    return incident.error_type in JOB_RETRIES_ERRORS and incident.job_key > 0


def resolve_form(incident: Incident, next_path: str) -> Markup:
    if incident.state != "OPEN":
        return html("<span>{t}</span>", t=f"resolved {timestamp(incident.resolved_at)}")
    if not may_operate():
        return html('<span class="hint">{t}</span>', t="open")
    retries = (
        html(
            '<label>retries <input type="number" name="retries" value="1" min="1" max="1000"'
            ' required size="3"></label> '
        )
        if needs_retries(incident)
        else Markup("")
    )
    return html(
        '<form method="post" action="{action}" class="resolve" data-incident-key="{key}">{csrf}'
        '<input type="hidden" name="next" value="{next}">{retries}'
        '<button type="submit">Resolve</button></form>',
        csrf=csrf_field(),
        action=url("/incidents", incident.incident_key, "resolve"),
        key=incident.incident_key,
        next=next_path,
        retries=retries,
    )


def incident_table(incidents: Sequence[Incident], *, show_instance: bool, next_path: str) -> Markup:
    headers = ["Incident", "Element", "Type", "Message", "Created", "Action"]
    if show_instance:
        headers[1:1] = ["Process", "Instance"]
    rows = []
    for n in incidents:
        row: list[object] = [
            n.incident_key,
            html("<code>{e}</code>", e=n.element_id),
            n.error_type,
            html('<span class="error-message">{m}</span>', m=n.error_message),
            timestamp(n.created_at),
            resolve_form(n, next_path),
        ]
        if show_instance:
            row[1:1] = [
                link(url("/processes", n.bpmn_process_id), n.bpmn_process_id),
                link(url("/instances", n.process_instance_key), n.process_instance_key),
            ]
        rows.append(row)
    return table(headers, rows, css="incidents", empty="No incidents.")


def incidents_page(
    incidents: Sequence[Incident], state: str, paged: bool, notice: Markup | None
) -> str:
    states = join(
        link(url("/incidents", state=s), s.capitalize(), "current" if s == state else "")
        for s in ("OPEN", "RESOLVED")
    )
    next_href = None
    if len(incidents) == PAGE_SIZE:
        last = incidents[-1]
        next_href = url("/incidents", state=state, before=f"{last.created_at}:{last.incident_key}")
    body = html(
        '<h1>Incidents</h1><p class="filters">{states}</p>{table}{pager}',
        states=states,
        table=incident_table(incidents, show_instance=True, next_path=url("/incidents")),
        pager=pager(next_href, url("/incidents", state=state) if paged else None),
    )
    return page("Incidents", body, notice=notice)
