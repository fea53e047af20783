"""zbctl 8.4.1 (the static Linux binary of the npm package `zbctl`, from `make install`),
unchanged, against `honeyflow gateway`: status (Topology), deploy resource, create instance
--withResult, publish message, activate jobs, complete job."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from broker.topics import TopicSettings
from tests.gateway.processes import one_task

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(240)]

ZBCTL = Path(__file__).parent / "node" / "node_modules" / "zbctl" / "bin" / "zbctl-cli.linux"


@pytest.fixture
def zbctl(cluster: tuple[str, TopicSettings]) -> Any:
    if not ZBCTL.exists():
        pytest.skip(f"no zbctl at {ZBCTL} (make install)")

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(ZBCTL), "--insecure", "--address", cluster[0], *args],
            capture_output=True,
            text=True,
            timeout=90,
        )
        if check:
            assert done.returncode == 0, done.stdout + done.stderr
        return done

    return run


def test_status_shows_the_partitions(zbctl: Any) -> None:
    out = zbctl("status").stdout
    assert "Partitions count: 2" in out
    assert "Partition 1 : Leader, Healthy" in out and "Partition 2 : Leader, Healthy" in out


def test_deploy_create_activate_complete(zbctl: Any, tmp_path: Path, deployed: Any) -> None:
    path = tmp_path / "zb.bpmn"
    path.write_text(one_task("zb-task", "zb-work"))
    deployed_out = json.loads(zbctl("deploy", "resource", str(path)).stdout)
    [deployment] = deployed_out["deployments"]
    assert deployment["process"]["bpmnProcessId"] == "zb-task"
    created = json.loads(zbctl("create", "instance", "zb-task", "--variables", '{"n": 3}').stdout)
    activated = json.loads(
        zbctl(
            "activate", "jobs", "zb-work", "--maxJobsToActivate", "5", "--requestTimeout", "30s"
        ).stdout
    )
    [job] = activated["jobs"]
    assert job["processInstanceKey"] == created["processInstanceKey"]
    assert json.loads(job["variables"]) == {"n": 3}
    completed = zbctl("complete", "job", job["key"], "--variables", '{"ok": true}')
    assert "Completed job with key" in completed.stdout + completed.stderr
    again = zbctl("complete", "job", job["key"], check=False)
    assert again.returncode != 0 and "NOT_FOUND" in again.stdout + again.stderr


def test_publish_then_create_with_result(zbctl: Any, deployed: Any) -> None:
    zbctl(
        "publish",
        "message",
        "paid",
        "--correlationKey",
        "zb-1",
        "--ttl",
        "1m",
        "--variables",
        '{"amount": 7}',
    )
    result = json.loads(
        zbctl(
            "create",
            "instance",
            "gw-payment",
            "--withResult",
            "--variables",
            '{"orderId": "zb-1"}',
            "--requestTimeout",
            "60s",
        ).stdout
    )
    assert json.loads(result["variables"]) == {"orderId": "zb-1", "amount": 7}
