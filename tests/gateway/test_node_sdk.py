"""The Node SDK (@camunda8/sdk 8.8.13, Node 20), unchanged, against `honeyflow gateway`: it
deploys a process, runs a gRPC worker and createProcessInstanceWithResult
(tests/gateway/node/sdk_roundtrip.js)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from broker.topics import TopicSettings
from tests.gateway.processes import one_task

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(240)]

NODE_DIR = Path(__file__).parent / "node"


def test_node_sdk_worker_and_create_with_result(
    cluster: tuple[str, TopicSettings], tmp_path: Path
) -> None:
    node = shutil.which("node")
    if node is None or not (NODE_DIR / "node_modules" / "@camunda8" / "sdk").exists():
        pytest.skip("no node or no @camunda8/sdk in tests/gateway/node (make install)")
    bpmn = tmp_path / "sdk.bpmn"
    bpmn.write_text(one_task("sdk-order", "sdk-charge"))
    done = subprocess.run(
        [node, "sdk_roundtrip.js", cluster[0], str(bpmn), "sdk-order", "sdk-charge"],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["deployed"]["deployments"][0]["process"]["bpmnProcessId"] == "sdk-order"
    assert out["handled"] == 3
    results = out["results"]
    assert sorted(r["variables"]["charged"] for r in results) == [2, 4, 6]
    assert all(r["variables"]["seen"] == ["amount"] for r in results)
    assert all(r["bpmnProcessId"] == "sdk-order" for r in results)
