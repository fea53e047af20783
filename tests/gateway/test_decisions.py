"""Decisions through the gateway: DeployResource of a `.dmn` file answers with its decisions
and decision requirements; EvaluateDecision answers with the output and the evaluated
decisions, a failure in `failureMessage` (as Zeebe's gateway), an unknown decision NOT_FOUND.
Through the raw gateway_protocol stubs and through zbctl."""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

import grpc
import pytest
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto import gateway_pb2_grpc as pb_grpc

from broker.topics import TopicSettings
from tests.engine.decision_models import discount_graph, rank_table
from tests.gateway.test_zbctl import ZBCTL

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(240)]


def _graph(drg_id: str) -> bytes:
    """The discount graph under ids of its own (the gateway's cluster is shared)."""
    return (
        discount_graph()
        .replace(b'id="pricing"', f'id="{drg_id}"'.encode())
        .replace(b'"discount"', f'"{drg_id}-discount"'.encode())
        .replace(b'"tier"', f'"{drg_id}-tier"'.encode())
        .replace(b'href="#tier"', f'href="#{drg_id}-tier"'.encode())
    )


async def test_deploy_and_evaluate_a_decision(cluster: tuple[str, TopicSettings]) -> None:
    drg_id = f"gw-{uuid.uuid4().hex[:6]}"
    async with grpc.aio.insecure_channel(cluster[0]) as channel:
        stub = pb_grpc.GatewayStub(channel)
        deployed = await stub.DeployResource(
            pb.DeployResourceRequest(
                resources=[pb.Resource(name=f"{drg_id}.dmn", content=_graph(drg_id))]
            )
        )
        decisions = [d.decision for d in deployed.deployments if d.HasField("decision")]
        assert [(d.dmnDecisionId, d.version) for d in decisions] == [
            (f"{drg_id}-discount", 1),
            (f"{drg_id}-tier", 1),
        ]
        [graph] = [
            d.decisionRequirements
            for d in deployed.deployments
            if d.HasField("decisionRequirements")
        ]
        assert (graph.dmnDecisionRequirementsId, graph.resourceName) == (drg_id, f"{drg_id}.dmn")

        answer = await stub.EvaluateDecision(
            pb.EvaluateDecisionRequest(
                decisionId=f"{drg_id}-discount", variables='{"amount": 1000}'
            )
        )
        assert json.loads(answer.decisionOutput) == 0.2
        assert answer.decisionKey == decisions[0].decisionKey and not answer.failureMessage
        assert [d.decisionId for d in answer.evaluatedDecisions] == [
            f"{drg_id}-tier",
            f"{drg_id}-discount",
        ]
        [rule] = answer.evaluatedDecisions[1].matchedRules
        assert (rule.ruleId, json.loads(rule.evaluatedOutputs[0].outputValue)) == ("gold", 0.2)
        by_key = await stub.EvaluateDecision(
            pb.EvaluateDecisionRequest(decisionKey=decisions[1].decisionKey, variables="{}")
        )
        assert (by_key.decisionId, json.loads(by_key.decisionOutput)) == (
            f"{drg_id}-tier",
            "silver",
        )

        rank = f"{drg_id}-rank"
        unique = rank_table("UNIQUE", drg_id=f"{drg_id}-ranking").replace(
            b'"rank"', f'"{rank}"'.encode()
        )
        await stub.DeployResource(
            pb.DeployResourceRequest(resources=[pb.Resource(name="rank.dmn", content=unique)])
        )
        failed = await stub.EvaluateDecision(
            pb.EvaluateDecisionRequest(decisionId=rank, variables='{"x": 12}')
        )
        assert failed.failedDecisionId == rank
        assert rank in failed.failureMessage

        with pytest.raises(grpc.aio.AioRpcError) as missing:
            await stub.EvaluateDecision(pb.EvaluateDecisionRequest(decisionId=f"{drg_id}-none"))
        assert missing.value.code() is grpc.StatusCode.NOT_FOUND


def test_zbctl_deploys_and_evaluates_a_decision(
    cluster: tuple[str, TopicSettings], tmp_path: Path
) -> None:
    if not ZBCTL.exists():
        pytest.skip(f"no zbctl at {ZBCTL} (make install)")
    table = rank_table("COLLECT", "SUM", drg_id=f"zb{uuid.uuid4().hex[:6]}")
    rank = f"rank{uuid.uuid4().hex[:6]}"
    path = tmp_path / "rank.dmn"
    path.write_bytes(table.replace(b'"rank"', f'"{rank}"'.encode()))

    def zbctl(*args: str) -> str:
        done = subprocess.run(
            [str(ZBCTL), "--insecure", "--address", cluster[0], *args],
            capture_output=True,
            text=True,
            timeout=90,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    deployed = json.loads(zbctl("deploy", "resource", str(path)))
    assert deployed["deployments"][0]["decision"]["dmnDecisionId"] == rank
    evaluated = json.loads(zbctl("evaluate", "decision", rank, "--variables", '{"x": 12}'))
    assert json.loads(evaluated["decisionOutput"]) == 60
    assert len(evaluated["evaluatedDecisions"][0]["matchedRules"]) == 3
