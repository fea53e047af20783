"""A Zeebe-shaped record, written by hand after Zeebe's exporter output, survives the codec."""

from __future__ import annotations

import json
from pathlib import Path

from broker.protocol import RecordType, ValueType, decode_record, encode_record
from broker.protocol.intents import ProcessInstanceIntent
from broker.protocol.keys import decode_partition
from broker.protocol.values import BpmnElementType, ProcessInstanceRecordValue

from .test_schema import record_validator

GOLDEN = Path(__file__).parent / "golden" / "process_instance_element_activated.json"


def test_service_task_activated_decodes_to_the_expected_record() -> None:
    record = decode_record(GOLDEN.read_bytes())
    assert record.record_type is RecordType.EVENT
    assert record.value_type is ValueType.PROCESS_INSTANCE
    assert record.intent is ProcessInstanceIntent.ELEMENT_ACTIVATED
    assert record.key == 2251799813685260 and decode_partition(record.key) == 1
    assert record.broker_version == "8.5.0"
    assert isinstance(record.value, ProcessInstanceRecordValue)
    assert record.value.bpmn_element_type is BpmnElementType.SERVICE_TASK
    assert record.value.element_id == "charge-payment"
    assert record.value.parent_process_instance_key == -1


def test_service_task_activated_re_encodes_to_the_same_json() -> None:
    golden = GOLDEN.read_bytes().strip()
    assert encode_record(decode_record(golden)) == golden


def test_golden_record_validates_against_the_schema() -> None:
    assert record_validator().is_valid(json.loads(GOLDEN.read_bytes()))
