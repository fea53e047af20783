"""What client calls return: frozen values built from the engine's answering records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class DeployedProcess:
    bpmn_process_id: str
    version: int
    process_definition_key: int
    resource_name: str
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class Deployment:
    key: int
    processes: tuple[DeployedProcess, ...]


@dataclass(frozen=True, slots=True)
class InstanceResult:
    process_instance_key: int
    bpmn_process_id: str
    version: int
    process_definition_key: int
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ActivatedJob:
    key: int
    type: str
    variables: dict[str, Any]
    custom_headers: dict[str, str]
    retries: int
    deadline: int
    worker: str
    element_id: str
    element_instance_key: int
    process_instance_key: int
    bpmn_process_id: str
    process_definition_key: int
    retry_backoff: int = 0
    """Milliseconds the job waited after its last failure (0 if it never failed, or failed
    without back-off); the worker's exponential back-off grows from it."""
