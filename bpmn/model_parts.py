"""The parts a flow node can carry: job definitions, execution listeners, variable mappings,
message, timer, error, escalation, signal, called element, multi-instance and script
definitions.

Every value here is frozen; expressions are already compiled (see `bpmn.expressions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bpmn.expressions import Expression
from bpmn.model_types import TimerKind
from bpmn.timers import IsoDuration, TimerCycle


@dataclass(frozen=True, slots=True)
class TaskHeader:
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class HeaderExpression:
    """A header whose value an expression gives when the job is created (a job-based user
    task's assignee, candidate groups or users, due or follow-up date)."""

    key: str
    expression: Expression
    kind: str
    """`text` (a string), `list` (a list of strings, sent as a JSON array) or `date` (an ISO
    8601 date and time)."""


@dataclass(frozen=True, slots=True)
class JobDefinition:
    """`zeebe:taskDefinition` plus `zeebe:taskHeaders`: what a worker is asked to do."""

    type: Expression
    retries: Expression
    headers: tuple[TaskHeader, ...] = ()
    header_expressions: tuple[HeaderExpression, ...] = ()

    def header_map(self) -> dict[str, str]:
        return {h.key: h.value for h in self.headers}


class ListenerEventType(StrEnum):
    """When an execution listener runs (`zeebe:executionListener eventType`)."""

    START = "start"
    END = "end"


@dataclass(frozen=True, slots=True)
class ExecutionListener:
    """One `zeebe:executionListener`: a job of `type` (with `retries`) that runs when the
    element starts (after its input mappings) or ends (after its output mappings)."""

    event_type: ListenerEventType
    type: Expression
    retries: Expression


@dataclass(frozen=True, slots=True)
class VariableMapping:
    """One `zeebe:input` or `zeebe:output`: evaluate `source`, store it at `target` (a path)."""

    source: Expression
    target: str


@dataclass(frozen=True, slots=True)
class IoMappings:
    inputs: tuple[VariableMapping, ...] = ()
    outputs: tuple[VariableMapping, ...] = ()


@dataclass(frozen=True, slots=True)
class MessageDefinition:
    """A referenced `bpmn:message`: its name and, for catching elements, the correlation key."""

    message_id: str
    name: Expression
    correlation_key: Expression | None = None


@dataclass(frozen=True, slots=True)
class TimerDefinition:
    """A timer value; `static_value` is the parsed value when the text is not an expression."""

    kind: TimerKind
    expression: Expression
    static_value: datetime | IsoDuration | TimerCycle | None = None


@dataclass(frozen=True, slots=True)
class ErrorDefinition:
    """`error_id`/`code` are None on a catch event without errorRef: it catches every error."""

    error_id: str | None
    code: Expression | None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class EscalationDefinition:
    """`escalation_id`/`code` None on a catch event means: catch every escalation."""

    escalation_id: str | None
    code: Expression | None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class SignalDefinition:
    signal_id: str
    name: Expression


BINDING_TYPES = ("deployment", "latest", "versionTag")
"""`bindingType` values of `zeebe:calledElement`, in the order Zeebe names them."""


@dataclass(frozen=True, slots=True)
class CalledElement:
    """`zeebe:calledElement`; both propagation flags default to true as in Zeebe.

    `binding_type` chooses the version called: `latest` (the default), `deployment` (the one
    deployed together with the calling process) or `versionTag` (the latest version with
    `zeebe:versionTag` equal to `version_tag`)."""

    process_id: Expression
    propagate_all_child_variables: bool = True
    propagate_all_parent_variables: bool = True
    binding_type: str = "latest"
    version_tag: str | None = None


@dataclass(frozen=True, slots=True)
class CalledDecision:
    """`zeebe:calledDecision` of a business rule task: the decision evaluated on activation,
    whose output is set as `result_variable`.

    `binding_type` chooses the version, as for called elements: `latest` (the default),
    `deployment` (the one deployed together with the process) or `versionTag`."""

    decision_id: Expression
    result_variable: str
    binding_type: str = "latest"
    version_tag: str | None = None


@dataclass(frozen=True, slots=True)
class MultiInstance:
    """`multiInstanceLoopCharacteristics` with its `zeebe:loopCharacteristics`.

    The engine wraps the activity in a MULTI_INSTANCE_BODY of the same id, as Zeebe does.
    """

    is_sequential: bool
    input_collection: Expression
    input_element: str | None = None
    output_collection: str | None = None
    output_element: Expression | None = None
    completion_condition: Expression | None = None


@dataclass(frozen=True, slots=True)
class ScriptDefinition:
    """`zeebe:script`: a FEEL expression whose result is stored in `result_variable`."""

    expression: Expression
    result_variable: str


@dataclass(frozen=True, slots=True)
class Property:
    """One `zeebe:property` (free-form metadata for tools; no execution meaning)."""

    name: str
    value: str


@dataclass(frozen=True, slots=True)
class FormLink:
    """`zeebe:formDefinition` of a Camunda user task: a deployed form by `form_id` (with its
    binding type and version tag), or a custom form by `external_reference` (`externalReference`,
    or Zeebe's older `formKey`)."""

    form_id: str | None = None
    binding_type: str = "latest"
    version_tag: str | None = None
    external_reference: Expression | None = None


@dataclass(frozen=True, slots=True)
class UserTaskDefinition:
    """`zeebe:userTask` (a Camunda user task, no job) with what a tasklist needs: assignment
    (`zeebe:assignmentDefinition`), schedule (`zeebe:taskSchedule`), priority
    (`zeebe:priorityDefinition`) and form. Each value is static or an expression evaluated when
    the task is created; None when not given."""

    assignee: Expression | None = None
    candidate_groups: Expression | None = None
    candidate_users: Expression | None = None
    due_date: Expression | None = None
    follow_up_date: Expression | None = None
    priority: Expression | None = None
    form: FormLink | None = None
    headers: tuple[TaskHeader, ...] = ()
