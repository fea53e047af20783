"""The command processor of every (value type, intent) the engine accepts. A command with no
entry here is rejected as INVALID_ARGUMENT."""

from __future__ import annotations

from broker.protocol import Intent, ValueType
from broker.protocol.intents import (
    CommandDistributionIntent,
    DecisionEvaluationIntent,
    DeploymentIntent,
    IncidentIntent,
    JobBatchIntent,
    JobIntent,
    ProcessInstanceCreationIntent,
    ProcessInstanceIntent,
    ProcessInstanceModificationIntent,
    ResourceDeletionIntent,
    TimerIntent,
    VariableDocumentIntent,
)
from processors.engine import (
    batch_processors,
    creation_processors,
    decision_evaluation_processors,
    deployment_processors,
    incident_processors,
    instance_processors,
    job_processors,
    modification_processors,
    resource_deletion_processors,
    timer_processors,
    variable_processors,
)
from processors.engine.context import CommandProcessor
from processors.engine.message_registry import MESSAGE_PROCESSORS
from processors.engine.migration_processors import MIGRATION_PROCESSORS
from processors.engine.signal_processors import SIGNAL_PROCESSORS
from processors.engine.user_task_processors import USER_TASK_PROCESSORS

PI = ProcessInstanceIntent

PROCESSORS: dict[tuple[ValueType, Intent], CommandProcessor] = {
    (ValueType.DEPLOYMENT, DeploymentIntent.CREATE): deployment_processors.create_deployment,
    (
        ValueType.COMMAND_DISTRIBUTION,
        CommandDistributionIntent.ACKNOWLEDGE,
    ): deployment_processors.acknowledge_distribution,
    (
        ValueType.PROCESS_INSTANCE_CREATION,
        ProcessInstanceCreationIntent.CREATE,
    ): creation_processors.create_instance,
    (
        ValueType.PROCESS_INSTANCE_CREATION,
        ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT,
    ): creation_processors.create_instance,
    (ValueType.PROCESS_INSTANCE, PI.ACTIVATE_ELEMENT): instance_processors.activate_element,
    (ValueType.PROCESS_INSTANCE, PI.COMPLETE_ELEMENT): instance_processors.complete_element,
    (ValueType.PROCESS_INSTANCE, PI.TERMINATE_ELEMENT): instance_processors.terminate_element,
    (ValueType.PROCESS_INSTANCE, PI.CANCEL): instance_processors.cancel_instance,
    (
        ValueType.PROCESS_INSTANCE,
        PI.COMPLETE_EXECUTION_LISTENER,
    ): instance_processors.complete_execution_listener,
    (ValueType.JOB_BATCH, JobBatchIntent.ACTIVATE): batch_processors.activate_jobs,
    (ValueType.JOB, JobIntent.COMPLETE): job_processors.complete_job,
    (ValueType.JOB, JobIntent.FAIL): job_processors.fail_job,
    (ValueType.JOB, JobIntent.THROW_ERROR): job_processors.throw_job_error,
    (ValueType.JOB, JobIntent.UPDATE_RETRIES): job_processors.update_retries,
    (ValueType.JOB, JobIntent.UPDATE_TIMEOUT): job_processors.update_timeout,
    (ValueType.JOB, JobIntent.TIME_OUT): job_processors.time_out,
    (ValueType.JOB, JobIntent.RECUR_AFTER_BACKOFF): job_processors.recur_after_backoff,
    (ValueType.INCIDENT, IncidentIntent.RESOLVE): incident_processors.resolve_incident,
    (ValueType.TIMER, TimerIntent.TRIGGER): timer_processors.trigger_timer,
    (
        ValueType.VARIABLE_DOCUMENT,
        VariableDocumentIntent.UPDATE,
    ): variable_processors.update_variables,
    (
        ValueType.DECISION_EVALUATION,
        DecisionEvaluationIntent.EVALUATE,
    ): decision_evaluation_processors.evaluate_decision,
    (
        ValueType.PROCESS_INSTANCE_MODIFICATION,
        ProcessInstanceModificationIntent.MODIFY,
    ): modification_processors.modify_instance,
    (
        ValueType.RESOURCE_DELETION,
        ResourceDeletionIntent.DELETE,
    ): resource_deletion_processors.delete_resource,
    **MESSAGE_PROCESSORS,
    **SIGNAL_PROCESSORS,
    **MIGRATION_PROCESSORS,
    **{(ValueType.USER_TASK, intent): p for intent, p in USER_TASK_PROCESSORS.items()},
}
