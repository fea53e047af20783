"""Values of resource deletion (Zeebe's RESOURCE_DELETION): a deployed process definition,
decision requirements graph or form, named by its key, removed from every partition."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from broker.protocol.value_types import ValueType
from broker.protocol.values.base import RecordValue, key_prop, tenant_prop


@dataclass(frozen=True, slots=True)
class ResourceDeletionRecordValue(RecordValue):
    """A request to delete a deployed resource, and the fact that it is being (DELETING) and was
    (DELETED) deleted on a partition."""

    VALUE_TYPE: ClassVar[ValueType] = ValueType.RESOURCE_DELETION
    SCHEMA_NAME: ClassVar[str] = "resource-deletion"

    resource_key: int = key_prop(
        "The key of the process definition, decision requirements graph or form to delete."
    )
    tenant_id: str = tenant_prop()
