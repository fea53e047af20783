"""The model built from valid files: element types, flows, extension values, expressions."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from bpmn import BpmnElementType as T
from bpmn import BpmnEventType as E
from bpmn import TimerKind
from bpmn.timers import CronSchedule, IsoDuration, RepeatingInterval
from tests.bpmn.conftest import load_fixture


def test_service_task_job_headers_mappings_and_expressions() -> None:
    definitions = load_fixture("service_task.bpmn")
    process = definitions.process("order")
    assert process.version_tag == "v1.2"
    charge = process.elements["charge"]
    assert charge.element_type is T.SERVICE_TASK
    assert charge.name == "Charge card"
    assert charge.flow_scope_id == "order"
    assert charge.incoming == ("f1",) and charge.outgoing == ("f2",)
    assert charge.element_path == "process 'order' > serviceTask 'charge'"
    assert charge.job is not None
    assert charge.job.type.is_static and charge.job.type.static_value == "payment"
    assert not charge.job.retries.is_static
    assert charge.job.retries.evaluate({"retriesLeft": 2}) == Decimal(2)
    assert charge.job.header_map() == {"currency": "EUR", "mode": "live"}
    inputs = charge.io_mappings.inputs
    assert [(m.source.source, m.target) for m in inputs] == [
        ("=order.total", "amount"),
        ("static text", "note"),
    ]
    assert inputs[0].source.evaluate({"order": {"total": 5}}) == Decimal(5)
    assert inputs[1].source.evaluate({}) == "static text"
    assert [(m.source.feel_text, m.target) for m in charge.io_mappings.outputs] == [
        ("receipt.id", "order.receiptId")
    ]
    assert [(p.name, p.value) for p in charge.properties] == [("owner", "billing")]
    assert process.none_start_event_id == "start"
    assert process.root_scope.element_ids == ("start", "charge", "end")


def test_model_is_frozen_and_read_only() -> None:
    process = load_fixture("service_task.bpmn").process("order")
    with pytest.raises(dataclasses.FrozenInstanceError):
        process.elements["charge"].name = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        process.elements["new"] = process.elements["charge"]  # type: ignore[index]


def test_tasks_of_every_kind() -> None:
    process = load_fixture("tasks.bpmn").process("p")
    kinds = {i: n.element_type for i, n in process.elements.items()}
    assert kinds["review"] is T.USER_TASK
    assert kinds["notify"] is T.SEND_TASK
    assert kinds["wait"] is T.RECEIVE_TASK
    assert kinds["compute"] is T.SCRIPT_TASK
    assert kinds["rules"] is T.BUSINESS_RULE_TASK
    assert kinds["manual"] is T.MANUAL_TASK
    assert kinds["plain"] is T.TASK
    review = process.elements["review"]
    assert review.job is not None and review.job.type.source == "io.camunda.zeebe:userTask"
    wait = process.elements["wait"]
    assert wait.message is not None
    assert wait.message.name.source == "payment-received"
    assert wait.message.correlation_key is not None
    assert wait.message.correlation_key.evaluate({"orderId": "A1"}) == "A1"
    compute = process.elements["compute"]
    assert compute.script is not None and compute.script.result_variable == "sum"
    assert compute.script.expression.evaluate({"a": 1, "b": 2}) == Decimal(3)
    rules = process.elements["rules"]
    assert rules.job is not None and rules.job.retries.source == "5"


def test_gateways_conditions_and_defaults() -> None:
    process = load_fixture("gateways.bpmn").process("p")
    split = process.elements["split"]
    assert split.element_type is T.EXCLUSIVE_GATEWAY
    assert split.default_flow_id == "f_default"
    assert split.outgoing == ("f_big", "f_default")
    big = process.sequence_flows["f_big"]
    assert big.condition is not None
    assert big.condition.evaluate({"amount": 150}) is True
    assert process.sequence_flows["f_default"].condition is None
    assert process.elements["join"].incoming == ("f3", "f4")
    assert process.elements["incl"].element_type is T.INCLUSIVE_GATEWAY
    race = process.elements["race"]
    assert race.element_type is T.EVENT_BASED_GATEWAY
    assert [process.sequence_flows[f].target_id for f in race.outgoing] == ["paid", "timeout"]
    timeout = process.elements["timeout"]
    assert timeout.event_type is E.TIMER and timeout.timer is not None
    assert timeout.timer.kind is TimerKind.DURATION
    assert timeout.timer.static_value == IsoDuration(minutes=15)


def test_events_of_every_kind() -> None:
    definitions = load_fixture("events.bpmn")
    process = definitions.process("p")
    nodes = process.elements
    assert process.start_event_ids == ("start_msg", "start_timer", "start_signal", "start")
    assert process.none_start_event_id == "start"
    assert nodes["start_msg"].event_type is E.MESSAGE
    assert nodes["start_msg"].message is not None
    assert nodes["start_msg"].message.correlation_key is None
    cycle = nodes["start_timer"].timer
    assert cycle is not None and cycle.kind is TimerKind.CYCLE
    assert cycle.static_value == RepeatingInterval(5, IsoDuration(seconds=Decimal(10)))
    assert nodes["start_signal"].signal is not None
    assert nodes["start_signal"].signal.name.source == "go"
    assert nodes["wait_date"].timer is not None
    assert nodes["wait_date"].timer.kind is TimerKind.DATE
    assert nodes["throw_none"].event_type is E.NONE
    assert nodes["throw_none"].element_type is T.INTERMEDIATE_THROW_EVENT
    assert nodes["throw_escalation"].escalation is not None
    assert nodes["throw_escalation"].escalation.code is not None
    assert nodes["throw_escalation"].escalation.code.source == "LATE"
    throw_message = nodes["throw_message"]
    assert throw_message.event_type is E.MESSAGE and throw_message.job is not None
    assert throw_message.job.type.source == "publish"
    assert nodes["link_out"].link_name == nodes["link_in"].link_name == "jump"
    assert nodes["end_error"].error is not None
    assert nodes["end_error"].error.code is not None
    assert nodes["end_error"].error.code.source == "CARD_DECLINED"
    assert nodes["end_terminate"].event_type is E.TERMINATE
    assert nodes["end_signal"].event_type is E.SIGNAL
    assert nodes["end_escalation"].event_type is E.ESCALATION
    end_message = nodes["end_message"]
    assert end_message.job is not None and end_message.message is not None
    assert set(definitions.errors) == {"err_card"}
    assert definitions.escalations["esc_late"].code == "LATE"
    assert definitions.signals["sig_go"].name == "go"


def test_subprocesses_boundaries_event_subprocesses_and_call_activity() -> None:
    process = load_fixture("subprocesses.bpmn").process("p")
    nodes = process.elements
    pay = nodes["pay"]
    assert pay.element_type is T.SUB_PROCESS
    assert pay.boundary_event_ids == ("pay_failed", "pay_cancelled", "pay_escalated")
    scope = process.scopes["pay"]
    assert scope.start_event_ids == ("pay_start",)
    assert scope.none_start_event_id == "pay_start"
    assert nodes["charge"].flow_scope_id == "pay"
    assert nodes["charge"].element_path == "process 'p' > subProcess 'pay' > serviceTask 'charge'"
    reminder = nodes["charge_timeout"]
    assert reminder.element_type is T.BOUNDARY_EVENT
    assert reminder.attached_to_id == "charge" and reminder.cancel_activity is False
    assert reminder.timer is not None
    assert reminder.timer.static_value == RepeatingInterval(None, IsoDuration(hours=1))
    failed = nodes["pay_failed"]
    assert failed.cancel_activity is True and failed.event_type is E.ERROR
    assert failed.error is not None and failed.error.code is not None
    assert failed.error.code.source == "CARD_DECLINED"
    escalated = nodes["pay_escalated"]
    assert escalated.escalation is not None and escalated.escalation.code is None  # catch-all
    ship = nodes["ship"]
    assert ship.element_type is T.CALL_ACTIVITY and ship.called_element is not None
    assert ship.called_element.process_id.source == "shipping"
    assert ship.called_element.propagate_all_child_variables is False
    assert ship.called_element.propagate_all_parent_variables is True
    assert process.root_scope.event_subprocess_ids == ("on_error", "on_update")
    assert nodes["on_error"].element_type is T.EVENT_SUB_PROCESS
    catch_all = nodes["on_error_start"]
    assert catch_all.error is not None and catch_all.error.error_id is None
    assert catch_all.interrupting is True
    assert nodes["on_update_start"].interrupting is False
    assert nodes["on_update_start"].message is not None


def test_multi_instance_parallel_and_sequential() -> None:
    process = load_fixture("multi_instance.bpmn").process("p")
    parallel = process.elements["notify_all"].multi_instance
    assert parallel is not None and parallel.is_sequential is False
    assert parallel.input_collection.feel_text == "customers"
    assert parallel.input_element == "customer"
    assert parallel.output_collection == "results"
    assert parallel.output_element is not None and parallel.output_element.feel_text == "result"
    assert parallel.completion_condition is not None
    assert parallel.completion_condition.evaluate({"numberOfCompletedInstances": 3}) is True
    sequential = process.elements["one_by_one"].multi_instance
    assert sequential is not None and sequential.is_sequential is True
    assert sequential.output_collection is None


def test_collaboration_lanes_artifacts_prefixes_bom_and_diagram() -> None:
    definitions = load_fixture("collaboration_bom.bpmn")
    assert [p.bpmn_process_id for p in definitions.processes] == ["shop"]
    assert [(p.id, p.name) for p in definitions.other_processes] == [("bank", "Bank")]
    shop = definitions.process("shop")
    # Flows come before their targets in the file; `outgoing` children are ignored.
    assert shop.elements["start"].outgoing == ("f1",)
    assert set(shop.elements) == {"start", "pay", "end"}
    assert definitions.diagram.shapes["pay"].width == 200 - 100
    assert [(p.x, p.y) for p in definitions.diagram.edges["f1"]] == [(136, 98), (200, 98)]


def test_cron_cycle_and_expression_timer_values() -> None:
    from bpmn.timers import parse_cron, parse_cycle

    assert parse_cycle("0 0 9-17 * * MON-FRI") == CronSchedule(
        "0 0 9-17 * * MON-FRI", ("0", "0", "9-17", "*", "*", "MON-FRI")
    )
    assert parse_cron("@hourly").fields == ("0", "0", "*", "*", "*", "*")


@pytest.mark.parametrize("text", ["PT１S", "P٣D", "R３/PT1S", "R/PT１S", "R2/PT1٣M"])
def test_timer_values_read_ascii_digits_only(text: str) -> None:
    # As java.time (and FEEL's duration()) read them: Zeebe refuses these, so Honeyflow does.
    from bpmn.timers import TimerValueError, parse_cycle, parse_duration

    with pytest.raises(TimerValueError, match="Invalid"):
        parse_cycle(text) if text.startswith("R") else parse_duration(text)


def test_a_cycle_repeating_forever_within_a_millisecond_is_refused() -> None:
    # Timers count whole milliseconds: R/PT0.0001S fired again at the same instant for ever (a
    # timer start event with it made deploy on memory:// never return).
    from bpmn.timers import TimerValueError, parse_cycle

    with pytest.raises(TimerValueError, match="at least one millisecond"):
        parse_cycle("R/PT0.0001S")
    assert parse_cycle("R/PT0.001S").interval.seconds == Decimal("0.001")
    assert parse_cycle("R5/PT0.0001S").repetitions == 5  # a count ends it
