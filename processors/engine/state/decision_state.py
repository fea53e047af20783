"""Deployed decisions and decision requirements graphs (DRGs): versions per decision id and
per DRG id, the latest DRG's checksum and resource name (to recognise an unchanged resource),
the decisions of each DRG, and a cache of the DRG parsed from each stored DMN resource."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bpmn.dmn import DecisionRequirementsGraph, parse_dmn
from broker.protocol.values import DEFAULT_TENANT_ID
from processors.engine.kv_store import KeyValueStore, last_int, pack
from processors.engine.state.tenant_families import tenant_family

_DECISIONS = "decisions"
_DECISION_VERSIONS = "decision_versions"
_DECISION_LATEST = "decision_latest"
_DRGS = "decision_requirements"
_DRG_LATEST = "decision_requirements_latest"


@dataclass(frozen=True, slots=True)
class DeployedDecision:
    key: int
    decision_id: str
    decision_name: str
    version: int
    decision_requirements_id: str
    decision_requirements_key: int
    deployment_key: int
    version_tag: str
    tenant_id: str = DEFAULT_TENANT_ID


@dataclass(frozen=True, slots=True)
class DeployedDrg:
    key: int
    decision_requirements_id: str
    name: str
    version: int
    namespace: str
    resource_name: str
    checksum: str
    decisions: dict[str, tuple[int, int]]
    """Decision id → (decision key, version) of the decisions deployed with this graph."""
    tenant_id: str = DEFAULT_TENANT_ID


class DecisionReader:
    def __init__(self, store: KeyValueStore) -> None:
        self._store = store
        # Parsed graphs are derived data (a pure function of the stored resource): not state.
        self._parsed: dict[int, DecisionRequirementsGraph] = {}

    def by_key(self, key: int) -> DeployedDecision | None:
        raw = self._store.get(_DECISIONS, pack(key))
        return None if raw is None else _decision(key, raw)

    def latest_version(self, decision_id: str, tenant_id: str) -> int:
        value = self._store.get(tenant_family(_DECISION_LATEST, tenant_id), pack(decision_id))
        return 0 if value is None else int(value)

    def by_version(self, decision_id: str, version: int, tenant_id: str) -> DeployedDecision | None:
        key = self._store.get(
            tenant_family(_DECISION_VERSIONS, tenant_id), pack(decision_id, version)
        )
        return None if key is None else self.by_key(int(key))

    def latest(self, decision_id: str, tenant_id: str) -> DeployedDecision | None:
        version = self.latest_version(decision_id, tenant_id)
        return None if version == 0 else self.by_version(decision_id, version, tenant_id)

    def latest_where(
        self, decision_id: str, tenant_id: str, matches: Callable[[DeployedDecision], bool]
    ) -> DeployedDecision | None:
        """The latest version of `decision_id` that `matches`, read from the latest down."""
        for version in range(self.latest_version(decision_id, tenant_id), 0, -1):
            deployed = self.by_version(decision_id, version, tenant_id)
            if deployed is not None and matches(deployed):
                return deployed
        return None

    def drg(self, key: int) -> DeployedDrg | None:
        raw = self._store.get(_DRGS, pack(key))
        return None if raw is None else _drg(key, raw)

    def latest_drg(self, decision_requirements_id: str, tenant_id: str) -> DeployedDrg | None:
        key = self._store.get(tenant_family(_DRG_LATEST, tenant_id), pack(decision_requirements_id))
        return None if key is None else self.drg(int(key))

    def latest_drg_version(self, decision_requirements_id: str, tenant_id: str) -> int:
        latest = self.latest_drg(decision_requirements_id, tenant_id)
        return 0 if latest is None else latest.version

    def parsed(self, drg_key: int) -> DecisionRequirementsGraph:
        graph = self._parsed.get(drg_key)
        if graph is None:
            raw = self._store.get(_DRGS, pack(drg_key))
            if raw is None:
                raise KeyError(f"no decision requirements graph with key {drg_key}")
            graph = parse_dmn(base64.b64decode(raw["r"]), raw["rn"])
            self._parsed[drg_key] = graph
        return graph


class DecisionState(DecisionReader):
    def put_drg(
        self,
        key: int,
        decision_requirements_id: str,
        name: str,
        version: int,
        namespace: str,
        resource_name: str,
        resource: bytes,
        checksum: str,
        tenant_id: str = DEFAULT_TENANT_ID,
    ) -> None:
        raw: dict[str, Any] = {
            "i": decision_requirements_id,
            "n": name,
            "v": version,
            "ns": namespace,
            "rn": resource_name,
            "r": base64.b64encode(resource).decode("ascii"),
            "c": checksum,
            "ds": {},
        }
        if tenant_id != DEFAULT_TENANT_ID:
            raw["tn"] = tenant_id
        self._store.put(_DRGS, pack(key), raw)
        if version >= self.latest_drg_version(decision_requirements_id, tenant_id):
            self._store.put(
                tenant_family(_DRG_LATEST, tenant_id), pack(decision_requirements_id), key
            )

    def put_decision(self, decision: DeployedDecision) -> None:
        tenant = decision.tenant_id
        raw: dict[str, Any] = {
            "i": decision.decision_id,
            "n": decision.decision_name,
            "v": decision.version,
            "ri": decision.decision_requirements_id,
            "rk": decision.decision_requirements_key,
            "d": decision.deployment_key,
            "t": decision.version_tag,
        }
        if tenant != DEFAULT_TENANT_ID:
            raw["tn"] = tenant
        self._store.put(_DECISIONS, pack(decision.key), raw)
        self._store.put(
            tenant_family(_DECISION_VERSIONS, tenant),
            pack(decision.decision_id, decision.version),
            decision.key,
        )
        if decision.version >= self.latest_version(decision.decision_id, tenant):
            self._store.put(
                tenant_family(_DECISION_LATEST, tenant),
                pack(decision.decision_id),
                decision.version,
            )
        drg = self._store.get(_DRGS, pack(decision.decision_requirements_key))
        if drg is not None:
            decisions = dict(drg["ds"])
            decisions[decision.decision_id] = [decision.key, decision.version]
            self._store.put(
                _DRGS, pack(decision.decision_requirements_key), {**drg, "ds": decisions}
            )

    def delete_decision(self, key: int) -> None:
        """DECISION DELETED: the version is gone; the previous one left becomes the latest."""
        decision = self.by_key(key)
        if decision is None:
            return
        tenant = decision.tenant_id
        latest_family = tenant_family(_DECISION_LATEST, tenant)
        self._store.delete(_DECISIONS, pack(key))
        self._store.delete(
            tenant_family(_DECISION_VERSIONS, tenant),
            pack(decision.decision_id, decision.version),
        )
        if self.latest_version(decision.decision_id, tenant) != decision.version:
            return
        for earlier in range(decision.version - 1, 0, -1):
            if self.by_version(decision.decision_id, earlier, tenant) is not None:
                self._store.put(latest_family, pack(decision.decision_id), earlier)
                return
        self._store.delete(latest_family, pack(decision.decision_id))

    def delete_drg(self, key: int) -> None:
        """DECISION_REQUIREMENTS DELETED: the graph is gone; the previous version left (the
        graphs are few: read them all) becomes the latest."""
        drg = self.drg(key)
        if drg is None:
            return
        self._store.delete(_DRGS, pack(key))
        self._parsed.pop(key, None)
        latest_family = tenant_family(_DRG_LATEST, drg.tenant_id)
        latest = self._store.get(latest_family, pack(drg.decision_requirements_id))
        if latest is None or int(latest) != key:
            return
        others = [
            (raw["v"], last_int(index))
            for index, raw in self._store.iterate(_DRGS)
            if raw["i"] == drg.decision_requirements_id
            and raw.get("tn", DEFAULT_TENANT_ID) == drg.tenant_id
        ]
        if others:
            self._store.put(latest_family, pack(drg.decision_requirements_id), max(others)[1])
        else:
            self._store.delete(latest_family, pack(drg.decision_requirements_id))


def _decision(key: int, raw: dict[str, Any]) -> DeployedDecision:
    return DeployedDecision(
        key=key,
        decision_id=raw["i"],
        decision_name=raw["n"],
        version=raw["v"],
        decision_requirements_id=raw["ri"],
        decision_requirements_key=raw["rk"],
        deployment_key=raw["d"],
        version_tag=raw["t"],
        tenant_id=raw.get("tn", DEFAULT_TENANT_ID),
    )


def _drg(key: int, raw: dict[str, Any]) -> DeployedDrg:
    return DeployedDrg(
        key=key,
        decision_requirements_id=raw["i"],
        name=raw["n"],
        version=raw["v"],
        namespace=raw["ns"],
        resource_name=raw["rn"],
        checksum=raw["c"],
        decisions={k: (int(v[0]), int(v[1])) for k, v in raw["ds"].items()},
        tenant_id=raw.get("tn", DEFAULT_TENANT_ID),
    )
