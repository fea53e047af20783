"""Forms in a deployment: `.form` resources (Camunda Forms JSON with an `id`) become FORM
CREATED records, versioned per form id. As for processes, a form deployed unchanged (same
checksum as its latest version) in a deployment whose every resource is unchanged is a
duplicate and keeps its version; forms reach every partition with the deployment."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from bpmn.forms import FormDocumentError, is_form_name, read_form
from broker.protocol.intents import FormIntent
from broker.protocol.values import (
    DeploymentRecordValue,
    DeploymentResource,
    FormMetadata,
    FormRecordValue,
)
from processors.engine.context import ProcessingContext


@dataclass(frozen=True, slots=True)
class ParsedForm:
    form_id: str
    version_tag: str
    resource_name: str
    resource: bytes
    checksum: bytes


def is_form(resource: DeploymentResource) -> bool:
    return is_form_name(resource.resource_name)


def parse_forms(resources: Sequence[DeploymentResource]) -> list[ParsedForm] | str:
    """The forms among `resources`, or the rejection reason of the first bad one."""
    forms: list[ParsedForm] = []
    seen: dict[str, str] = {}
    for resource in resources:
        if not is_form(resource):
            continue
        name = resource.resource_name
        try:
            document = read_form(resource.resource)
        except FormDocumentError as error:
            return _errors(f"'{name}': {error}")
        form_id = document.form_id
        if form_id in seen:
            return _errors(
                f"Expected the form ids to be unique within a deployment but found a duplicated"
                f" id '{form_id}' in the resources '{seen[form_id]}' and '{name}'."
            )
        seen[form_id] = name
        forms.append(
            ParsedForm(
                form_id=form_id,
                version_tag=document.version_tag,
                resource_name=name,
                resource=resource.resource,
                checksum=hashlib.md5(resource.resource, usedforsecurity=False).digest(),
            )
        )
    return forms


def _errors(text: str) -> str:
    return f"Expected to deploy new resources, but encountered the following errors:\n{text}"


def forms_unchanged(ctx: ProcessingContext, forms: Sequence[ParsedForm], tenant_id: str) -> bool:
    return all(
        (latest := ctx.state.forms.latest(form.form_id, tenant_id)) is not None
        and latest.checksum == form.checksum.hex()
        for form in forms
    )


def create_forms(
    ctx: ProcessingContext,
    forms: Sequence[ParsedForm],
    deployment_key: int,
    duplicates_only: bool,
    tenant_id: str,
) -> tuple[FormMetadata, ...]:
    """FORM CREATED for every form (none when the whole deployment is a duplicate)."""
    metadata = []
    for form in forms:
        latest = ctx.state.forms.latest(form.form_id, tenant_id)
        if duplicates_only and latest is not None:
            metadata.append(
                FormMetadata(
                    form_id=form.form_id,
                    version=latest.version,
                    form_key=latest.key,
                    resource_name=form.resource_name,
                    checksum=form.checksum,
                    duplicate=True,
                    deployment_key=latest.deployment_key,
                    version_tag=form.version_tag,
                    tenant_id=tenant_id,
                )
            )
            continue
        key = ctx.next_key()
        created = FormRecordValue(
            form_id=form.form_id,
            version=ctx.state.forms.latest_version(form.form_id, tenant_id) + 1,
            form_key=key,
            resource_name=form.resource_name,
            checksum=form.checksum,
            resource=form.resource,
            deployment_key=deployment_key,
            version_tag=form.version_tag,
            tenant_id=tenant_id,
        )
        ctx.event(key, FormIntent.CREATED, created)
        metadata.append(_metadata(created))
    return tuple(metadata)


def _metadata(form: FormRecordValue) -> FormMetadata:
    return FormMetadata(
        form_id=form.form_id,
        version=form.version,
        form_key=form.form_key,
        resource_name=form.resource_name,
        checksum=form.checksum,
        deployment_key=form.deployment_key,
        version_tag=form.version_tag,
        tenant_id=form.tenant_id,
    )


def apply_distributed_forms(ctx: ProcessingContext, value: DeploymentRecordValue) -> None:
    """The forms of a deployment distributed from another partition, with their keys."""
    data = {r.resource_name: r.resource for r in value.resources}
    for meta in value.form_metadata:
        if meta.duplicate or ctx.state.forms.by_key(meta.form_key) is not None:
            continue
        ctx.event(
            meta.form_key,
            FormIntent.CREATED,
            FormRecordValue(
                form_id=meta.form_id,
                version=meta.version,
                form_key=meta.form_key,
                resource_name=meta.resource_name,
                checksum=meta.checksum,
                resource=data[meta.resource_name],
                deployment_key=meta.deployment_key,
                version_tag=meta.version_tag,
                tenant_id=meta.tenant_id,
            ),
        )
