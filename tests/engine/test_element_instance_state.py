"""Element instances (and message subscriptions) survive the store with every typed field, also
through JSON (the persistent stores keep JSON): states come back as intent members."""

from __future__ import annotations

import json

from broker.protocol.intents import ProcessInstanceIntent as PI
from broker.protocol.values import BpmnElementType, ProcessInstanceRecordValue
from processors.engine.kv_store import InMemoryKeyValueStore
from processors.engine.state import ElementInstance
from processors.engine.state.element_instance_state import ElementInstanceState


def _body() -> ElementInstance:
    value = ProcessInstanceRecordValue(
        bpmn_process_id="p",
        version=1,
        process_definition_key=7,
        process_instance_key=8,
        element_id="task",
        flow_scope_key=8,
        bpmn_element_type=BpmnElementType.MULTI_INSTANCE_BODY,
    )
    return ElementInstance(
        9,
        value,
        PI.ELEMENT_COMPLETING,
        active_children=2,
        active_flows=1,
        job_key=11,
        called_instance_key=12,
        taken_flows={"join": {"f1": 1}},
        completion_variables={"x": 1},
        interrupted_by="boundary",
        loop_counter=3,
        completed_inner=1,
        terminated_inner=1,
    )


def test_every_field_comes_back_from_the_store() -> None:
    store = InMemoryKeyValueStore()
    elements = ElementInstanceState(store)
    elements.create(_body())
    elements.flush()
    assert ElementInstanceState(store).get(9) == _body()


def test_the_state_comes_back_as_a_member_through_json() -> None:
    store = InMemoryKeyValueStore()
    elements = ElementInstanceState(store)
    elements.create(_body())
    elements.flush()
    copy = InMemoryKeyValueStore()
    for family, entries in store.dump().items():
        for key, raw in entries.items():
            copy.put(family, key, json.loads(json.dumps(raw)))
    instance = ElementInstanceState(copy).get(9)
    assert instance == _body()
    assert instance is not None and instance.state is PI.ELEMENT_COMPLETING


def test_a_message_subscription_state_comes_back_as_a_member_through_json() -> None:
    from broker.protocol.intents import ProcessMessageSubscriptionIntent as PMS
    from broker.protocol.values import ProcessMessageSubscriptionRecordValue
    from processors.engine.state.message_subscription_state import MessageSubscriptionState

    store = InMemoryKeyValueStore()
    value = ProcessMessageSubscriptionRecordValue(element_instance_key=9, message_name="m")
    MessageSubscriptionState(store).put_process_subscription(4, value, PMS.DELETING)
    copy = InMemoryKeyValueStore()
    for family, entries in store.dump().items():
        for key, raw in entries.items():
            copy.put(family, key, json.loads(json.dumps(raw)))
    subscription = MessageSubscriptionState(copy).process_subscription(4)
    assert subscription is not None and subscription.state is PMS.DELETING
