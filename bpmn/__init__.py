"""BPMN 2.0 XML into a validated, frozen executable model; FEEL expressions (`bpmn.feel`).

    from bpmn import load, parse_bpmn, validate
    definitions = load(xml_bytes, source_name="order.bpmn")   # or BpmnValidationError
    process = definitions.process("order")
    process.elements["charge"].job.type.static_value           # "payment"

Entry points (`bpmn.loader`): `parse_bpmn` → ParseResult (definitions or problems),
`validate` → list[Problem] (never raises), `load` → Definitions (raises). The model lives in
`bpmn.model` (Definitions, ExecutableProcess, FlowScope, FlowNode, SequenceFlow),
`bpmn.model_parts` (JobDefinition, MessageDefinition, TimerDefinition, ...) and
`bpmn.model_types` (BpmnElementType, BpmnEventType, TimerKind); errors in `bpmn.errors`.
"""

from bpmn.deployment_rules import deployment_problems
from bpmn.errors import BpmnError, BpmnParseError, BpmnValidationError, Problem
from bpmn.expressions import Expression
from bpmn.loader import ParseResult, load, parse_bpmn, validate, validate_deployment
from bpmn.model import Definitions, ExecutableProcess, FlowNode, FlowScope, SequenceFlow
from bpmn.model_types import BpmnElementType, BpmnEventType, TimerKind

__all__ = [
    "BpmnElementType",
    "BpmnError",
    "BpmnEventType",
    "BpmnParseError",
    "BpmnValidationError",
    "Definitions",
    "ExecutableProcess",
    "Expression",
    "FlowNode",
    "FlowScope",
    "ParseResult",
    "Problem",
    "SequenceFlow",
    "TimerKind",
    "deployment_problems",
    "load",
    "parse_bpmn",
    "validate",
    "validate_deployment",
]
