"""The aiohttp application behind `honeyflow web`: server-rendered pages over the query store,
three JSON endpoints the diagram script reads, and resolving an incident through the client;
the task pages and their actions are in `task_routes`.

Store queries and engine calls are blocking, so each runs on its own single thread: the
event loop never waits on SQL or Kafka, and a `Store` or `Client` is only ever used by one
thread. The store is read-only here; what the page shows after an action comes from the
exporter, which reads the engine's new records from the log.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from clients.client import Client
from clients.errors import HoneyflowError
from clients.web.access import ACCESS, Access, check_access
from clients.web.assets import STATIC_DIR, WebAssets
from clients.web.batch_routes import add_batch_routes
from clients.web.console_routes import add_console_routes
from clients.web.diagram_xml import diagram_xml
from clients.web.html import Markup
from clients.web.incident_page import PAGE_SIZE as INCIDENT_PAGE_SIZE
from clients.web.incident_page import incidents_page, needs_retries
from clients.web.instance_page import instance_page, path_markers
from clients.web.login_routes import add_login_routes
from clients.web.page_frame import error_page, notice_box
from clients.web.process_charts import chart_series
from clients.web.process_pages import PAGE_SIZE as INSTANCE_PAGE_SIZE
from clients.web.process_pages import instances_page, process_page, processes_page
from clients.web.task_routes import add_task_routes
from clients.web.task_source import StoreTasks, TaskSource
from clients.web.tenant_scope import check_instance, granted_tenants
from clients.web.web_state import (
    STATE,
    ClientFactory,
    HttpError,
    WebState,
    before_param,
    check_same_origin,
    check_user,
    html_response,
    json_response,
    local_path,
    state_of,
)
from processors.exporter.chart_queries import instance_times
from processors.exporter.errors import NotFoundError, VisibilityError
from processors.exporter.queries import INCIDENT_STATES, INSTANCE_STATES, Queries
from processors.exporter.store import Store
from processors.exporter.views import Incident, InstanceDetail, ProcessDefinition, ProcessStats

log = logging.getLogger(__name__)
MAX_RETRIES = 1000
MAX_CHART_HOURS = 48
_XML_CACHE_SIZE = 64

# Pages render only our own markup and files: no inline script, nothing from elsewhere.
# bpmn-js sets inline styles and its font CSS uses data: URIs.
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:;"
        " font-src 'self' data:; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def create_app(
    store: Store,
    *,
    client_factory: ClientFactory | None = None,
    engine_url: str | None = None,
    assets: WebAssets | None = None,
    default_user: str = "",
    tasks: TaskSource | None = None,
    topology: Callable[[], dict[str, Any]] | None = None,
    state_dir: Path | None = None,
    access: Access | None = None,
) -> web.Application:
    """`store` is opened by the caller and closed with the app; `client_factory` connects to
    the engine on the first action (None: the page is read-only and says so);
    `default_user` acts on tasks for a browser that has not said who it is; `topology`
    reads the engine partitions and their owners for the start page; `state_dir` keeps the
    batches' progress files (None: a batch's progress lives only in its request); `access`
    (`--users`) puts every page and action behind a login (clients.web.access), and the
    acting user of the task pages is then the logged-in one."""
    app = web.Application(middlewares=[_headers, _errors, check_access])
    state = WebState(
        store,
        client_factory,
        engine_url,
        assets or WebAssets.find(),
        check_user(default_user),
        tasks or StoreTasks(),
    )
    state.topology = topology
    state.state_dir = state_dir
    app[STATE] = state
    r = app.router
    if access is not None:
        app[ACCESS] = access
        add_login_routes(r)
    r.add_get("/", _processes)
    r.add_get("/processes/{pid}", _process)
    r.add_get("/instances", _instances)
    r.add_get(r"/instances/{key:\d+}", _instance)
    r.add_get("/incidents", _incidents)
    r.add_post(r"/incidents/{key:\d+}/resolve", _resolve)
    add_task_routes(r, named_users=access is None)
    add_console_routes(r)
    add_batch_routes(r)
    r.add_get("/api/processes/{pid}/xml", _xml)
    r.add_get("/api/processes/{pid}/stats", _stats)
    r.add_get("/api/processes/{pid}/charts", _charts)
    r.add_get(r"/api/instances/{key:\d+}/path", _path)
    r.add_static("/static", STATIC_DIR)
    for prefix, dist in (
        ("/vendor/bpmn-js", state.assets.bpmn_js_dist),
        ("/vendor/form-js", state.assets.form_js_dist),
        ("/vendor/uplot", state.assets.uplot_dist),
    ):
        if dist is not None:
            r.add_static(prefix, dist)
        else:
            r.add_get(prefix + "/{tail:.*}", _assets_missing)

    async def close(_: web.Application) -> None:
        state.close()

    app.on_cleanup.append(close)
    return app


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except HttpError as e:
        return html_response(error_page(e.status, e.message, e.hint), e.status)
    except NotFoundError as e:
        return html_response(error_page(404, str(e)), 404)
    except VisibilityError as e:
        return html_response(error_page(503, str(e), "Is the query store reachable?"), 503)
    except web.HTTPException as e:
        if e.status >= 400 and e.content_type != "application/json":
            return html_response(error_page(e.status, e.reason), e.status)
        raise


@web.middleware
async def _headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    response.headers.update(_SECURITY_HEADERS)
    return response


def _choice(request: web.Request, name: str, allowed: tuple[str, ...]) -> str | None:
    value = request.query.get(name, "").upper()
    if not value:
        return None
    if value not in allowed:
        raise HttpError(400, f"{name} must be one of {', '.join(allowed)}")
    return value


def _notice(request: web.Request) -> Markup | None:
    resolved = request.query.get("resolved", "")
    if not resolved.isdigit():
        return None
    return notice_box(
        f"Incident {resolved} resolved. The page shows it once the exporter has read the"
        " engine's new records."
    )


# -- pages ---------------------------------------------------------------------------------


async def _processes(request: web.Request) -> web.Response:
    state = state_of(request)
    tenants = granted_tenants()
    stats, lags, definition_tenants = await state.query(
        lambda q: (_visible_stats(q, tenants), q.exporter_lag(), q.definition_tenants())
    )
    partitions: dict[str, Any] | str | None = None
    if state.topology is not None:
        try:
            partitions = await asyncio.to_thread(state.topology)
        except HoneyflowError as e:
            partitions = f"The engine partitions could not be read: {e}"
    return html_response(processes_page(stats, lags, partitions, definition_tenants))


def _visible_stats(q: Queries, tenants: frozenset[str] | None) -> list[ProcessStats]:
    """The process versions' totals, of the user's tenants only."""
    stats = q.process_stats()
    if tenants is None:
        return stats
    keys = {d.process_definition_key for d in q.definitions(tenants=tenants)}
    return [s for s in stats if s.process_definition_key in keys]


async def _versions(state: WebState, pid: str, tenant: str | None) -> list[ProcessDefinition]:
    """Oldest first, of the user's tenants (another tenant's process is not found), of
    `tenant` only when given (`?tenant=`: two tenants may deploy the same process id); every
    deployed version is a handful of rows, not worth an index."""
    tenants = granted_tenants()
    if tenant:
        tenants = frozenset({tenant}) & tenants if tenants is not None else frozenset({tenant})
    definitions = await state.query(lambda q: q.definitions(tenants=tenants))
    return [d for d in definitions if d.bpmn_process_id == pid]


async def _definition(state: WebState, request: web.Request, pid: str) -> ProcessDefinition:
    """The version asked for (`?version=`, of `?tenant=` if given), else the latest."""
    version_text = request.query.get("version")
    versions = await _versions(state, pid, request.query.get("tenant") or None)
    if not versions:
        raise HttpError(404, f"no process {pid!r} deployed")
    if not version_text:
        return versions[-1]
    for d in versions:
        if str(d.version) == version_text:
            return d
    raise HttpError(404, f"process {pid!r} has no version {version_text!r}")


async def _process(request: web.Request) -> web.Response:
    state = state_of(request)
    pid = request.match_info["pid"]
    definition = await _definition(state, request, pid)
    tenant_asked = request.query.get("tenant") or None
    versions = [d.version for d in await _versions(state, pid, tenant_asked)]
    instance_state = _choice(request, "state", INSTANCE_STATES)
    before = before_param(request)
    tenants = granted_tenants()
    if tenant_asked:  # already checked by _definition: one of the user's tenants
        tenants = frozenset({tenant_asked})
    stats, instances, tenant = await state.query(
        lambda q: (
            q.process_stats(),
            q.instances(pid, instance_state, INSTANCE_PAGE_SIZE, before, tenants=tenants),
            q.definition_tenant(definition.process_definition_key),
        )
    )
    current = next(
        s for s in stats if s.process_definition_key == definition.process_definition_key
    )
    return html_response(
        process_page(
            current, versions, instances, instance_state, before is not None, tenant, tenant_asked
        )
    )


async def _instances(request: web.Request) -> web.Response:
    pid = request.query.get("process") or None
    instance_state = _choice(request, "state", INSTANCE_STATES)
    before = before_param(request)
    tenants = granted_tenants()
    rows = await state_of(request).query(
        lambda q: q.instances(pid, instance_state, INSTANCE_PAGE_SIZE, before, tenants=tenants)
    )
    return html_response(instances_page(rows, instance_state, pid, before is not None))


async def _instance(request: web.Request) -> web.Response:
    key = int(request.match_info["key"])
    tenants = granted_tenants()
    tenant, detail, tasks, decisions, definitions = await state_of(request).query(
        lambda q: (
            check_instance(q, key, tenants),
            q.instance(key),
            q.user_tasks(process_instance_key=key, limit=100),
            q.decision_evaluations(key),
            q.definitions(tenants=tenants),
        )
    )
    return html_response(
        instance_page(detail, _notice(request), tasks, decisions, definitions, tenant)
    )


async def _incidents(request: web.Request) -> web.Response:
    incident_state = _choice(request, "state", INCIDENT_STATES) or "OPEN"
    before = before_param(request)
    tenants = granted_tenants()
    rows = await state_of(request).query(
        lambda q: q.incidents(incident_state, INCIDENT_PAGE_SIZE, before, tenants=tenants)
    )
    return html_response(incidents_page(rows, incident_state, before is not None, _notice(request)))


# -- the action ----------------------------------------------------------------------------


async def _resolve(request: web.Request) -> web.Response:
    check_same_origin(request)
    state = state_of(request)
    key = int(request.match_info["key"])
    tenants = granted_tenants()
    form = await request.post()
    back = local_path(str(form.get("next", "")), "/incidents")
    incident = await state.query(lambda q: visible_incident(q, key, tenants))
    retries: int | None = None
    if needs_retries(incident):
        text = str(form.get("retries") or "1")
        if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_RETRIES:
            raise HttpError(400, f"retries must be a whole number from 1 to {MAX_RETRIES}")
        retries = int(text)
    job_key = incident.job_key

    def act(client: Client) -> None:
        if retries is not None:
            client.update_job_retries(job_key, retries)
        client.resolve_incident(key)

    try:
        await state.engine(act)
    except HoneyflowError as e:
        log.warning("resolving incident %s failed: %s", key, e)
        raise HttpError(409, f"The engine did not resolve incident {key}: {e}") from e
    separator = "&" if "?" in back else "?"
    raise web.HTTPSeeOther(f"{back}{separator}resolved={key}")


def visible_incident(q: Queries, key: int, tenants: frozenset[str] | None) -> Incident:
    """The incident, or NotFoundError as for a missing one if its instance is another
    tenant's."""
    incident = q.incident(key)
    try:
        check_instance(q, incident.process_instance_key, tenants)
    except NotFoundError:
        raise NotFoundError(f"no incident with key {key}") from None
    return incident


