"""Values of deployed forms (Camunda Forms `.form` resources), versioned per form id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from broker.protocol.value_types import ValueType
from broker.protocol.values.base import RecordValue, ValueObject, key_prop, prop, tenant_prop


@dataclass(frozen=True, slots=True)
class FormMetadata(ValueObject):
    """A form that a deployment created (or found unchanged)."""

    form_id: str = prop("The form's `id` (from its JSON).", default="")
    version: int = prop("The version assigned to the form.", default=-1)
    form_key: int = key_prop("The key of the deployed form.")
    resource_name: str = prop("The file the form was deployed from.", default="")
    checksum: bytes = prop(
        "Digest of the resource, base64-encoded in JSON; equal digests mean an unchanged form.",
        default=b"",
    )
    duplicate: bool = prop(
        "True if the form was deployed before unchanged; no new version was created.", default=False
    )
    deployment_key: int = key_prop("The key of the deployment that created this version.")
    version_tag: str = prop(
        "The form's version tag (`versionTag` in its JSON), if any.", default=""
    )
    tenant_id: str = tenant_prop()


@dataclass(frozen=True, slots=True)
class FormRecordValue(RecordValue):
    """One deployed form version. The record's `key` is the form key."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.FORM
    SCHEMA_NAME: ClassVar[str] = "form"

    form_id: str = prop("The form's `id` (from its JSON).", default="")
    version: int = prop("The version of the form.", default=-1)
    form_key: int = key_prop("The key of the deployed form.")
    resource_name: str = prop("The file the form was deployed from.", default="")
    checksum: bytes = prop("Digest of the resource, base64-encoded in JSON.", default=b"")
    resource: bytes = prop("The form's JSON, base64-encoded in JSON.", default=b"")
    duplicate: bool = prop("True if this version was deployed before unchanged.", default=False)
    deployment_key: int = key_prop("The key of the deployment that created this version.")
    version_tag: str = prop(
        "The form's version tag (`versionTag` in its JSON), if any.", default=""
    )
    tenant_id: str = tenant_prop()
