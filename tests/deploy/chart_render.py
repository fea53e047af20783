"""Renders deploy/helm/honeyflow with `helm template` and validates what comes out against
the Kubernetes JSON schemas bundled with kubernetes-validate (offline; no cluster here).

helm is found as $HONEYFLOW_HELM, then where `make helm` builds it
(~/.cache/honeyflow/helm-v<version>/helm), then on PATH.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "honeyflow"
HELM_VERSION = "4.3.2"
# The oldest Kubernetes the chart supports (Chart.yaml kubeVersion: gRPC probes are GA from
# 1.27) and the newest whose schemas kubernetes-validate bundles.
KUBERNETES_VERSIONS = ("1.27.0", "1.37.0")
# Custom resources have no schema in kubernetes-validate; their fields are checked by the
# tests against Strimzi's documented form and against Honeyflow's own topic and ACL specs.
CUSTOM_KINDS = {
    ("kafka.strimzi.io/v1beta2", "KafkaTopic"),
    ("kafka.strimzi.io/v1beta2", "KafkaUser"),
}


def find_helm() -> str | None:
    candidates = [
        os.environ.get("HONEYFLOW_HELM"),
        str(Path.home() / ".cache" / "honeyflow" / f"helm-v{HELM_VERSION}" / "helm"),
        shutil.which("helm"),
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


class RenderError(Exception):
    """helm refused the values; the message is helm's."""


def nested(values: Mapping[str, Any]) -> dict[str, Any]:
    """`{"a.b": 1}` as `{"a": {"b": 1}}`; `a\\.b` is a key with a dot in it."""
    tree: dict[str, Any] = {}
    for key, value in values.items():
        parts = [p.replace("\\.", ".") for p in re.split(r"(?<!\\)\.", key)]
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return tree


def render(
    helm: str, values: Mapping[str, Any] | None = None, release: str = "hf"
) -> list[dict[str, Any]]:
    """The objects `helm template` makes from the chart with `values` (dotted keys)."""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix="values-") as file:
        yaml.safe_dump(nested(values or {}), file)
        file.flush()
        out = subprocess.run(
            [helm, "template", release, str(CHART), "--namespace", "honeyflow", "-f", file.name],
            capture_output=True,
            text=True,
            timeout=120,
        )
    if out.returncode != 0:
        raise RenderError(out.stderr.strip())
    return [doc for doc in yaml.safe_load_all(out.stdout) if doc]


def schema_errors(objects: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every object checked against the strict schemas of each version in
    KUBERNETES_VERSIONS (unknown fields are errors); one line per problem."""
    errors = []
    for obj in objects:
        where = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"
        if (obj.get("apiVersion"), obj.get("kind")) in CUSTOM_KINDS:
            continue
        for version in KUBERNETES_VERSIONS:
            try:
                kubernetes_validate.validate(dict(obj), version, strict=True)
            except kubernetes_validate.ValidationError as e:
                path = ".".join(str(p) for p in e.path)
                errors.append(f"{where} (Kubernetes {version}): {path}: {e.message}")
            except kubernetes_validate.SchemaNotFoundError as e:
                errors.append(f"{where}: {e.message}")
    return errors


def find(objects: Iterable[Mapping[str, Any]], kind: str, name: str) -> dict[str, Any]:
    for obj in objects:
        if obj["kind"] == kind and obj["metadata"]["name"] == name:
            return dict(obj)
    names = [f"{o['kind']}/{o['metadata']['name']}" for o in objects]
    raise AssertionError(f"no {kind}/{name} among {names}")


def container(workload: Mapping[str, Any], name: str) -> dict[str, Any]:
    for c in workload["spec"]["template"]["spec"]["containers"]:
        if c["name"] == name:
            return dict(c)
    raise AssertionError(f"no container {name} in {workload['metadata']['name']}")


def option(args: list[str], flag: str) -> str:
    """The value after `flag` in a container's args."""
    assert flag in args, f"{flag} not in {args}"
    return args[args.index(flag) + 1]


def mounted_path(workload: Mapping[str, Any], c: Mapping[str, Any], path: str) -> dict[str, Any]:
    """The pod volume that holds file `path` of container `c` (the mount whose path is the
    file's directory)."""
    directory = str(Path(path).parent)
    mounts = [m for m in c.get("volumeMounts", []) if m["mountPath"] == directory]
    assert mounts, f"nothing mounted at {directory} in {c['name']}"
    volumes = workload["spec"]["template"]["spec"]["volumes"]
    return next(dict(v) for v in volumes if v["name"] == mounts[0]["name"])
