"""Deployed forms: versions per form id, the latest (with its checksum, to recognise an
unchanged resource), the version a deployment created (binding type `deployment`) and the
latest version with a version tag (binding type `versionTag`)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from broker.protocol.values import DEFAULT_TENANT_ID
from processors.engine.kv_store import KeyValueStore, pack
from processors.engine.state.tenant_families import tenant_family

_FORMS = "forms"
_VERSIONS = "form_versions"
_LATEST = "form_latest"
_BY_DEPLOYMENT = "forms_by_deployment"
_BY_TAG = "forms_by_tag"


@dataclass(frozen=True, slots=True)
class DeployedForm:
    key: int
    form_id: str
    version: int
    resource_name: str
    checksum: str
    resource: bytes
    deployment_key: int
    version_tag: str
    tenant_id: str = DEFAULT_TENANT_ID


class FormReader:
    def __init__(self, store: KeyValueStore) -> None:
        self._store = store

    def by_key(self, key: int) -> DeployedForm | None:
        raw = self._store.get(_FORMS, pack(key))
        return None if raw is None else _deployed(key, raw)

    def latest(self, form_id: str, tenant_id: str) -> DeployedForm | None:
        raw = self._store.get(tenant_family(_LATEST, tenant_id), pack(form_id))
        if raw is None:
            return None
        return self._key(self._store.get(tenant_family(_VERSIONS, tenant_id), pack(form_id, raw)))

    def latest_version(self, form_id: str, tenant_id: str) -> int:
        raw = self._store.get(tenant_family(_LATEST, tenant_id), pack(form_id))
        return 0 if raw is None else int(raw)

    def of_deployment(self, form_id: str, deployment_key: int) -> DeployedForm | None:
        return self._key(self._store.get(_BY_DEPLOYMENT, pack(deployment_key, form_id)))

    def with_tag(self, form_id: str, version_tag: str, tenant_id: str) -> DeployedForm | None:
        return self._key(
            self._store.get(tenant_family(_BY_TAG, tenant_id), pack(form_id, version_tag))
        )

    def _key(self, key: Any) -> DeployedForm | None:
        return None if key is None else self.by_key(int(key))


class FormState(FormReader):
    def put_form(self, form: DeployedForm) -> None:
        tenant = form.tenant_id
        raw: dict[str, Any] = {
            "i": form.form_id,
            "v": form.version,
            "n": form.resource_name,
            "c": form.checksum,
            "r": base64.b64encode(form.resource).decode("ascii"),
            "d": form.deployment_key,
            "t": form.version_tag,
        }
        if tenant != DEFAULT_TENANT_ID:
            raw["tn"] = tenant
        self._store.put(_FORMS, pack(form.key), raw)
        self._store.put(
            tenant_family(_VERSIONS, tenant), pack(form.form_id, form.version), form.key
        )
        self._store.put(_BY_DEPLOYMENT, pack(form.deployment_key, form.form_id), form.key)
        if form.version >= self.latest_version(form.form_id, tenant):
            self._store.put(tenant_family(_LATEST, tenant), pack(form.form_id), form.version)
        if form.version_tag:
            tagged = self.with_tag(form.form_id, form.version_tag, tenant)
            if tagged is None or tagged.version <= form.version:
                self._store.put(
                    tenant_family(_BY_TAG, tenant),
                    pack(form.form_id, form.version_tag),
                    form.key,
                )

    def delete_form(self, key: int) -> None:
        """FORM DELETED: the version is gone; the previous one left becomes the latest (and the
        latest with its version tag)."""
        form = self.by_key(key)
        if form is None:
            return
        tenant = form.tenant_id
        versions, latest, by_tag = (
            tenant_family(_VERSIONS, tenant),
            tenant_family(_LATEST, tenant),
            tenant_family(_BY_TAG, tenant),
        )
        self._store.delete(_FORMS, pack(key))
        self._store.delete(versions, pack(form.form_id, form.version))
        if self._store.get(_BY_DEPLOYMENT, pack(form.deployment_key, form.form_id)) == key:
            self._store.delete(_BY_DEPLOYMENT, pack(form.deployment_key, form.form_id))
        earlier = [
            found
            for version in range(form.version - 1, 0, -1)
            if (found := self._key(self._store.get(versions, pack(form.form_id, version))))
        ]
        if self.latest_version(form.form_id, tenant) == form.version:
            if earlier:
                self._store.put(latest, pack(form.form_id), earlier[0].version)
            else:
                self._store.delete(latest, pack(form.form_id))
        if (
            form.version_tag
            and self._store.get(by_tag, pack(form.form_id, form.version_tag)) == key
        ):
            tagged = [f for f in earlier if f.version_tag == form.version_tag]
            if tagged:
                self._store.put(by_tag, pack(form.form_id, form.version_tag), tagged[0].key)
            else:
                self._store.delete(by_tag, pack(form.form_id, form.version_tag))


def _deployed(key: int, raw: dict[str, Any]) -> DeployedForm:
    return DeployedForm(
        key=key,
        form_id=raw["i"],
        version=raw["v"],
        resource_name=raw["n"],
        checksum=raw["c"],
        resource=base64.b64decode(raw["r"]),
        deployment_key=raw["d"],
        version_tag=raw["t"],
        tenant_id=raw.get("tn", DEFAULT_TENANT_ID),
    )
