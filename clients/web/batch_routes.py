"""Batch actions of the web console on a process: cancel the active instances, or resolve
the open incidents, that match a filter (where they wait, the incident's type). The form
posts to a confirmation page that lists what matches and sends nothing; once confirmed the
items are worked through one ordinary command after another (a job out of retries gets one
retry first, as the resolve button does) and the page lists each item's outcome.

The batch runs within the request: its progress does not survive a restart of `honeyflow
web` (the items already done stay done; running it again finds what is left)."""

from __future__ import annotations

from aiohttp import web

from clients.batch_runner import DONE, run_batch
from clients.client import Client
from clients.web.html import Markup, html, join, url
from clients.web.page_frame import link, notice_box, page, table
from clients.web.web_state import HttpError, check_same_origin, html_response, state_of
from processors.exporter.batch_queries import (
    BATCH_LIMIT,
    BatchItem,
    incidents_to_resolve,
    instances_to_cancel,
)

ACTIONS = {"cancel": "Cancel instances", "resolve": "Resolve incidents"}


def add_batch_routes(router: web.UrlDispatcher) -> None:
    router.add_post("/processes/{pid}/batch", _batch)


def batch_form(pid: str) -> Markup:
    return html(
        '<form method="post" action="{action}" class="console-action batch" id="batch-form">'
        "<h3>Batch</h3>"
        '<label>Action <select name="action"><option value="resolve">resolve the open'
        ' incidents</option><option value="cancel">cancel the active instances</option>'
        "</select></label>"
        '<label>Waiting at element <input name="element" placeholder="any"></label>'
        '<label>With an open incident of type <input name="type" placeholder="any"></label>'
        '<button type="submit">Find them…</button></form>',
        action=url("/processes", pid, "batch"),
    )


async def _batch(request: web.Request) -> web.Response:
    check_same_origin(request)
    state = state_of(request)
    pid = request.match_info["pid"]
    form = await request.post()
    action = str(form.get("action") or "")
    if action not in ACTIONS:
        raise HttpError(400, f"action must be one of {', '.join(ACTIONS)}")
    element = str(form.get("element") or "").strip()
    error_type = str(form.get("type") or "").strip().upper()
    find = incidents_to_resolve if action == "resolve" else instances_to_cancel
    items = await state.query(lambda q: find(q.store, pid, element, error_type))
    title = f"{ACTIONS[action]} of {pid}"
    filters = {"action": action, "element": element, "type": error_type}
    if form.get("confirmed") != "yes":
        return html_response(_confirm(title, pid, filters, items))

    def run(client: Client) -> list[tuple[BatchItem, str]]:
        outcomes: list[tuple[BatchItem, str]] = []
        run_batch(client, action, items, lambda item, outcome: outcomes.append((item, outcome)))
        return outcomes

    outcomes = await state.engine(run)
    return html_response(_outcome(title, pid, outcomes))


def _filters_text(filters: dict[str, str]) -> str:
    parts = [f"waiting at {filters['element']}" if filters["element"] else ""]
    parts.append(f"with an open {filters['type']} incident" if filters["type"] else "")
    return ", ".join(p for p in parts if p) or "all"


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


def _confirm(title: str, pid: str, filters: dict[str, str], items: list[BatchItem]) -> str:
    hidden = join(
        html('<input type="hidden" name="{n}" value="{v}">', n=n, v=v) for n, v in filters.items()
    )
    body = html(
        "<h1>{title}</h1>"
        '<p class="confirm-question">{n} match ({filters}){limit}. Send one command for each?</p>'
        '<form method="post" action="{action}" class="confirm">{hidden}'
        '<input type="hidden" name="confirmed" value="yes">'
        '<button type="submit" id="confirm">Yes, do it</button> {back}</form>{table}',
        title=title,
        n=len(items),
        filters=_filters_text(filters),
        limit=f"; at most {BATCH_LIMIT} at a time" if len(items) >= BATCH_LIMIT else "",
        action=url("/processes", pid, "batch"),
        hidden=hidden,
        back=link(url("/processes", pid), "No, go back"),
        table=table(
            ("Instance", "Incident", "Element", "Incident type"),
            _rows(items),
            css="batch-items",
            empty="Nothing matches.",
        ),
    )
    return page(title, body)


def _outcome(title: str, pid: str, outcomes: list[tuple[BatchItem, str]]) -> str:
    done = sum(1 for _, o in outcomes if o == DONE)
    body = html(
        "<h1>{title}</h1>{notice}{table}<p>{back}</p>",
        title=title,
        notice=notice_box(
            f"{done} of {len(outcomes)} done, {len(outcomes) - done} refused. The pages show"
            " them once the exporter has read the engine's new records.",
            "info" if done == len(outcomes) else "error",
        ),
        table=table(
            ("Instance", "Incident", "Element", "Incident type", "Outcome"),
            [
                (*row, o)
                for row, (_, o) in zip(_rows([i for i, _ in outcomes]), outcomes, strict=True)
            ],
            css="batch-outcomes",
            empty="Nothing matched.",
        ),
        back=link(url("/processes", pid), f"Back to {pid}"),
    )
    return page(title, body)