# -- JSON for the diagram script -----------------------------------------------------------


async def _xml(request: web.Request) -> web.Response:
    state = state_of(request)
    pid = request.match_info["pid"]
    found = await _definition(state, request, pid)
    key = found.process_definition_key
    xml = state.diagrams.get(key)
    if xml is None:
        definition = await state.query(lambda q: q.definition(key))
        # A deployed version never changes: lay it out once.
        xml = await asyncio.to_thread(diagram_xml, definition.bpmn_xml or "", pid)
        if len(state.diagrams) >= _XML_CACHE_SIZE:
            state.diagrams.pop(next(iter(state.diagrams)))
        state.diagrams[key] = xml
    return web.Response(text=xml, content_type="application/xml", charset="utf-8")


async def _stats(request: web.Request) -> web.Response:
    state = state_of(request)
    pid = request.match_info["pid"]
    found = await _definition(state, request, pid)
    elements = await state.query(lambda q: q.element_stats(found.process_definition_key))
    return json_response(
        {
            "bpmnProcessId": pid,
            "version": found.version,
            "processDefinitionKey": str(found.process_definition_key),
            # The process's own row counts instances: the page's summary shows those.
            "elements": [e.to_json() for e in elements if e.element_id != pid],
        }
    )


async def _charts(request: web.Request) -> web.Response:
    state = state_of(request)
    pid = request.match_info["pid"]
    found = await _definition(state, request, pid)
    text = request.query.get("hours", "3")
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_CHART_HOURS:
        raise HttpError(400, f"hours must be a whole number from 1 to {MAX_CHART_HOURS}")
    hours = int(text)
    # The window ends now, or at the latest record if the engine's clock is ahead (tests).
    now = int(time.time() * 1000)
    since = now - hours * 3_600_000
    rows = await state.query(lambda q: instance_times(q.store, found.process_definition_key, since))
    latest = max((max(start, end or 0) for start, end, _ in rows), default=now)
    return json_response(
        {
            "bpmnProcessId": pid,
            "version": found.version,
            "hours": hours,
            **chart_series(rows, max(now, latest), hours),
        }
    )


async def _path(request: web.Request) -> web.Response:
    key = int(request.match_info["key"])
    tenants = granted_tenants()

    def read(q: Queries) -> InstanceDetail:
        check_instance(q, key, tenants)
        return q.instance(key)

    detail = await state_of(request).query(read)
    return json_response(path_markers(detail))


async def _assets_missing(request: web.Request) -> web.Response:
    assets = state_of(request).assets
    return html_response(
        error_page(503, assets.missing_message, "Then restart `honeyflow web`."), 503
    )
