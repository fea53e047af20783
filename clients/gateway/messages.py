"""Between the gateway protocol's messages and our records: variables travel as JSON text in
gRPC (a JSON object, or empty for none), keys and durations as longs in milliseconds."""

from __future__ import annotations

import json
from typing import Any

from pyzeebe.proto import gateway_pb2 as pb

from broker.protocol.values import JobRecordValue
from clients.arguments import Arguments
from clients.errors import InvalidArgumentError
from clients.gateway.status import invalid_argument


def variables(call: str, text: str, field: str = "variables") -> dict[str, Any] | None:
    """The JSON object in `text` (None when empty), checked as our client checks variables;
    anything else is INVALID_ARGUMENT naming the field, as Zeebe's gateway refuses it."""
    if not text.strip():
        return None
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise invalid_argument(
            f"Property '{field}' is invalid: Expected document to be valid JSON, but it was"
            f" not: {error}"
        ) from None
    if not isinstance(document, dict):
        kind = "ARRAY" if isinstance(document, list) else type(document).__name__.upper()
        raise invalid_argument(
            f"Property '{field}' is invalid: Expected document to be a root level object,"
            f" but was '{kind}'"
        )
    try:
        return Arguments(call).variables(field, document)
    except InvalidArgumentError as error:
        raise invalid_argument(f"Property '{field}' is invalid: {error.reason}") from None


def as_json(document: dict[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"))


def fetched(document: dict[str, Any], names: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """Only the variables named (all when none are)."""
    if not names:
        return dict(document)
    return {name: document[name] for name in names if name in document}


def activated_job(
    key: int, job: JobRecordValue, fetch_variables: list[str] | tuple[str, ...]
) -> pb.ActivatedJob:
    return pb.ActivatedJob(
        key=key,
        type=job.type,
        processInstanceKey=job.process_instance_key,
        bpmnProcessId=job.bpmn_process_id,
        processDefinitionVersion=job.process_definition_version,
        processDefinitionKey=job.process_definition_key,
        elementId=job.element_id,
        elementInstanceKey=job.element_instance_key,
        customHeaders=as_json(dict(job.custom_headers)),
        worker=job.worker,
        retries=job.retries,
        deadline=job.deadline,
        variables=as_json(fetched(dict(job.variables), fetch_variables)),
        tenantId=job.tenant_id,
    )
