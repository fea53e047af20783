"""Containers: the process itself and embedded subprocesses. They start at their none start
event, complete when nothing runs inside any more, and terminate by terminating every child
first."""

from __future__ import annotations

from broker.protocol import Record
from broker.protocol.intents import ProcessInstanceIntent as PI
from broker.protocol.intents import ProcessInstanceResultIntent
from broker.protocol.values import ProcessInstanceResultRecordValue
from processors.engine import message_start_behavior
from processors.engine.bpmn import event_trigger_behavior as triggers
from processors.engine.bpmn import lifecycle
from processors.engine.bpmn.element_call import ElementCall
from processors.engine.bpmn.event_subscriptions import open_subscriptions
from processors.engine.bpmn.execution_listeners import activation_ready, completion_ready
from processors.engine.bpmn.variable_behavior import apply_output_behavior


class ProcessProcessor:
    def on_activate(self, call: ElementCall) -> None:
        if not activation_ready(call):  # start listeners
            return
        if not open_subscriptions(call):  # the start events of its event subprocesses
            return
        lifecycle.activated(call)
        if triggers.activate_triggered_start_event(call):  # started by a timer, message...
            return
        start = lifecycle.none_start_event(call, call.process.bpmn_process_id)
        if start is not None:
            lifecycle.activate_child(call, start)

    def on_complete(self, call: ElementCall) -> None:
        if not completion_ready(call):  # end listeners
            return
        awaiting = call.ctx.take_awaiting(call.key)
        variables = call.ctx.state.variables.local(call.key) if awaiting else {}
        started = message_start_behavior.started_by_message(call)
        lifecycle.completed(call)
        message_start_behavior.start_next_buffered(call.ctx, started)
        if awaiting is not None:
            if awaiting.fetch_variables:
                variables = {k: v for k, v in variables.items() if k in awaiting.fetch_variables}
            value = call.value
            result = ProcessInstanceResultRecordValue(
                bpmn_process_id=value.bpmn_process_id,
                process_definition_key=value.process_definition_key,
                version=value.version,
                process_instance_key=call.key,
                variables=variables,
                tenant_id=value.tenant_id,
            )
            call.ctx.writers.respond(
                awaiting.request_id,
                Record.event(
                    ProcessInstanceResultIntent.COMPLETED,
                    result,
                    key=call.key,
                    partition_id=call.ctx.partition_id,
                    timestamp=call.ctx.now_ms,
                ),
            )

    def on_terminate(self, call: ElementCall) -> None:
        if lifecycle.terminate_children(call) == 0:
            call.ctx.take_awaiting(call.key)
            started = message_start_behavior.started_by_message(call)
            lifecycle.terminated(call)
            message_start_behavior.start_next_buffered(call.ctx, started)

    def on_child_completed(self, scope: ElementCall, child: ElementCall) -> None:
        if triggers.activate_interrupting_event_subprocess(scope):
            return
        if lifecycle.scope_can_complete(scope):
            lifecycle.request_completion(scope)

    def on_child_terminated(self, scope: ElementCall, child: ElementCall) -> None:
        instance = scope.instance
        if instance is None or instance.active_children > 0:
            return
        if instance.state is PI.ELEMENT_TERMINATING:
            self.on_terminate(scope)
        elif triggers.activate_interrupting_event_subprocess(scope):
            return
        elif lifecycle.scope_can_complete(scope):
            lifecycle.request_completion(scope)


class SubProcessProcessor(ProcessProcessor):
    def on_activate(self, call: ElementCall) -> None:
        if not activation_ready(call):  # input mappings, start listeners
            return
        if not open_subscriptions(call):  # boundary events, event subprocesses
            return
        lifecycle.activated(call)
        start = lifecycle.none_start_event(call, call.value.element_id)
        if start is not None:
            lifecycle.activate_child(call, start)

    def on_complete(self, call: ElementCall) -> None:
        if not completion_ready(call, lambda: apply_output_behavior(call, {})):
            return  # output mappings, end listeners
        lifecycle.completed(call)

    def on_terminate(self, call: ElementCall) -> None:
        if lifecycle.terminate_children(call) == 0:
            lifecycle.terminated(call)
