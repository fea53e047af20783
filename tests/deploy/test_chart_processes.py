"""The chart's containers run as rendered: each command line, with the environment the chart
gives it, started here on the test session's Kafka (paths inside the pod moved to a temporary
directory, ports to free ones), and every probe the chart declares answered as the kubelet
would ask it (HTTP GET, gRPC health, TCP connect). What this cannot show: the image, the
volumes and the kubelet themselves (docs/kubernetes.md)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tests.deploy.chart_render import container, find, render

pytestmark = pytest.mark.kafka

HONEYFLOW = str(Path(sys.executable).parent / "honeyflow")
POD_PATHS = ("/var/lib/honeyflow", "/etc/honeyflow", "/tmp")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _local(value: str, root: Path) -> str:
    """A path inside the pod, moved under `root`."""
    for prefix in POD_PATHS:
        if value.startswith(prefix + "/") or value == prefix:
            return str(root / value.lstrip("/"))
    return value


def _command(c: dict[str, Any], root: Path) -> tuple[list[str], dict[str, str]]:
    args = [HONEYFLOW if a == "honeyflow" else _local(a, root) for a in c["args"]]
    # Loopback only on this machine (the pod listens on all of its interfaces).
    args = ["127.0.0.1" if a == "0.0.0.0" else a for a in args]
    env = {"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin"}
    for e in c.get("env", []):
        if "value" in e:
            env[e["name"]] = _local(str(e["value"]), root)
    # The pod's mount points exist (volumes: the engine's and the store's, /tmp, secrets).
    for mount in c.get("volumeMounts", []):
        Path(_local(mount["mountPath"], root)).mkdir(parents=True, exist_ok=True)
    return args, env


def _port(c: dict[str, Any], port: int | str) -> int:
    if isinstance(port, int):
        return port
    return next(int(p["containerPort"]) for p in c["ports"] if p["name"] == port)


def _probe_once(c: dict[str, Any], probe: dict[str, Any]) -> str | None:
    """None when the probe succeeds, else why not (as the kubelet: 2xx/3xx, SERVING, connect)."""
    try:
        if "httpGet" in probe:
            get = probe["httpGet"]
            url = f"http://127.0.0.1:{_port(c, get['port'])}{get['path']}"
            with urllib.request.urlopen(url, timeout=5) as answer:
                return None if 200 <= answer.status < 400 else f"{url}: HTTP {answer.status}"
        if "grpc" in probe:
            target = f"127.0.0.1:{probe['grpc']['port']}"
            with grpc.insecure_channel(target) as channel:
                health = health_pb2_grpc.HealthStub(channel)
                status = health.Check(
                    health_pb2.HealthCheckRequest(service=probe["grpc"].get("service", "")),
                    timeout=5,
                ).status
            serving = status == health_pb2.HealthCheckResponse.SERVING
            return None if serving else f"gRPC health {target}: {status}"
        if "tcpSocket" in probe:
            port = _port(c, probe["tcpSocket"]["port"])
            with socket.create_connection(("127.0.0.1", port), timeout=5):
                return None
        return f"unknown probe {probe}"
    except (OSError, grpc.RpcError) as e:
        return str(e)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[list[tuple[str, subprocess.Popen[bytes]]]]:
    started: list[tuple[str, subprocess.Popen[bytes]]] = []
    yield started
    for _, process in started:
        if process.poll() is None:
            process.terminate()
    for _, process in started:
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_every_container_starts_and_answers_its_probes(
    helm: str,
    kafka_bootstrap: str,
    unique_name: str,
    tmp_path: Path,
    processes: list[tuple[str, subprocess.Popen[bytes]]],
) -> None:
    objects = render(
        helm,
        {
            "kafka.bootstrapServers": kafka_bootstrap,
            "kafka.topicPrefix": f"{unique_name}.",
            "kafka.partitions": 2,
            "kafka.replicationFactor": 1,
            "engine.metricsPort": _free_port(),
            "exporter.metricsPort": _free_port(),
            "gateway.port": _free_port(),
            "web.port": _free_port(),
        },
    )
    exporter_pod = find(objects, "Deployment", "hf-honeyflow-exporter")
    containers = [
        container(find(objects, "StatefulSet", "hf-honeyflow-engine"), "engine"),
        container(exporter_pod, "exporter"),
        container(find(objects, "Deployment", "hf-honeyflow-gateway"), "gateway"),
        # Last: it reads the store the exporter makes (in a pod, it restarts until then).
        container(exporter_pod, "web"),
    ]
    logs = {}
    try:
        for c in containers:
            args, env = _command(c, tmp_path)
            if c["name"] == "web":
                store = Path(env["HONEYFLOW_STORE"])
                deadline = time.monotonic() + 120
                while not store.exists() and time.monotonic() < deadline:
                    time.sleep(0.2)
            logs[c["name"]] = tmp_path / f"{c['name']}.log"
            with logs[c["name"]].open("wb") as log:
                processes.append(
                    (c["name"], subprocess.Popen(args, env=env, stdout=log, stderr=log))
                )
        failures: dict[str, str | None] = {}
        for (name, process), c in zip(processes, containers, strict=True):
            for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
                if kind not in c:
                    continue
                # As the kubelet: try until the probe succeeds or the process has died.
                deadline = time.monotonic() + 120
                why = _probe_once(c, c[kind])
                while why is not None and process.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.5)
                    why = _probe_once(c, c[kind])
                failures[f"{name} {kind}"] = why
        assert {k: v for k, v in failures.items() if v is not None} == {}
        assert sorted(failures) == [
            "engine livenessProbe",
            "engine readinessProbe",
            "engine startupProbe",
            "exporter livenessProbe",
            "exporter startupProbe",
            "gateway livenessProbe",
            "gateway readinessProbe",
            "web livenessProbe",
            "web readinessProbe",
        ]
    except BaseException:
        for name, path in logs.items():
            print(f"--- {name}\n" + path.read_text(errors="replace")[-3000:])
        raise
