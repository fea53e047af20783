"""Values of deployments and of the processes they deploy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from broker.protocol.value_types import ValueType
from broker.protocol.values.base import RecordValue, ValueObject, key_prop, prop, tenant_prop
from broker.protocol.values.decision import DecisionRecordValue, DecisionRequirementsRecordValue
from broker.protocol.values.form import FormMetadata


@dataclass(frozen=True, slots=True)
class DeploymentResource(ValueObject):
    """One file of a deployment."""

    resource_name: str = prop("The file name, e.g. `order.bpmn`.", default="")
    resource: bytes = prop("The file's content, base64-encoded in JSON.", default=b"")


@dataclass(frozen=True, slots=True)
class ProcessMetadata(ValueObject):
    """A process that a deployment created (or found unchanged)."""

    bpmn_process_id: str = prop("The BPMN id of the process.", default="")
    version: int = prop("The version assigned to the process.", default=-1)
    process_definition_key: int = key_prop("The key of the deployed process.")
    resource_name: str = prop("The file the process was deployed from.", default="")
    checksum: bytes = prop(
        "Digest of the resource, base64-encoded in JSON; equal digests mean an unchanged"
        " process (a duplicate).",
        default=b"",
    )
    duplicate: bool = prop(
        "True if the process was deployed before unchanged; no new version was created.",
        default=False,
    )
    deployment_key: int = key_prop("The key of the deployment that created this version.")
    version_tag: str = prop("The version tag given in the BPMN, if any.", default="")
    tenant_id: str = tenant_prop()


@dataclass(frozen=True, slots=True)
class DeploymentRecordValue(RecordValue):
    """A deployment of BPMN and DMN resources. The record's `key` is the deployment key."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.DEPLOYMENT
    SCHEMA_NAME: ClassVar[str] = "deployment"

    resources: tuple[DeploymentResource, ...] = prop("The deployed files.", default=())
    processes_metadata: tuple[ProcessMetadata, ...] = prop(
        "The processes found in the files (set on CREATED).", default=()
    )
    decisions_metadata: tuple[DecisionRecordValue, ...] = prop(
        "The decisions found in the DMN files (set on CREATED).", default=()
    )
    decision_requirements_metadata: tuple[DecisionRequirementsRecordValue, ...] = prop(
        "The decision requirements graphs of the DMN files, without their resource (set on"
        " CREATED).",
        default=(),
    )
    form_metadata: tuple[FormMetadata, ...] = prop(
        "The forms (`.form` files) found in the deployment (set on CREATED).", default=()
    )
    deployment_key: int = key_prop("The key of the deployment.")
    tenant_id: str = tenant_prop()


@dataclass(frozen=True, slots=True)
class ProcessRecordValue(RecordValue):
    """One deployed process version. The record's `key` is the process definition key."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.PROCESS
    SCHEMA_NAME: ClassVar[str] = "process"

    bpmn_process_id: str = prop("The BPMN id of the process.", default="")
    version: int = prop("The version of the process.", default=-1)
    process_definition_key: int = key_prop("The key of the deployed process.")
    resource_name: str = prop("The file the process was deployed from.", default="")
    checksum: bytes = prop("Digest of the resource, base64-encoded in JSON.", default=b"")
    resource: bytes = prop("The BPMN XML, base64-encoded in JSON.", default=b"")
    duplicate: bool = prop("True if this version was deployed before unchanged.", default=False)
    deployment_key: int = key_prop("The key of the deployment that created this version.")
    version_tag: str = prop("The version tag given in the BPMN, if any.", default="")
    tenant_id: str = tenant_prop()
