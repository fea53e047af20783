"""Deployed processes: versions per BPMN process id, the latest checksum (to recognise an
unchanged resource), deployments seen (for idempotent distribution) and a cache of the
executable model parsed from each stored resource. Versions are per tenant: the same BPMN id
deployed for two tenants makes two definitions, each with its own versions."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from bpmn import ExecutableProcess, load
from broker.protocol.values import DEFAULT_TENANT_ID
from processors.engine.kv_store import KeyValueStore, pack
from processors.engine.state.tenant_families import tenant_family

_PROCESSES = "processes"
_VERSIONS = "process_versions"
_LATEST = "process_latest"
_DEPLOYMENTS = "deployments"
_HIGHEST = "process_highest_version"


@dataclass(frozen=True, slots=True)
class DeployedProcess:
    key: int
    bpmn_process_id: str
    version: int
    resource_name: str
    checksum: str
    deployment_key: int
    version_tag: str
    tenant_id: str = DEFAULT_TENANT_ID


class ProcessReader:
    def __init__(self, store: KeyValueStore) -> None:
        self._store = store
        # Parsed models are derived data (a pure function of the stored resource): not state.
        self._models: dict[int, ExecutableProcess] = {}

    def by_key(self, key: int) -> DeployedProcess | None:
        raw = self._store.get(_PROCESSES, pack(key))
        return None if raw is None else _deployed(key, raw)

    def latest_version(self, bpmn_process_id: str, tenant_id: str) -> int:
        value = self._store.get(tenant_family(_LATEST, tenant_id), pack(bpmn_process_id))
        return 0 if value is None else int(value["v"])

    def next_version(self, bpmn_process_id: str, tenant_id: str) -> int:
        """The version a new deployment of `bpmn_process_id` gets: versions of deleted
        definitions are never given again, as in Zeebe."""
        highest = self._store.get(tenant_family(_HIGHEST, tenant_id), pack(bpmn_process_id))
        latest = self.latest_version(bpmn_process_id, tenant_id)
        return max(0 if highest is None else int(highest), latest) + 1

    def by_version(
        self, bpmn_process_id: str, version: int, tenant_id: str
    ) -> DeployedProcess | None:
        key = self._store.get(tenant_family(_VERSIONS, tenant_id), pack(bpmn_process_id, version))
        return None if key is None else self.by_key(int(key))

    def latest(self, bpmn_process_id: str, tenant_id: str) -> DeployedProcess | None:
        version = self.latest_version(bpmn_process_id, tenant_id)
        return None if version == 0 else self.by_version(bpmn_process_id, version, tenant_id)

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
        tenant_id: str = DEFAULT_TENANT_ID,
    ) -> None:
        raw: dict[str, Any] = {
            "b": bpmn_process_id,
            "v": version,
            "n": resource_name,
            "r": base64.b64encode(resource).decode("ascii"),
            "c": checksum,
            "d": deployment_key,
            "t": version_tag,
        }
        if tenant_id != DEFAULT_TENANT_ID:
            raw["tn"] = tenant_id
        self._store.put(_PROCESSES, pack(key), raw)
        self._store.put(tenant_family(_VERSIONS, tenant_id), pack(bpmn_process_id, version), key)
        if version >= self.latest_version(bpmn_process_id, tenant_id):
            self._store.put(
                tenant_family(_LATEST, tenant_id),
                pack(bpmn_process_id),
                {"v": version, "c": checksum},
            )

    def delete_version(self, key: int) -> None:
        """PROCESS DELETING: no new instance finds this version any more (by version or as the
        latest); the previous version left becomes the latest."""
        deployed = self.by_key(key)
        if deployed is None:
            return
        process_id, version, tenant = deployed.bpmn_process_id, deployed.version, deployed.tenant_id
        latest_family = tenant_family(_LATEST, tenant)
        self._store.put(
            tenant_family(_HIGHEST, tenant),
            pack(process_id),
            self.next_version(process_id, tenant) - 1,
        )
        self._store.delete(tenant_family(_VERSIONS, tenant), pack(process_id, version))
        if self.latest_version(process_id, tenant) != version:
            return
        for earlier in range(version - 1, 0, -1):
            previous = self.by_version(process_id, earlier, tenant)
            if previous is not None:
                self._store.put(
                    latest_family, pack(process_id), {"v": earlier, "c": previous.checksum}
                )
                return
        self._store.delete(latest_family, pack(process_id))

    def delete_process(self, key: int) -> None:
        """PROCESS DELETED: the definition is gone."""
        self._store.delete(_PROCESSES, pack(key))
        self._models.pop(key, None)

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
        tenant_id=raw.get("tn", DEFAULT_TENANT_ID),
    )
