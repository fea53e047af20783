"""The multi-instance body (MULTI_INSTANCE_BODY): the element instance that wraps the inner
instances of a multi-instance activity. It reads the input collection, starts the inner
instances (all at once, or one after the other), completes when every inner instance has
ended or the completion condition holds, and then propagates the output collection and takes
the activity's outgoing flows. Boundary events of the activity belong to the body."""

from __future__ import annotations

from broker.protocol.intents import ProcessInstanceIntent as PI
from broker.protocol.values import ErrorType
from processors.engine.bpmn import lifecycle
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.event_subscriptions import open_subscriptions
from processors.engine.bpmn.expression_behavior import ExpressionFailure
from processors.engine.bpmn.incident_behavior import raise_incident
from processors.engine.bpmn.multi_instance_behavior import (
    activate_inner,
    activate_parallel,
    input_collection,
    loop_of,
)
from processors.engine.bpmn.variable_behavior import merge, set_local


class MultiInstanceBodyProcessor:
    def on_activate(self, call: ElementCall) -> None:
        loop = loop_of(call)
        try:
            collection = input_collection(call, call.key)
        except ExpressionFailure as failure:
            raise_incident(call, ErrorType.EXTRACT_VALUE_ERROR, failure.message)
            return
        if not open_subscriptions(call):  # boundary events belong to the body
            return
        lifecycle.activated(call)
        if loop.output_collection is not None:
            # One slot per item, so inner instances completing in any order keep input order.
            set_local(call, call.key, {loop.output_collection: [None] * len(collection)})
        if not collection:
            lifecycle.request_completion(call)
        elif loop.is_sequential:
            activate_inner(call)
        else:
            activate_parallel(call, len(collection))

    def on_complete(self, call: ElementCall) -> None:
        instance = call.instance
        if instance is not None and instance.active_children > 0:
            # Inner instances activated in the same batch after the completion condition held:
            # they are terminated first (on_child_terminated finishes the completion).
            lifecycle.terminate_children(call)
            return
        self._finish(call)

    def _finish(self, call: ElementCall) -> None:
        loop = loop_of(call)
        if loop.output_collection is not None:
            found = call.ctx.state.variables.get_local(call.key, loop.output_collection)
            if found is not None:
                merge(call, call.value.flow_scope_key, {loop.output_collection: found[1]})
        lifecycle.completed(call)

    def on_terminate(self, call: ElementCall) -> None:
        if lifecycle.terminate_children(call) == 0:
            lifecycle.terminated(call)

    def on_child_completed(self, scope: ElementCall, child: ElementCall) -> None:
        """Not used: inner instances report through `multi_instance_behavior.complete_inner`,
        which must run before the inner ELEMENT_COMPLETED."""

    def on_child_terminated(self, scope: ElementCall, child: ElementCall) -> None:
        instance = scope.instance
        if instance is None or instance.active_children > 0:
            return
        if instance.state is PI.ELEMENT_TERMINATING:
            lifecycle.terminated(scope)
        elif instance.state is PI.ELEMENT_COMPLETING:
            self._finish(scope)
        elif instance.state is PI.ELEMENT_ACTIVATED:
            # the completion condition held and the remaining inner instances are gone
            lifecycle.request_completion(scope)
