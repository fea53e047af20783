"""Activating an element of a running process instance (Zeebe's ElementActivationBehavior, as
process instance modification uses it): find or create an instance of each flow scope around
the element, from the process down, then ACTIVATE_ELEMENT the element in the innermost one.

Which instance of a flow scope is used (Zeebe's ancestor selection): with no instance, a new
one is activated by events (ELEMENT_ACTIVATING, its variables, ELEMENT_ACTIVATED, its catch
events subscribed — no start event, no input mappings); with one instance it is used, unless
the selected ancestor is an ancestor of it (then a new one is made beside it); with several,
the selected ancestor decides — it is one of them, or one of them is its ancestor (used), or
it is an ancestor of them (a new one) — and without a selected ancestor the command is
refused. A new multi-instance body or inner instance is refused (unsupported, as in Zeebe).
Each refusal raises `CommandRejected` (INVALID_ARGUMENT)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bpmn import FlowNode
from broker.protocol import RejectionType
from broker.protocol.intents import ProcessInstanceIntent as PI
from broker.protocol.values import BpmnElementType
from processors.engine.bpmn import lifecycle
from processors.engine.bpmn.element_call import ElementCall, call_for
from processors.engine.bpmn.event_subscriptions import evaluate_subscriptions, open_evaluated
from processors.engine.bpmn.expression_behavior import ExpressionFailure
from processors.engine.context import CommandRejected
from processors.engine.state import ElementInstance

VariablesAt = Callable[[str, int], None]
"""Called with (scope element id, element instance key) for every scope used or created and
for the activated element: sets the variable instructions for that scope."""


@dataclass(frozen=True, slots=True)
class _Level:
    node: FlowNode
    element_type: BpmnElementType
    inner: bool
    """The inner instance level of a multi-instance scope (its body is the level before)."""


def _levels(process_call: ElementCall, node: FlowNode) -> list[_Level]:
    """The flow scope levels around `node`, outermost first (the process excluded); a
    multi-instance subprocess is two levels, its body and its inner instance."""
    process = process_call.process
    levels: list[_Level] = []
    scope = process.elements.get(node.flow_scope_id)
    while scope is not None:
        levels.append(_Level(scope, scope.element_type, scope.multi_instance is not None))
        if scope.multi_instance is not None:
            levels.append(_Level(scope, BpmnElementType.MULTI_INSTANCE_BODY, False))
        scope = process.elements.get(scope.flow_scope_id)
    levels.reverse()
    return levels


def activate(
    process_call: ElementCall, node: FlowNode, ancestor_key: int, variables_at: VariablesAt
) -> list[int]:
    """Activate `node` in the process instance `process_call`; returns the keys of the flow
    scope instances it is activated in, outermost (the process instance) first."""
    ctx = process_call.ctx
    variables_at(process_call.value.element_id, process_call.key)
    scope = process_call
    used = [process_call.key]
    for level in _levels(process_call, node):
        found = _reusable(scope, level, ancestor_key)
        if found is not None:
            scope = call_for(ctx, found)
            variables_at(level.node.id, scope.key)
        else:
            scope = _activate_scope(scope, level, variables_at)
        used.append(scope.key)
    key = ctx.next_key()
    ctx.follow_up(key, PI.ACTIVATE_ELEMENT, scope.child_value(node))
    variables_at(node.id, key)
    return used


def _is_ancestor(
    state_get: Callable[[int], ElementInstance | None],
    ancestor: int,
    instance: ElementInstance | None,
) -> bool:
    """Whether `ancestor` is a (direct or indirect) flow scope of `instance`."""
    while instance is not None and instance.flow_scope_key != -1:
        if instance.flow_scope_key == ancestor:
            return True
        instance = state_get(instance.flow_scope_key)
    return False


def _reusable(scope: ElementCall, level: _Level, ancestor_key: int) -> ElementInstance | None:
    ctx = scope.ctx
    get = ctx.state.elements.get
    children = ctx.state.elements.children(scope.key)
    candidates = [c for c in children if c.element_id == level.node.id]
    if not candidates:
        return None
    selected = ancestor_key > 0
    if len(candidates) == 1:
        only = candidates[0]
        if selected and _is_ancestor(get, ancestor_key, only):
            return None  # a new instance beside it, inside the selected ancestor
        return only
    if selected:
        for candidate in candidates:
            if candidate.key == ancestor_key:
                return candidate
        if any(_is_ancestor(get, ancestor_key, c) for c in candidates):
            return None
        chosen = get(ancestor_key)
        for candidate in candidates:
            if _is_ancestor(get, candidate.key, chosen):
                return candidate
    raise CommandRejected(
        RejectionType.INVALID_ARGUMENT,
        f"Expected to modify instance of process '{scope.value.bpmn_process_id}' but it"
        " contains one or more activate instructions for an element that has a flow scope with"
        f" more than one active instance: '{level.node.id}'. Can't decide in which instance of"
        " the flow scope the element should be activated. Please specify an ancestor element"
        " instance key for this activate instruction.",
    )


def _activate_scope(parent: ElementCall, level: _Level, variables_at: VariablesAt) -> ElementCall:
    if level.element_type is BpmnElementType.MULTI_INSTANCE_BODY or level.inner:
        raise CommandRejected(
            RejectionType.INVALID_ARGUMENT,
            f"Expected to modify instance of process '{parent.value.bpmn_process_id}' but it"
            " contains one or more activate instructions that would result in the activation"
            f" of multi-instance element '{level.node.id}', which is currently unsupported.",
        )
    ctx = parent.ctx
    call = ElementCall(ctx, ctx.next_key(), parent.child_value(level.node), parent.process)
    lifecycle.write(call, PI.ELEMENT_ACTIVATING)
    variables_at(level.node.id, call.key)
    lifecycle.write(call, PI.ELEMENT_ACTIVATED)
    try:
        evaluated = evaluate_subscriptions(call)
    except ExpressionFailure as failure:
        raise CommandRejected(
            RejectionType.INVALID_ARGUMENT,
            f"Expected to subscribe to catch event(s) of '{level.node.id}' but {failure.message}",
        ) from None
    open_evaluated(call, evaluated)
    return call
