"""The operator's parts of an instance page: the time-travel slider's frame (filled by
`static/honeyflow-console.js` from the instance's history), the action forms (cancel, set
variables in a scope, modify: add tokens and cancel element instances), the confirmation
page every action goes through, and the outcome page with the records the action wrote (or
the engine's rejection)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from clients.display import timestamp
from clients.instance_history import HistoryStep
from clients.web.html import Markup, html, join, url
from clients.web.page_frame import link, notice_box, page, table
from clients.web.session_context import CSRF_FIELD, csrf_field, may_operate, read_only_hint
from processors.exporter.views import InstanceDetail, ProcessDefinition

MAX_JSON_LENGTH = 64 * 1024


def time_travel_section(key: int) -> Markup:
    return html(
        '<section id="time-travel" class="time-travel" data-history="{href}">'
        '<p><button type="button" id="tt-load">Show the history</button> '
        '<span class="hint">reads this instance\'s records from the audit log; the slider'
        " then shows the diagram, tokens, variables and incidents after each record</span></p>"
        '<div class="tt-controls" hidden><input type="range" id="tt-slider" min="0" max="0"'
        ' value="0" aria-label="record"> <span id="tt-position"></span></div>'
        '<p id="tt-record" class="tt-record"></p><div id="tt-state"></div></section>',
        href=url("/api/instances", key, "history"),
    )


def _scopes(detail: InstanceDetail) -> list[tuple[int, str]]:
    """The instance and its element instances that are still active: where variables go."""
    i = detail.instance
    scopes = [(i.process_instance_key, f"the instance ({i.process_instance_key})")]
    for e in detail.path:
        if e.state == "ACTIVE" and e.element_instance_key != i.process_instance_key:
            scopes.append((e.element_instance_key, f"{e.element_id} ({e.element_instance_key})"))
    return scopes


def _migrate_form(
    detail: InstanceDetail, active_ids: Sequence[str], definitions: Sequence[ProcessDefinition]
) -> Markup:
    """A target (the latest other version of the process first, then every other deployed
    process) and, per active element, the target element it becomes (the same id at first)."""
    i = detail.instance
    targets = sorted(
        (d for d in definitions if d.process_definition_key != i.process_definition_key),
        key=lambda d: (d.bpmn_process_id != i.bpmn_process_id, d.bpmn_process_id, -d.version),
    )
    if not targets:
        return html(
            '<div class="console-action"><h3>Migrate</h3><p class="hint">{t}</p></div>',
            t="No other process version is deployed to migrate to.",
        )
    options = join(
        html(
            '<option value="{k}">{pid} v{v} ({k})</option>',
            k=d.process_definition_key,
            pid=d.bpmn_process_id,
            v=d.version,
        )
        for d in targets
    )
    rows = join(
        html(
            '<label class="migrate-map"><code>{id}</code> becomes'
            ' <input name="map.{id}" value="{id}" autocomplete="off"></label>',
            id=element_id,
        )
        for element_id in active_ids
    )
    return html(
        '<form method="post" action="/instances/{key}/migrate" class="console-action"'
        ' id="migrate-form">{csrf}<h3>Migrate</h3>'
        '<label>Target <select name="target">{options}</select></label>'
        "<fieldset><legend>Mapping (source element → target element)</legend>{rows}</fieldset>"
        '<button type="submit">Migrate…</button></form>',
        csrf=csrf_field(),
        key=i.process_instance_key,
        options=options,
        rows=rows or html('<span class="hint">{t}</span>', t="No active element."),
    )


def actions_section(
    detail: InstanceDetail, definitions: Sequence[ProcessDefinition] = ()
) -> Markup:
    """The forms of an active instance; each posts to a confirmation first."""
    i = detail.instance
    if i.state != "ACTIVE":
        return html('<p class="hint">{text}</p>', text=f"No actions: the instance is {i.state}.")
    if not may_operate():
        return read_only_hint()
    key = i.process_instance_key
    options = join(
        html('<option value="{k}">{label}</option>', k=k, label=label)
        for k, label in _scopes(detail)
    )
    active = [
        e
        for e in detail.path
        if e.state == "ACTIVE"
        and e.element_instance_key != key
        and e.bpmn_element_type not in ("PROCESS", "SEQUENCE_FLOW")
    ]
    terminate = join(
        html(
            '<label class="tt-terminate"><input type="checkbox" name="terminate" value="{k}"'
            ' data-element-id="{id}"> {id} ({k})</label>',
            k=e.element_instance_key,
            id=e.element_id,
        )
        for e in active
    )
    return html(
        '<div class="console-actions">'
        '<form method="post" action="{base}/cancel" class="console-action" id="cancel-form">{csrf}'
        "<h3>Cancel</h3><p>Terminates every element instance and the instance itself.</p>"
        '<button type="submit">Cancel the instance…</button></form>'
        '<form method="post" action="{base}/variables" class="console-action"'
        ' id="variables-form">{csrf}'
        "<h3>Set variables</h3>"
        '<label>Scope <select name="scope">{options}</select></label>'
        '<label><input type="checkbox" name="local" value="1"> only in this scope (local)</label>'
        '<textarea name="variables" rows="4" required maxlength="{max}"'
        ' placeholder=\'{{"shippingAddress": "1 Main St"}}\'></textarea>'
        '<button type="submit">Set variables…</button></form>'
        '<form method="post" action="{base}/modify" class="console-action" id="modify-form">{csrf}'
        "<h3>Modify</h3>"
        '<p class="hint">Click the diagram to pick: <label><input type="radio" name="pick"'
        ' value="activate" checked> add a token there</label> <label><input type="radio"'
        ' name="pick" value="terminate"> cancel its tokens</label></p>'
        '<label>Activate (element ids, comma-separated) <input name="activate"'
        ' id="modify-activate" autocomplete="off"></label>'
        "<fieldset><legend>Terminate</legend>{terminate}</fieldset>"
        "<label>Variables for the activated elements (JSON, optional, set in the instance)"
        '<textarea name="variables" rows="2" maxlength="{max}"></textarea></label>'
        '<button type="submit">Modify…</button></form>{migrate}'
        "</div>",
        base=f"/instances/{key}",
        csrf=csrf_field(),
        options=options,
        terminate=terminate or html('<span class="hint">{t}</span>', t="No active element."),
        max=MAX_JSON_LENGTH,
        migrate=_migrate_form(detail, sorted({e.element_id for e in active}), definitions),
    )


def confirm_page(
    title: str,
    question: str,
    action: str,
    fields: Mapping[str, str | Sequence[str]],
    back: str,
    details: str = "",
) -> str:
    """Nothing is sent before this page's button: it repeats the form as hidden fields."""
    hidden = []
    for name, value in fields.items():
        if name == CSRF_FIELD:
            continue
        values = [value] if isinstance(value, str) else list(value)
        hidden += [
            html('<input type="hidden" name="{n}" value="{v}">', n=name, v=v) for v in values
        ]
    body = html(
        '<h1>{title}</h1><p class="confirm-question">{question}</p>{details}'
        '<form method="post" action="{action}" class="confirm">{csrf}{hidden}'
        '<input type="hidden" name="confirmed" value="yes">'
        '<button type="submit" id="confirm">Yes, do it</button> {back}</form>',
        csrf=csrf_field(),
        title=title,
        question=question,
        action=action,
        hidden=join(hidden),
        back=link(back, "No, go back"),
        details=html('<pre class="confirm-details">{d}</pre>', d=details) if details else "",
    )
    return page(title, body)


