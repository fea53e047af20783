"""Deploying `.dmn` resources (Zeebe's DMN resource transformer): each file is one decision
requirements graph (DRG) with its decisions. A DRG whose latest version has the same checksum
and resource name is a duplicate (it and its decisions keep their versions, if the rest of the
deployment is unchanged too); otherwise the DRG gets the next version of its id and each
decision the next version of its own id. Writes DECISION_REQUIREMENTS CREATED and DECISION
CREATED, and gives the deployment's metadata; a distributed deployment writes the same records
with the same keys on the other partitions."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from bpmn.dmn import DecisionRequirementsGraph, parse_dmn
from broker.protocol.intents import DecisionIntent, DecisionRequirementsIntent
from broker.protocol.values import (
    DecisionRecordValue,
    DecisionRequirementsRecordValue,
    DeploymentRecordValue,
    DeploymentResource,
)
from processors.engine.context import ProcessingContext
from processors.engine.state import StateReaders


def is_dmn(resource_name: str) -> bool:
    """Zeebe tells a resource's kind by its file name: `.dmn` is a decision file."""
    return resource_name.lower().endswith(".dmn")


def _checksum(resource: bytes) -> bytes:
    return hashlib.md5(resource, usedforsecurity=False).digest()


@dataclass(frozen=True, slots=True)
class LoadedDrg:
    resource_name: str
    resource: bytes
    graph: DecisionRequirementsGraph

    @property
    def checksum(self) -> bytes:
        return _checksum(self.resource)


def load_drg(resource: DeploymentResource) -> LoadedDrg:
    """Parse and validate one `.dmn` resource; raises `BpmnError` naming what is wrong."""
    graph = parse_dmn(resource.resource, resource.resource_name)
    return LoadedDrg(resource.resource_name, resource.resource, graph)


def drg_problems(loaded: list[LoadedDrg]) -> str:
    """Zeebe's rejection reason when DRG ids or decision ids repeat within the deployment."""
    drg_first: dict[str, str] = {}
    decision_first: dict[str, str] = {}
    for drg in loaded:
        first = drg_first.setdefault(drg.graph.id, drg.resource_name)
        if first != drg.resource_name:
            return (
                "Expected the decision requirements ids to be unique within a deployment but"
                f" found a duplicated id '{drg.graph.id}' in the resources '{first}' and"
                f" '{drg.resource_name}'."
            )
        for decision in drg.graph.decisions:
            first = decision_first.setdefault(decision.id, drg.resource_name)
            if first != drg.resource_name:
                return (
                    "Expected the decision ids to be unique within a deployment but found a"
                    f" duplicated id '{decision.id}' in the resources '{first}' and"
                    f" '{drg.resource_name}'."
                )
    return ""


def unchanged(state: StateReaders, loaded: list[LoadedDrg], tenant_id: str) -> bool:
    """Whether every DRG is its latest version again (same checksum and resource name)."""
    for drg in loaded:
        latest = state.decisions.latest_drg(drg.graph.id, tenant_id)
        if (
            latest is None
            or latest.checksum != drg.checksum.hex()
            or latest.resource_name != drg.resource_name
        ):
            return False
    return True


