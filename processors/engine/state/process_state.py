"""Deployed processes: versions per BPMN process id, the latest checksum (to recognise an
unchanged resource), deployments seen (for idempotent distribution) and a cache of the
executable model parsed from each stored resource."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from bpmn import ExecutableProcess, load
from processors.engine.kv_store import KeyValueStore, pack

_PROCESSES = "processes"
_VERSIONS = "process_versions"
_LATEST = "process_latest"
_DEPLOYMENTS = "deployments"


@dataclass(frozen=True, slots=True)
class DeployedProcess:
    key: int
    bpmn_process_id: str
    version: int
    resource_name: str
    checksum: str
    deployment_key: int
    version_tag: str


class ProcessReader:
    def __init__(self, store: KeyValueStore) -> None:
        self._store = store
        # Parsed models are derived data (a pure function of the stored resource): not state.
        self._models: dict[int, ExecutableProcess] = {}

    def by_key(self, key: int) -> DeployedProcess | None:
        raw = self._store.get(_PROCESSES, pack(key))
        return None if raw is None else _deployed(key, raw)

    def latest_version(self, bpmn_process_id: str) -> int:
        value = self._store.get(_LATEST, pack(bpmn_process_id))
        return 0 if value is None else int(value["v"])

    def by_version(self, bpmn_process_id: str, version: int) -> DeployedProcess | None:
        key = self._store.get(_VERSIONS, pack(bpmn_process_id, version))
        return None if key is None else self.by_key(int(key))

    def latest(self, bpmn_process_id: str) -> DeployedProcess | None:
        version = self.latest_version(bpmn_process_id)
        return None if version == 0 else self.by_version(bpmn_process_id, version)

    def deployment_exists(self, deployment_key: int) -> bool:
        return self._store.get(_DEPLOYMENTS, pack(deployment_key)) is not None

    def executable(self, key: int) -> ExecutableProcess:
        model = self._models.get(key)
        if model is None:
            raw = self._store.get(_PROCESSES, pack(key))
            if raw is None:
                raise KeyError(f"no process definition with key {key}")
            data = base64.b64decode(raw["r"])
            model = load(data, source_name=raw["n"]).process(raw["b"])
            self._models[key] = model
        return model


class ProcessState(ProcessReader):
    def put_process(
        self,
        key: int,
        bpmn_process_id: str,
        version: int,
        resource_name: str,
        resource: bytes,
        checksum: str,
        deployment_key: int,
        version_tag: str,
    ) -> None:
        self._store.put(
            _PROCESSES,
            pack(key),
            {
                "b": bpmn_process_id,
                "v": version,
                "n": resource_name,
                "r": base64.b64encode(resource).decode("ascii"),
                "c": checksum,
                "d": deployment_key,
                "t": version_tag,
            },
        )
        self._store.put(_VERSIONS, pack(bpmn_process_id, version), key)
        if version >= self.latest_version(bpmn_process_id):
            self._store.put(_LATEST, pack(bpmn_process_id), {"v": version, "c": checksum})

    def put_deployment(self, deployment_key: int) -> None:
        self._store.put(_DEPLOYMENTS, pack(deployment_key), 1)


def _deployed(key: int, raw: dict[str, Any]) -> DeployedProcess:
    return DeployedProcess(
        key=key,
        bpmn_process_id=raw["b"],
        version=raw["v"],
        resource_name=raw["n"],
        checksum=raw["c"],
        deployment_key=raw["d"],
        version_tag=raw["t"],
    )
