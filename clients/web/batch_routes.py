"""Batch actions of the web console on a process: resolve the open incidents, cancel the
active instances, or migrate the active instances to another version, that match a filter
(the version, where they wait, an open incident's type, a variable's value). The form posts
to a confirmation page that lists what matches and sends nothing; once confirmed the items
are worked through one ordinary command after another (a job out of retries gets one retry
first, as the resolve button does) and the page lists each item's outcome.

With a state directory (`honeyflow web --state-dir`, by default a per-user directory) each
batch writes its progress file there as it goes (clients/batch_progress.py, the format of
`honeyflow batch --progress`): /batches lists the batches, running, finished or stopped
before the end (`honeyflow web` restarted), each with its items' outcomes, and running the
same batch again (same process, action and filters) skips the items already done."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

from aiohttp import web

from clients.batch_progress import DONE, append, done_keys, read_lines
from clients.batch_runner import MigrationPlan, run_batch
from clients.client import Client
from clients.web.html import Markup, html, join, url
from clients.web.page_frame import link, notice_box, page, table
from clients.web.session_context import csrf_field, may_operate
from clients.web.tenant_scope import granted_tenants
from clients.web.web_state import (
    HttpError,
    WebState,
    check_same_origin,
    html_response,
    state_of,
)
from processors.exporter.batch_queries import (
    BATCH_LIMIT,
    BatchItem,
    incidents_to_resolve,
    instances_to_cancel,
)

ACTIONS = {
    "cancel": "Cancel instances",
    "resolve": "Resolve incidents",
    "migrate": "Migrate instances",
}
FIELDS = ("action", "version", "element", "type", "var_name", "var_value", "target", "mappings")


def add_batch_routes(router: web.UrlDispatcher) -> None:
    router.add_post("/processes/{pid}/batch", _batch)
    router.add_get("/batches", _batches)
    router.add_get(r"/batches/{id:[0-9a-f]{16}}", _batch_page)


def batch_form(pid: str) -> Markup:
    if not may_operate():
        return Markup("")
    return html(
        '<form method="post" action="{action}" class="console-action batch"'
        ' id="batch-form">{csrf}<h3>Batch</h3>'
        '<label>Action <select name="action"><option value="resolve">resolve the open'
        ' incidents</option><option value="cancel">cancel the active instances</option>'
        '<option value="migrate">migrate the active instances</option>'
        "</select></label>"
        '<label>Of version <input name="version" placeholder="any" inputmode="numeric"></label>'
        '<label>Waiting at element <input name="element" placeholder="any"></label>'
        '<label>With an open incident of type <input name="type" placeholder="any"></label>'
        '<label>With the variable <input name="var_name" placeholder="name"></label>'
        '<label>equal to (JSON) <input name="var_value" placeholder=\'"EU", 5, true\'></label>'
        '<fieldset class="batch-migrate"><legend>To migrate</legend>'
        '<label>Target version <input name="target" inputmode="numeric"></label>'
        "<label>Mapping, one <code>source:target</code> element id pair a line"
        ' <textarea name="mappings" rows="3"></textarea></label></fieldset>'
        '<button type="submit">Find them…</button></form>'
        "<p>{batches}</p>",
        action=url("/processes", pid, "batch"),
        csrf=csrf_field(),
        batches=link("/batches", "Batches run from this console"),
    )


def _fields(form: Any) -> dict[str, str]:
    fields = {name: str(form.get(name) or "").strip() for name in FIELDS}
    fields["type"] = fields["type"].upper()
    if fields["action"] not in ACTIONS:
        raise HttpError(400, f"action must be one of {', '.join(ACTIONS)}")
    return fields


def _int_field(text: str, what: str) -> int | None:
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise HttpError(400, f"{what} must be a whole number, but was {text!r}") from None


def _variable(fields: dict[str, str]) -> tuple[str, object] | None:
    name, value = fields["var_name"], fields["var_value"]
    if not name:
        if value:
            raise HttpError(400, "a variable value needs the variable's name")
        return None
    try:
        return name, json.loads(value)
    except ValueError as e:
        raise HttpError(
            400,
            f"the value of the variable {name!r} must be JSON ({e}), but was {value!r}",
            'Quote a string: "EU".',
        ) from None


def _mappings(text: str) -> dict[str, str]:
    mappings: dict[str, str] = {}
    for line in text.replace(",", "\n").splitlines():
        if not line.strip():
            continue
        source, colon, target = line.partition(":")
        if not colon or not source.strip() or not target.strip():
            raise HttpError(400, f"a mapping is source:target (two element ids), not {line!r}")
        if source.strip() in mappings:
            raise HttpError(400, f"the source element {source.strip()!r} is mapped twice")
        mappings[source.strip()] = target.strip()
    return mappings


async def _target_key(state: WebState, pid: str, text: str) -> int:
    """The definition key of version `text` of the process (of the user's tenants)."""
    version = _int_field(text, "the target version")
    if version is None:
        raise HttpError(400, "migrating needs the target version")
    tenants = granted_tenants()
    definitions = await state.query(lambda q: q.definitions(tenants=tenants))
    for d in definitions:
        if d.bpmn_process_id == pid and d.version == version:
            return d.process_definition_key
    raise HttpError(400, f"{pid} has no version {version} to migrate to")


async def _check_process(state: WebState, pid: str) -> None:
    """404 for a process none of the user's tenants deployed, as for one never deployed."""
    tenants = granted_tenants()
    if tenants is None:
        return
    definitions = await state.query(lambda q: q.definitions(tenants=tenants))
    if not any(d.bpmn_process_id == pid for d in definitions):
        raise HttpError(404, f"no process {pid!r} deployed")


async def _batch(request: web.Request) -> web.Response:
    check_same_origin(request)
    state = state_of(request)
    pid = request.match_info["pid"]
    form = await request.post()
    await _check_process(state, pid)
    tenants = granted_tenants()
    fields = _fields(form)
    action = fields["action"]
    version = _int_field(fields["version"], "the version")
    variable = _variable(fields)
    migration = None
    if action == "migrate":
        target = await _target_key(state, pid, fields["target"])
        migration = MigrationPlan(target, _mappings(fields["mappings"]))
    find = incidents_to_resolve if action == "resolve" else instances_to_cancel
    items = await state.query(
        lambda q: find(
            q.store,
            pid,
            fields["element"],
            fields["type"],
            version=version,
            variable=variable,
            tenants=tenants,
        )
    )
    title = f"{ACTIONS[action]} of {pid}"
    description = {"process": pid, **fields}
    if tenants is not None:
        # A user's batch is the batch of its tenants: kept apart from another tenant's.
        description["tenants"] = ",".join(sorted(tenants))
    progress = _progress_file(state, description)
    done = done_keys(progress) if progress is not None else set()
    todo = [i for i in items if i.key not in done]
    if form.get("confirmed") != "yes":
        return html_response(_confirm(title, pid, fields, items, len(items) - len(todo)))
    this_batch = batch_id(description)
    if progress is not None and not progress.exists():
        progress.parent.mkdir(parents=True, exist_ok=True)
        append(progress, {"batch": description, "started": time.time()})

    def run(client: Client) -> list[tuple[BatchItem, str]]:
        outcomes: list[tuple[BatchItem, str]] = []

        def report(item: BatchItem, outcome: str) -> None:
            outcomes.append((item, outcome))
            if progress is not None:
                append(progress, {"key": item.key, "outcome": outcome})

        run_batch(client, action, todo, report, migration)
        if progress is not None:
            append(progress, {"finished": time.time()})
        return outcomes

    state.running_batches.add(this_batch)
    try:
        outcomes = await state.engine(run)
    finally:
        state.running_batches.discard(this_batch)
    return html_response(
        _outcome(title, pid, outcomes, len(items) - len(todo), this_batch if progress else None)
    )


def batch_id(description: dict[str, str]) -> str:
    text = json.dumps(description, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _progress_file(state: WebState, description: dict[str, str]) -> Path | None:
    if state.state_dir is None:
        return None
    return state.state_dir / "batches" / f"{batch_id(description)}.jsonl"


def _filters_text(filters: dict[str, str]) -> str:
    parts = [f"version {filters['version']}" if filters.get("version") else ""]
    parts.append(f"waiting at {filters['element']}" if filters.get("element") else "")
    parts.append(f"with an open {filters['type']} incident" if filters.get("type") else "")
    if filters.get("var_name"):
        parts.append(f"with {filters['var_name']} = {filters['var_value']}")
    text = ", ".join(p for p in parts if p) or "all"
    if filters.get("action") == "migrate":
        mappings = ", ".join(f"{s} → {t}" for s, t in _mappings(filters["mappings"]).items())
        text += f"; to version {filters['target']}, mapping {mappings or 'nothing'}"
    return text


def _rows(items: list[BatchItem]) -> list[tuple[object, ...]]:
    return [
        (
            link(url("/instances", i.process_instance_key), i.process_instance_key),
            i.key if i.key != i.process_instance_key else "",
            i.element_id,
            i.error_type,
        )
        for i in items
    ]


def _hidden(fields: dict[str, str]) -> Markup:
    return join(
        html('<input type="hidden" name="{n}" value="{v}">', n=n, v=v)
        for n, v in fields.items()
        if n in FIELDS
    )


def _confirm(
    title: str, pid: str, fields: dict[str, str], items: list[BatchItem], already: int
) -> str:
    body = html(
        "<h1>{title}</h1>"
        '<p class="confirm-question">{n} match ({filters}){limit}{already}. Send one command'
        " for each?</p>"
        '<form method="post" action="{action}" class="confirm">{csrf}{hidden}'
        '<input type="hidden" name="confirmed" value="yes">'
        '<button type="submit" id="confirm">Yes, do it</button> {back}</form>{table}',
        csrf=csrf_field(),
        title=title,
        n=len(items),
        filters=_filters_text(fields),
        limit=f"; at most {BATCH_LIMIT} at a time" if len(items) >= BATCH_LIMIT else "",
        already=f"; {already} already done by an earlier run of this batch" if already else "",
        action=url("/processes", pid, "batch"),
        hidden=_hidden(fields),
        back=link(url("/processes", pid), "No, go back"),
        table=table(
            ("Instance", "Incident", "Element", "Incident type"),
            _rows(items),
            css="batch-items",
            empty="Nothing matches.",
        ),
    )
    return page(title, body)


def _outcome(
    title: str,
    pid: str,
    outcomes: list[tuple[BatchItem, str]],
    already: int,
    batch_id: str | None,
) -> str:
    done = sum(1 for _, o in outcomes if o == DONE)
    skipped = f" ({already} skipped: done by an earlier run)" if already else ""
    body = html(
        "<h1>{title}</h1>{notice}{table}<p>{progress} {back}</p>",
        title=title,
        notice=notice_box(
            f"{done} of {len(outcomes)} done, {len(outcomes) - done} refused{skipped}. The"
            " pages show them once the exporter has read the engine's new records.",
            "info" if done == len(outcomes) else "error",
        ),
        table=table(
            ("Instance", "Incident", "Element", "Incident type", "Outcome"),
            [
                (*row, o)
                for row, (_, o) in zip(_rows([i for i, _ in outcomes]), outcomes, strict=True)
            ],
            css="batch-outcomes",
            empty="Nothing to do.",
        ),
        progress=link(url("/batches", batch_id), "This batch's progress") if batch_id else "",
        back=link(url("/processes", pid), f"Back to {pid}"),
    )
    return page(title, body)


def _summary(state: WebState, path: Path) -> dict[str, Any]:
    entries = read_lines(path)
    headers = [e["batch"] for e in entries if isinstance(e.get("batch"), dict)]
    header: dict[str, Any] = headers[0] if headers else {}
    outcomes: dict[int, str] = {}
    for e in entries:
        if "key" in e and "outcome" in e:
            outcomes[int(e["key"])] = str(e["outcome"])
    if path.stem in state.running_batches:
        status = "running"
    elif entries and "finished" in entries[-1]:
        status = "finished"
    else:
        status = "stopped before the end: run it again to go on"
    return {
        "id": path.stem,
        "description": header,
        "outcomes": outcomes,
        "status": status,
        "modified": path.stat().st_mtime,
    }


def _all_batches(state: WebState) -> list[dict[str, Any]]:
    if state.state_dir is None:
        return []
    folder = state.state_dir / "batches"
    files = sorted(folder.glob("*.jsonl")) if folder.is_dir() else []
    return sorted((_summary(state, f) for f in files), key=lambda s: s["modified"], reverse=True)


def _visible(description: dict[str, Any], tenants: frozenset[str] | None) -> bool:
    """Whether a logged-in user sees a kept batch: one run for tenants all its own (a batch
    run without a login, of every tenant, only without a login)."""
    if tenants is None:
        return True
    text = str(description.get("tenants", ""))
    return bool(text) and set(text.split(",")) <= tenants


def _what(description: dict[str, str]) -> str:
    action = ACTIONS.get(description.get("action", ""), "?")
    return f"{action} of {description.get('process', '?')} ({_filters_text(description)})"


async def _batches(request: web.Request) -> web.Response:
    state = state_of(request)
    if state.state_dir is None:
        body = html(
            "<h1>Batches</h1>{n}",
            n=notice_box("No state directory: a batch's progress lives only in its request."),
        )
        return html_response(page("Batches", body))
    rows = []
    tenants = granted_tenants()
    for s in _all_batches(state):
        if not _visible(s["description"], tenants):
            continue
        done = sum(1 for o in s["outcomes"].values() if o == DONE)
        rows.append(
            (
                link(url("/batches", s["id"]), _what(s["description"])),
                s["status"],
                done,
                len(s["outcomes"]) - done,
            )
        )
    body = html(
        "<h1>Batches</h1><p>Kept in <code>{dir}</code>.</p>{table}",
        dir=str(state.state_dir / "batches"),
        table=table(
            ("Batch", "State", "Done", "Refused"), rows, css="batches", empty="No batch yet."
        ),
    )
    return html_response(page("Batches", body))


async def _batch_page(request: web.Request) -> web.Response:
    state = state_of(request)
    if state.state_dir is None:
        raise HttpError(404, "No state directory: batches are not kept")
    path = state.state_dir / "batches" / f"{request.match_info['id']}.jsonl"
    if not path.exists():
        raise HttpError(404, f"No batch {request.match_info['id']}")
    s = _summary(state, path)
    if not _visible(s["description"], granted_tenants()):
        raise HttpError(404, f"No batch {request.match_info['id']}")
    description: dict[str, str] = {str(k): str(v) for k, v in s["description"].items()}
    pid = description.get("process", "")
    again = html(
        '<form method="post" action="{action}" class="confirm">{csrf}{hidden}'
        '<button type="submit">Run it again (skips what is done)…</button></form>',
        csrf=csrf_field(),
        action=url("/processes", pid, "batch"),
        hidden=_hidden(description),
    )
    body = html(
        '<h1>{what}</h1><p>State: <strong class="batch-state">{status}</strong></p>{again}{table}',
        what=_what(description),
        status=s["status"],
        again=again if pid and s["status"] != "running" else "",
        table=table(
            ("Key", "Outcome"),
            [(k, o) for k, o in s["outcomes"].items()],
            css="batch-outcomes",
            empty="No item done yet.",
        ),
    )
    return html_response(page("Batch", body))