def deploy_drgs(
    ctx: ProcessingContext,
    loaded: list[LoadedDrg],
    deployment_key: int,
    duplicates_only: bool,
    tenant_id: str,
) -> tuple[tuple[DecisionRecordValue, ...], tuple[DecisionRequirementsRecordValue, ...]]:
    """Write the records of `loaded`; the deployment's decisions and DRGs metadata."""
    decisions_meta: list[DecisionRecordValue] = []
    drgs_meta: list[DecisionRequirementsRecordValue] = []
    state = ctx.state.decisions
    for drg in loaded:
        graph = drg.graph
        latest = state.latest_drg(graph.id, tenant_id)
        if duplicates_only and latest is not None:
            drgs_meta.append(
                DecisionRequirementsRecordValue(
                    decision_requirements_id=graph.id,
                    decision_requirements_name=graph.name,
                    decision_requirements_version=latest.version,
                    decision_requirements_key=latest.key,
                    namespace=graph.namespace,
                    resource_name=drg.resource_name,
                    checksum=drg.checksum,
                    duplicate=True,
                    tenant_id=tenant_id,
                )
            )
            for info in graph.decisions:
                deployed = state.by_key(latest.decisions.get(info.id, (-1, -1))[0])
                if deployed is None:
                    continue
                decisions_meta.append(
                    DecisionRecordValue(
                        decision_id=info.id,
                        decision_name=info.name,
                        version=deployed.version,
                        decision_key=deployed.key,
                        decision_requirements_id=graph.id,
                        decision_requirements_key=latest.key,
                        duplicate=True,
                        deployment_key=deployed.deployment_key,
                        version_tag=deployed.version_tag,
                        tenant_id=tenant_id,
                    )
                )
            continue
        drg_key = ctx.next_key()
        created = DecisionRequirementsRecordValue(
            decision_requirements_id=graph.id,
            decision_requirements_name=graph.name,
            decision_requirements_version=state.latest_drg_version(graph.id, tenant_id) + 1,
            decision_requirements_key=drg_key,
            namespace=graph.namespace,
            resource_name=drg.resource_name,
            checksum=drg.checksum,
            resource=drg.resource,
            tenant_id=tenant_id,
        )
        ctx.event(drg_key, DecisionRequirementsIntent.CREATED, created)
        drgs_meta.append(_without_resource(created))
        for info in graph.decisions:
            decision_key = ctx.next_key()
            decision = DecisionRecordValue(
                decision_id=info.id,
                decision_name=info.name,
                version=state.latest_version(info.id, tenant_id) + 1,
                decision_key=decision_key,
                decision_requirements_id=graph.id,
                decision_requirements_key=drg_key,
                deployment_key=deployment_key,
                version_tag=info.version_tag,
                tenant_id=tenant_id,
            )
            ctx.event(decision_key, DecisionIntent.CREATED, decision)
            decisions_meta.append(decision)
    return tuple(decisions_meta), tuple(drgs_meta)


def _without_resource(drg: DecisionRequirementsRecordValue) -> DecisionRequirementsRecordValue:
    return DecisionRequirementsRecordValue(
        decision_requirements_id=drg.decision_requirements_id,
        decision_requirements_name=drg.decision_requirements_name,
        decision_requirements_version=drg.decision_requirements_version,
        decision_requirements_key=drg.decision_requirements_key,
        namespace=drg.namespace,
        resource_name=drg.resource_name,
        checksum=drg.checksum,
        duplicate=drg.duplicate,
        tenant_id=drg.tenant_id,
    )


def apply_distributed(ctx: ProcessingContext, value: DeploymentRecordValue) -> None:
    """The DRGs and decisions of a deployment distributed from another partition: the same
    records with the same keys, each written once."""
    data = {r.resource_name: r.resource for r in value.resources}
    state = ctx.state.decisions
    for drg in value.decision_requirements_metadata:
        if drg.duplicate or state.drg(drg.decision_requirements_key) is not None:
            continue
        ctx.event(
            drg.decision_requirements_key,
            DecisionRequirementsIntent.CREATED,
            DecisionRequirementsRecordValue(
                decision_requirements_id=drg.decision_requirements_id,
                decision_requirements_name=drg.decision_requirements_name,
                decision_requirements_version=drg.decision_requirements_version,
                decision_requirements_key=drg.decision_requirements_key,
                namespace=drg.namespace,
                resource_name=drg.resource_name,
                checksum=drg.checksum,
                resource=data.get(drg.resource_name, b""),
                tenant_id=drg.tenant_id,
            ),
        )
    for decision in value.decisions_metadata:
        if decision.duplicate or state.by_key(decision.decision_key) is not None:
            continue
        ctx.event(decision.decision_key, DecisionIntent.CREATED, decision)