def outcome_page(title: str, error: str | None, steps: Sequence[HistoryStep], back: str) -> str:
    """What the action wrote to the audit log for this instance, and how it was after."""
    box = (
        notice_box(f"The engine refused: {error}", "error")
        if error
        else notice_box(f"{title}: done. The engine wrote these records.")
    )
    after = steps[-1].after if steps else None
    tokens = ", ".join(f"{e.element_id} ({e.key})" for e in after.active) if after else ""
    body = html(
        "<h1>{title}</h1>{box}<h2>Records written</h2>{records}"
        '<p class="outcome-state">{state}</p><p>{back}</p>',
        title=title,
        box=box,
        records=table(
            ("Partition", "Position", "Time", "Type", "Value type", "Intent", "Element", "Detail"),
            [
                (
                    s.partition_id,
                    s.position,
                    timestamp(s.timestamp),
                    s.record_type,
                    s.value_type,
                    s.intent,
                    s.element_id,
                    s.rejection_reason or s.detail,
                )
                for s in steps
            ],
            css="outcome-records",
            empty="None for this instance.",
        ),
        state=(
            f"After them the instance is {after.state.removeprefix('ELEMENT_').lower()};"
            f" tokens at {tokens or 'nothing'}; {len(after.incidents)} open incidents."
            if after
            else ""
        ),
        back=link(back, "Back to the instance"),
    )
    return page(title, body, notice=None)


def pretty_json(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)
