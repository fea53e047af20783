"""BPMN processes the gateway tests deploy through pyzeebe."""

from __future__ import annotations

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
"""

ORDER = (
    _HEAD
    + """  <bpmn:process id="gw-order" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="charge"/>
    <bpmn:serviceTask id="charge">
      <bpmn:extensionElements><zeebe:taskDefinition type="gw-charge"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="charge" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""
)

BROKEN = (
    _HEAD
    + """  <bpmn:process id="gw-broken" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call"/>
    <bpmn:serviceTask id="call">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="gw-broken" retries="2"/>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""
)

STOCK = (
    _HEAD
    + """  <bpmn:error id="no-stock" errorCode="NO_STOCK"/>
  <bpmn:process id="gw-stock" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="reserve"/>
    <bpmn:serviceTask id="reserve">
      <bpmn:extensionElements><zeebe:taskDefinition type="gw-reserve"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:boundaryEvent id="out-of-stock" attachedToRef="reserve">
      <bpmn:errorEventDefinition errorRef="no-stock"/>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="reserve" targetRef="reserved"/>
    <bpmn:endEvent id="reserved"/>
    <bpmn:sequenceFlow id="f3" sourceRef="out-of-stock" targetRef="backordered"/>
    <bpmn:endEvent id="backordered"/>
  </bpmn:process>
</bpmn:definitions>
"""
)

PAYMENT = (
    _HEAD
    + """  <bpmn:message id="paid" name="paid">
    <bpmn:extensionElements><zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements>
  </bpmn:message>
  <bpmn:process id="gw-payment" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
    <bpmn:intermediateCatchEvent id="wait">
      <bpmn:messageEventDefinition messageRef="paid"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""
)


def one_task(process_id: str, job_type: str) -> str:
    return ORDER.replace('"gw-order"', f'"{process_id}"').replace('"gw-charge"', f'"{job_type}"')


ALL = {
    "order.bpmn": ORDER,
    "broken.bpmn": BROKEN,
    "stock.bpmn": STOCK,
    "payment.bpmn": PAYMENT,
    "parked.bpmn": one_task("gw-parked", "gw-parked"),
    "streamed.bpmn": one_task("gw-streamed", "gw-streamed"),
    "ops.bpmn": one_task("gw-ops", "gw-ops"),
}
