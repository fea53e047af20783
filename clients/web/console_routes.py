"""The operator's routes of `honeyflow web` on one instance: its history for the time-travel
slider (`/api/instances/<key>/history`, computed by clients.instance_history from the audit
log the client reads) and the actions — cancel, set variables, modify. Each action answers
first with a confirmation page; once confirmed it sends one command through the client and
shows the records it wrote for the instance, or the engine's rejection.

The history and the outcome are read from the audit log (`client.records()`: every
partition to its end), not from the query store, so they are exact and immediate; on a long
log that read takes a while, which is why the slider loads on demand.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from clients.client import Client
from clients.errors import HoneyflowError
from clients.instance_history import HistoryStep, instance_history
from clients.web.console_pages import MAX_JSON_LENGTH, confirm_page, outcome_page, pretty_json
from clients.web.tenant_scope import check_instance, granted_tenants
from clients.web.web_state import (
    HttpError,
    check_same_origin,
    html_response,
    json_response,
    state_of,
)

log = logging.getLogger(__name__)
Form = MultiDictProxy[Any]


def add_console_routes(router: web.UrlDispatcher) -> None:
    router.add_get(r"/api/instances/{key:\d+}/history", _history)
    router.add_post(r"/instances/{key:\d+}/cancel", _cancel)
    router.add_post(r"/instances/{key:\d+}/variables", _set_variables)
    router.add_post(r"/instances/{key:\d+}/modify", _modify)
    router.add_post(r"/instances/{key:\d+}/migrate", _migrate)


async def _history(request: web.Request) -> web.Response:
    key = int(request.match_info["key"])
    await visible_instance(request, key)
    steps = await state_of(request).engine(lambda c: instance_history(c.records(), key))
    if not steps:
        raise HttpError(404, f"no records of process instance {key} in the audit log")
    return json_response({"processInstanceKey": str(key), "steps": [s.to_json() for s in steps]})


async def visible_instance(request: web.Request, key: int) -> None:
    """404 (NotFoundError), as for a missing instance, for another tenant's instance: nothing
    is sent for it (clients.web.tenant_scope)."""
    tenants = granted_tenants()
    if tenants is not None:
        await state_of(request).query(lambda q: check_instance(q, key, tenants))


async def _check_scope(request: web.Request, key: int, scope: int) -> None:
    """A scope other than the instance must be one of its element instances: a logged-in
    user may not set variables in another tenant's instance through its own."""
    if scope == key or granted_tenants() is None:
        return
    detail = await state_of(request).query(lambda q: q.instance(key))
    if scope not in {e.element_instance_key for e in detail.path}:
        raise HttpError(
            404,
            f"no element instance with key {scope} in process instance {key}. Nothing was sent.",
        )


def _json_object(form: Form, name: str, *, required: bool) -> dict[str, Any] | None:
    """The JSON object of a text field, checked here before anything is sent."""
    text = str(form.get(name) or "").strip()
    if not text:
        if required:
            raise HttpError(400, f'{name}: give a JSON object, such as {{"total": 40}}')
        return None
    if len(text) > MAX_JSON_LENGTH:
        raise HttpError(400, f"{name}: at most {MAX_JSON_LENGTH} characters")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise HttpError(
            400, f"{name} is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}"
        ) from None
    if not isinstance(value, dict):
        raise HttpError(400, f'{name} must be a JSON object such as {{"a": 1}}, not {text!r}')
    return value


def _key_field(text: str, what: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 2**63:
        raise HttpError(400, f"{what} must be a key (a positive whole number), not {text!r}")
    return int(text)


async def _act(
    request: web.Request,
    form: Form,
    title: str,
    question: str,
    details: str,
    act: Callable[[Client], object],
) -> web.Response:
    """The confirmation page, or, once confirmed, the command and the records it wrote."""
    key = int(request.match_info["key"])
    await visible_instance(request, key)
    back = f"/instances/{key}"
    if form.get("confirmed") != "yes":
        fields = {n: form.getall(n) for n in set(form.keys()) if n != "confirmed"}
        return html_response(confirm_page(title, question, request.path, fields, back, details))

    def run(client: Client) -> tuple[str | None, list[HistoryStep]]:
        seen = {(r.get("partitionId"), r.get("position")) for r in client.records()}
        error = None
        try:
            act(client)
        except HoneyflowError as e:
            log.warning("%s of instance %s refused: %s", title, key, e)
            error = str(e)
        steps = instance_history(client.records(), key)
        return error, [s for s in steps if (s.partition_id, s.position) not in seen]

    error, steps = await state_of(request).engine(run)
    return html_response(outcome_page(title, error, steps, back), 409 if error else 200)


async def _cancel(request: web.Request) -> web.Response:
    check_same_origin(request)
    key = int(request.match_info["key"])
    form = await request.post()
    return await _act(
        request,
        form,
        f"Cancel instance {key}",
        f"Cancel process instance {key}? Every element instance is terminated; this cannot"
        " be undone.",
        "",
        lambda c: c.cancel_instance(key),
    )


async def _set_variables(request: web.Request) -> web.Response:
    check_same_origin(request)
    key = int(request.match_info["key"])
    form = await request.post()
    variables = _json_object(form, "variables", required=True)
    assert variables is not None
    scope = _key_field(str(form.get("scope") or key), "scope")
    local = form.get("local") == "1"
    await visible_instance(request, key)
    await _check_scope(request, key, scope)
    where = "the instance" if scope == key else f"element instance {scope}"
    return await _act(
        request,
        form,
        f"Set variables of instance {key}",
        f"Set these variables in {where}{' only (local)' if local else ''}?",
        pretty_json(variables),
        lambda c: c.set_variables(scope, variables, local=local),
    )


async def _modify(request: web.Request) -> web.Response:
    check_same_origin(request)
    key = int(request.match_info["key"])
    form = await request.post()
    activate = [
        e.strip() for text in form.getall("activate", []) for e in str(text).split(",") if e.strip()
    ]
    terminate = [_key_field(str(t), "terminate") for t in form.getall("terminate", [])]
    variables = _json_object(form, "variables", required=False)
    if not activate and not terminate:
        raise HttpError(400, "modify: pick an element to activate or an element instance to end")
    if variables and not activate:
        raise HttpError(400, "modify: variables go with an element to activate")
    activations: list[dict[str, Any]] = [{"elementId": e} for e in activate]
    if variables:
        activations[0]["variables"] = variables
    plan = {"activate": activations, "terminate": [str(t) for t in terminate]}
    return await _act(
        request,
        form,
        f"Modify instance {key}",
        f"Modify process instance {key}: add tokens at {', '.join(activate) or 'nothing'},"
        f" terminate {len(terminate)} element instances?",
        pretty_json(plan),
        lambda c: c.modify_instance(key, activate=activations, terminate=terminate),
    )


async def _migrate(request: web.Request) -> web.Response:
    check_same_origin(request)
    key = int(request.match_info["key"])
    form = await request.post()
    target = _key_field(str(form.get("target") or ""), "target")
    mappings = {
        name.removeprefix("map."): str(value).strip()
        for name, value in form.items()
        if name.startswith("map.") and str(value).strip()
    }
    return await _act(
        request,
        form,
        f"Migrate instance {key}",
        f"Migrate process instance {key} to process definition {target} with this mapping?",
        pretty_json(mappings),
        lambda c: c.migrate_instance(key, target, mappings),
    )
