"""What a process instance migration checks before it changes anything, with Zeebe's
rejection types and reasons (ProcessInstanceMigrationPreconditions). Each check raises
`CommandRejected`; the engine rolls back what the command wrote before."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from bpmn import ExecutableProcess, FlowNode
from broker.protocol import RejectionType
from broker.protocol.values import BpmnElementType, BpmnEventType, MappingInstruction
from processors.engine.context import CommandRejected
from processors.engine.state import DeployedProcess, ElementInstance, StateReaders

T = BpmnElementType

SUPPORTED_ELEMENT_TYPES = frozenset(
    {
        T.PROCESS,
        T.SERVICE_TASK,
        T.USER_TASK,
        T.SEND_TASK,
        T.SCRIPT_TASK,
        T.BUSINESS_RULE_TASK,
        T.RECEIVE_TASK,
        T.SUB_PROCESS,
        T.CALL_ACTIVITY,
        T.INTERMEDIATE_CATCH_EVENT,
        T.MULTI_INSTANCE_BODY,
    }
)
"""Element types whose active instances migrate; any other active element refuses the whole
migration (Zeebe's list, less what docs/operations.md names as not supported yet)."""

SUPPORTED_CATCH_EVENT_TYPES = frozenset(
    {BpmnEventType.MESSAGE, BpmnEventType.TIMER, BpmnEventType.SIGNAL}
)


def refuse(rejection_type: RejectionType, reason: str) -> CommandRejected:
    return CommandRejected(rejection_type, reason)


def instance_not_found(key: int) -> CommandRejected:
    return refuse(
        RejectionType.NOT_FOUND,
        f"Expected to migrate process instance but no process instance found with key '{key}'",
    )


def target_not_found(key: int) -> CommandRejected:
    return refuse(
        RejectionType.NOT_FOUND,
        "Expected to migrate process instance to process definition but no process"
        f" definition found with key '{key}'",
    )


def require_distinct_sources(key: int, instructions: Sequence[MappingInstruction]) -> None:
    counts = Counter(i.source_element_id for i in instructions)
    duplicates = [source for source, n in counts.items() if n > 1]
    if duplicates:
        raise refuse(
            RejectionType.INVALID_ARGUMENT,
            f"Expected to migrate process instance '{key}' but the mapping instructions contain"
            f" duplicate source element ids '[{', '.join(duplicates)}]'.",
        )


def _has_element(process: ExecutableProcess, element_id: str) -> bool:
    return (
        element_id in process.elements
        or element_id in process.sequence_flows
        or element_id == process.bpmn_process_id
    )


def require_elements_exist(
    key: int,
    source: ExecutableProcess,
    target: ExecutableProcess,
    instructions: Sequence[MappingInstruction],
) -> None:
    for instruction in instructions:
        for side, process, element_id in (
            ("source", source, instruction.source_element_id),
            ("target", target, instruction.target_element_id),
        ):
            if not _has_element(process, element_id):
                raise refuse(
                    RejectionType.INVALID_ARGUMENT,
                    f"Expected to migrate process instance '{key}' but mapping instructions"
                    f" contain a non-existing {side} element id '{element_id}'. Elements"
                    f" provided in mapping instructions must exist in the {side} process"
                    " definition.",
                )


def require_supported(key: int, instance: ElementInstance, source: ExecutableProcess) -> None:
    value = instance.value
    element_type = value.bpmn_element_type
    if element_type not in SUPPORTED_ELEMENT_TYPES:
        raise refuse(
            RejectionType.INVALID_STATE,
            f"Expected to migrate process instance '{key}' but active element with id"
            f" '{value.element_id}' has an unsupported type. The migration of a"
            f" {element_type.value} is not supported.",
        )
    if element_type is T.INTERMEDIATE_CATCH_EVENT:
        if value.bpmn_event_type not in SUPPORTED_CATCH_EVENT_TYPES:
            raise refuse(
                RejectionType.INVALID_STATE,
                f"Expected to migrate process instance '{key}' but active element with id"
                f" '{value.element_id}' is intermediate catch event of type"
                f" '{value.bpmn_event_type.value}'. Migrating active intermediate catch event"
                " of this type is not possible yet.",
            )
        node = source.elements.get(value.element_id)
        if node is not None and any(
            source.elements[source.sequence_flows[f].source_id].element_type
            is T.EVENT_BASED_GATEWAY
            for f in node.incoming
        ):
            raise refuse(
                RejectionType.INVALID_STATE,
                f"Expected to migrate process instance '{key}' but active element with id"
                f" '{value.element_id}' is an intermediate catch event attached to an"
                " event-based gateway. Migrating active events attached to an event-based"
                " gateway is not possible yet.",
            )


def require_mapped(key: int, element_id: str, target_id: str | None) -> str:
    if target_id is None:
        raise refuse(
            RejectionType.INVALID_STATE,
            f"Expected to migrate process instance '{key}' but no mapping instruction defined"
            f" for active element with id '{element_id}'. Elements cannot be migrated without"
            " a mapping.",
        )
    return target_id


def require_same_type(
    key: int, instance: ElementInstance, target_id: str, target_type: BpmnElementType
) -> None:
    source_type = instance.value.bpmn_element_type
    if source_type is not target_type:
        raise refuse(
            RejectionType.INVALID_STATE,
            f"Expected to migrate process instance '{key}' but active element with id"
            f" '{instance.value.element_id}' and type '{source_type.value}' is mapped to an"
            f" element with id '{target_id}' and different type '{target_type.value}'."
            " Elements must be mapped to elements of the same type.",
        )


def require_same_event_type(
    key: int, instance: ElementInstance, target_id: str, target_node: FlowNode
) -> None:
    value = instance.value
    if value.bpmn_element_type is not T.INTERMEDIATE_CATCH_EVENT:
        return
    if target_node.event_type is not value.bpmn_event_type:
        raise refuse(
            RejectionType.INVALID_STATE,
            f"Expected to migrate process instance '{key}' but active element with id"
            f" '{value.element_id}' and event type '{value.bpmn_event_type.value}' is mapped to"
            f" an element with id '{target_id}' and different event type"
            f" '{target_node.event_type.value}'. Catch events must be mapped to catch events"
            " of the same event type.",
        )


def require_same_user_task_implementation(
    key: int,
    instance: ElementInstance,
    target_id: str,
    target_node: FlowNode,
    state: StateReaders,
) -> bool:
    """Whether a job-based user task becomes a Camunda user task (`migration_user_tasks`);
    the other way is refused."""
    if instance.value.bpmn_element_type is not T.USER_TASK:
        return False
    source_kind = "zeebe user task" if state.user_tasks.for_element(instance.key) else "job worker"
    target_kind = "zeebe user task" if target_node.user_task is not None else "job worker"
    if source_kind == "job worker" and target_kind == "zeebe user task":
        return True
    if source_kind != target_kind:
        raise refuse(
            RejectionType.INVALID_STATE,
            f"Expected to migrate process instance '{key}' but active user task with id"
            f" '{instance.value.element_id}' and implementation '{source_kind}' is mapped to"
            f" an user task with id '{target_id}' and different implementation"
            f" '{target_kind}'. Elements must be mapped to elements of the same"
            " implementation.",
        )
    return False


def require_unchanged_flow_scope(
    key: int, instance: ElementInstance, target_node: FlowNode, state: StateReaders
) -> None:
    """The flow scope, already migrated (parents go first), must be the target's flow scope."""
    scope = state.elements.get(instance.flow_scope_key)
    if scope is None:
        return
    expected = scope.value.element_id
    # An inner instance's flow scope is its multi-instance body, of the same element id.
    inner = scope.value.bpmn_element_type is T.MULTI_INSTANCE_BODY
    actual = target_node.id if inner else target_node.flow_scope_id
    if actual != expected:
        raise refuse(
            RejectionType.INVALID_STATE,
            f"Expected to migrate process instance '{key}' but the flow scope of active"
            f" element with id '{instance.value.element_id}' is changed. The flow scope of"
            f" the active element is expected to be '{expected}' but was"
            f" '{actual}'. The flow scope of an element cannot be changed"
            " during migration yet.",
        )


def require_no_concurrent_command(key: int, instance: ElementInstance, state: StateReaders) -> None:
    """An event trigger waiting to be taken or a flow taken towards an element not activated
    yet: something else is under way in the instance."""
    if state.event_scopes.peek(instance.key) is not None or instance.active_flows > 0:
        raise refuse(
            RejectionType.INVALID_STATE,
            f"Expected to migrate process instance '{key}' but a concurrent command was"
            " executed on the process instance. Please retry the migration.",
        )


def require_no_waiting_join(key: int, instance: ElementInstance) -> None:
    """Honeyflow keeps the flows a joining gateway still waits for on its flow scope; they
    are not moved to the target yet (Zeebe 8.8 moves them with sequence flow mappings)."""
    waiting = sorted(g for g, flows in instance.taken_flows.items() if any(flows.values()))
    if waiting:
        raise refuse(
            RejectionType.INVALID_STATE,
            f"Expected to migrate process instance '{key}' but the joining gateway with id"
            f" '{waiting[0]}' in the scope of element '{instance.value.element_id}' waits for"
            " more incoming sequence flows. Migrating a gateway that waits to join is not"
            " possible yet.",
        )


def require_catch_events_stay_attached(
    key: int,
    element_id: str,
    target_id: str,
    source_catch: Sequence[FlowNode],
    target_catch: Mapping[str, FlowNode],
    mapping: Mapping[str, str],
) -> None:
    """A mapped catch element (boundary event, event subprocess start event, the catch event
    itself) must map to a catch element of the same element instance in the target, of the
    same event type, and no two onto one."""
    seen: dict[str, str] = {}
    for node in source_catch:
        mapped = mapping.get(node.id)
        if mapped is None or node.id == element_id:
            continue
        target_node = target_catch.get(mapped)
        if target_node is None:
            raise refuse(
                RejectionType.INVALID_STATE,
                f"Expected to migrate process instance '{key}' but active element with id"
                f" '{element_id}' is mapped to an element with id '{target_id}' and has a"
                f" catch event with id '{node.id}' that is mapped to a catch event with id"
                f" '{mapped}'. There are multiple mapping instructions or a mapping instruction"
                " that detaches the catch event from the element in the target process. Catch"
                " events must stay attached to the same element instance.",
            )
        if target_node.event_type is not node.event_type:
            raise refuse(
                RejectionType.INVALID_STATE,
                f"Expected to migrate process instance '{key}' but active element with id"
                f" '{element_id}' has a catch event with id '{node.id}' that is mapped to a"
                f" catch event with id '{mapped}'. These events have different event types:"
                f" '{node.event_type.value}' and '{target_node.event_type.value}'. The event"
                " type of a catch event cannot be changed by process instance migration.",
            )
        if mapped in seen:
            raise refuse(
                RejectionType.INVALID_STATE,
                f"Expected to migrate process instance '{key}' but active element with id"
                f" '{element_id}' has catch events with ids '{seen[mapped]}' and '{node.id}'"
                f" mapped to the same catch event with id '{mapped}'. Each catch event can"
                " only be mapped to one catch event in the target.",
            )
        seen[mapped] = node.id


def require_same_loop(
    key: int, instance: ElementInstance, source_node: FlowNode | None, target_node: FlowNode
) -> None:
    """A multi-instance body goes on with its inner instances: a sequential one must stay
    sequential, a parallel one parallel."""
    if instance.value.bpmn_element_type is not T.MULTI_INSTANCE_BODY or source_node is None:
        return
    source_loop, target_loop = source_node.multi_instance, target_node.multi_instance
    if source_loop is None or target_loop is None:
        return
    if source_loop.is_sequential != target_loop.is_sequential:
        kinds = {True: "sequential", False: "parallel"}
        raise refuse(
            RejectionType.INVALID_STATE,
            f"Expected to migrate process instance '{key}' but active multi-instance element"
            f" with id '{instance.value.element_id}' is {kinds[source_loop.is_sequential]}"
            f" and is mapped to an element with id '{target_node.id}' that is"
            f" {kinds[target_loop.is_sequential]}. A multi-instance element cannot change"
            " from sequential to parallel or back.",
        )


def require_no_start_event_instance_for_target(
    key: int,
    root: ElementInstance,
    target: DeployedProcess,
    target_process: ExecutableProcess,
    state: StateReaders,
) -> None:
    """An instance a message started moves to another process with message start events
    only if no instance of that process holds its correlation key (one active instance per
    correlation key and process)."""
    if root.value.bpmn_process_id == target.bpmn_process_id:
        return
    if not any(
        target_process.elements[s].event_type is BpmnEventType.MESSAGE
        for s in target_process.start_event_ids
    ):
        return
    started = state.messages.started_instance(root.key)
    if started is None:
        return
    locked = state.messages.active_start(
        target.bpmn_process_id, started.correlation_key, started.tenant_id
    )
    if locked is None:
        return
    raise refuse(
        RejectionType.INVALID_STATE,
        f"Expected to migrate process instance '{key}' but target process definition"
        f" '{target.key}' has an active instance triggered by a message start event with"
        f" correlation key '{started.correlation_key}'. Only one instance per correlation key"
        " is allowed for message start events.",
    )
