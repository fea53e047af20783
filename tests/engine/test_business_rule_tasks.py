"""Scenarios: business rule tasks with `zeebe:calledDecision` evaluate a deployed DMN decision
on activation, write DECISION_EVALUATION, set the result variable and complete; decisions are
deployed and versioned like processes; failures are incidents that resolve."""

from __future__ import annotations

import json
from typing import Any

import pytest

from clients.client import Client
from clients.errors import DecisionEvaluationError, InvalidArgumentError, NotFoundError
from tests.engine.conftest import completed_elements, events, variables_of
from tests.engine.decision_models import discount_graph, rank_table, rule_process


def _evaluations(client: Client, **match: Any) -> list[dict[str, Any]]:
    return events(client, valueType="DECISION_EVALUATION", **match)


@pytest.mark.parametrize(
    ("hit_policy", "aggregation", "x", "expected", "matched"),
    [
        ("UNIQUE", "", 3, 10, [1]),
        ("FIRST", "", 12, 10, [1]),
        ("PRIORITY", "", 12, 30, [1, 2, 3]),
        ("ANY", "", -10, 5, [4, 5]),
        ("COLLECT", "", 12, [10, 20, 30], [1, 2, 3]),
        ("COLLECT", "SUM", 12, 60, [1, 2, 3]),
        ("COLLECT", "MIN", 12, 10, [1, 2, 3]),
        ("COLLECT", "MAX", 12, 30, [1, 2, 3]),
        ("COLLECT", "COUNT", 12, 3, [1, 2, 3]),
        ("RULE ORDER", "", 12, [10, 20, 30], [1, 2, 3]),
        ("OUTPUT ORDER", "", 12, [30, 20, 10], [1, 2, 3]),
    ],
)
def test_each_hit_policy_through_a_process(
    client: Client,
    hit_policy: str,
    aggregation: str,
    x: int,
    expected: Any,
    matched: list[int],
) -> None:
    client.deploy(rule_process(), rank_table(hit_policy, aggregation))
    key = client.create_instance("rules", {"x": x})
    assert variables_of(client, key) == {"x": x, "result": expected}
    assert completed_elements(client, key)[-1] == "rules"
    [evaluation] = _evaluations(client, processInstanceKey=key)
    assert evaluation["intent"] == "EVALUATED"
    value = evaluation["value"]
    assert json.loads(value["decisionOutput"]) == expected
    assert (value["decisionId"], value["elementId"]) == ("rank", "decide")
    [decision] = value["evaluatedDecisions"]
    assert decision["evaluatedInputs"] == [
        {"inputId": "xInput", "inputName": "X", "inputValue": json.dumps(x)}
    ]
    assert [rule["ruleIndex"] for rule in decision["matchedRules"]] == matched


def test_required_decisions_are_evaluated_first(client: Client) -> None:
    client.deploy(rule_process("discount", result="rate"), discount_graph())
    key = client.create_instance("rules", {"amount": 1500})
    assert variables_of(client, key)["rate"] == 0.2
    [evaluation] = _evaluations(client, processInstanceKey=key)
    evaluated = evaluation["value"]["evaluatedDecisions"]
    assert [(d["decisionId"], d["decisionType"]) for d in evaluated] == [
        ("tier", "LITERAL_EXPRESSION"),
        ("discount", "DECISION_TABLE"),
    ]
    assert [json.loads(d["decisionOutput"]) for d in evaluated] == ["gold", 0.2]
    assert [r["ruleId"] for r in evaluated[1]["matchedRules"]] == ["gold"]
    assert evaluated[1]["evaluatedInputs"][0]["inputValue"] == '"gold"'
    # every evaluated decision names its deployed version
    deployed = {d["value"]["decisionId"]: d["key"] for d in events(client, valueType="DECISION")}
    assert [d["decisionKey"] for d in evaluated] == [deployed["tier"], deployed["discount"]]


def test_a_failing_evaluation_is_an_incident_resolved_after_fixing_the_variable(
    client: Client,
) -> None:
    client.deploy(rule_process(), rank_table("UNIQUE"))
    key = client.create_instance("rules", {"x": 12})  # three rules match a UNIQUE table
    [failed] = _evaluations(client, processInstanceKey=key)
    assert failed["intent"] == "FAILED"
    assert failed["value"]["failedDecisionId"] == "rank"
    assert failed["value"]["evaluationFailureMessage"]
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    assert incident["value"]["errorType"] == "DECISION_EVALUATION_ERROR"
    assert incident["value"]["elementId"] == "decide"
    assert incident["value"]["errorMessage"] == failed["value"]["evaluationFailureMessage"]
    assert "rank" in incident["value"]["errorMessage"]
    client.set_variables(key, {"x": 3})
    client.resolve_incident(incident["key"])
    assert variables_of(client, key) == {"x": 3, "result": 10}
    assert completed_elements(client, key)[-1] == "rules"
    assert [e["intent"] for e in _evaluations(client, processInstanceKey=key)] == [
        "FAILED",
        "EVALUATED",
    ]


def test_a_missing_decision_is_an_incident_resolved_after_deploying_it(client: Client) -> None:
    client.deploy(rule_process("discount", result="rate"))
    key = client.create_instance("rules", {"amount": 10})
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    assert incident["value"]["errorType"] == "CALLED_DECISION_ERROR"
    assert incident["value"]["errorMessage"] == (
        "Expected to evaluate decision 'discount', but no decision found for id 'discount'"
    )
    assert _evaluations(client) == []
    client.deploy(discount_graph())
    client.resolve_incident(incident["key"])
    assert variables_of(client, key) == {"amount": 10, "rate": 0.1}
    assert completed_elements(client, key)[-1] == "rules"


def test_decision_id_from_an_expression(client: Client) -> None:
    client.deploy(rule_process("=which"), rank_table("FIRST"))
    key = client.create_instance("rules", {"which": "rank", "x": 1})
    assert variables_of(client, key)["result"] == 10


def test_a_failing_decision_id_expression_is_extract_value_error_as_in_zeebe(
    client: Client,
) -> None:
    client.deploy(rule_process("=which"), rank_table("FIRST"))
    key = client.create_instance("rules", {"x": 1})
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    assert incident["value"]["errorType"] == "EXTRACT_VALUE_ERROR"
    assert "which" in incident["value"]["errorMessage"]
    client.set_variables(key, {"which": "rank"})
    client.resolve_incident(incident["key"])
    assert variables_of(client, key)["result"] == 10


def test_output_mappings_read_the_result_variable(client: Client) -> None:
    outputs = '<zeebe:output source="=result * 2" target="doubled" />'
    client.deploy(rule_process(outputs=outputs), rank_table("FIRST"))
    key = client.create_instance("rules", {"x": 1})
    # with output mappings only their targets reach the process, as for a job's variables
    assert variables_of(client, key) == {"x": 1, "doubled": 20}


def test_redeploying_is_a_duplicate_and_a_change_a_new_version(client: Client) -> None:
    first = client.deploy(discount_graph())
    again = client.deploy(discount_graph())
    changed = client.deploy(discount_graph(gold_discount="0.3"))
    assert [(d.decision_id, d.version, d.duplicate) for d in first.decisions] == [
        ("discount", 1, False),
        ("tier", 1, False),
    ]
    assert [(d.decision_id, d.version, d.duplicate) for d in again.decisions] == [
        ("discount", 1, True),
        ("tier", 1, True),
    ]
    assert [d.decision_key for d in again.decisions] == [d.decision_key for d in first.decisions]
    assert [
        (r.decision_requirements_id, r.version, r.duplicate) for r in again.decision_requirements
    ] == [("pricing", 1, True)]
    assert [(d.decision_id, d.version) for d in changed.decisions] == [
        ("discount", 2),
        ("tier", 2),
    ]
    assert changed.decision_requirements[0].version == 2
    graphs = events(client, valueType="DECISION_REQUIREMENTS", intent="CREATED")
    assert len({g["key"] for g in graphs}) == 2  # once per partition each
    # the latest version is evaluated
    assert client.evaluate_decision("discount", {"amount": 5000}).output == 0.3
    key = client.deploy(rule_process("discount", result="rate"))
    assert key.processes[0].version == 1
    instance = client.create_instance("rules", {"amount": 5000})
    assert variables_of(client, instance)["rate"] == 0.3


def test_binding_type_deployment_evaluates_the_version_deployed_with_the_process(
    client: Client,
) -> None:
    client.deploy(
        rule_process("discount", result="rate", binding='bindingType="deployment"'),
        discount_graph(),
    )
    client.deploy(discount_graph(gold_discount="0.5"))
    key = client.create_instance("rules", {"amount": 5000})
    assert variables_of(client, key)["rate"] == 0.2


def test_binding_type_version_tag_evaluates_the_latest_version_with_that_tag(
    client: Client,
) -> None:
    tagged = 'bindingType="versionTag" versionTag="stable"'
    deployed = client.deploy(discount_graph(version_tag="stable"))
    assert deployed.decisions[0].decision_id == "discount"
    client.deploy(discount_graph(gold_discount="0.5", version_tag="next"))
    client.deploy(rule_process("discount", result="rate", binding=tagged))
    key = client.create_instance("rules", {"amount": 5000})
    assert variables_of(client, key)["rate"] == 0.2
    [created] = [
        d
        for d in events(client, valueType="DECISION", intent="CREATED", decisionId="discount")
        if d["value"]["version"] == 2
    ][:1]
    assert created["value"]["versionTag"] == "next"
    missing = 'bindingType="versionTag" versionTag="none"'
    client.deploy(rule_process("discount", process_id="untagged", result="rate", binding=missing))
    client.create_instance("untagged", {"amount": 1})
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    assert incident["value"]["errorType"] == "CALLED_DECISION_ERROR"
    assert incident["value"]["errorMessage"].startswith(
        "Expected to evaluate decision with id 'discount' and version tag 'none', but no such"
        " decision found."
    )


def test_binding_type_deployment_needs_the_decision_in_the_deployment(client: Client) -> None:
    bound = rule_process("discount", result="rate", binding='bindingType="deployment"')
    client.deploy(discount_graph())  # deployed before: not in the same deployment
    with pytest.raises(InvalidArgumentError) as refused:
        client.deploy(bound)
    assert refused.value.reason == (
        "Expected to deploy new resources, but encountered the following errors:\n"
        "'resource-1.bpmn':\n"
        "- Element: decide > extensionElements > calledDecision\n"
        "    - ERROR: Expected to find decision with id 'discount' in current deployment, but"
        " not found.\n"
    )


def test_evaluate_decision_through_the_client(client: Client) -> None:
    deployed = client.deploy(discount_graph())
    result = client.evaluate_decision("discount", {"amount": 10})
    assert result.output == 0.1
    assert (result.decision_id, result.decision_name, result.decision_version) == (
        "discount",
        "Discount",
        1,
    )
    assert [d.decision_id for d in result.evaluated_decisions] == ["tier", "discount"]
    [rule] = result.evaluated_decisions[1].matched_rules
    assert (rule.rule_id, rule.rule_index, rule.outputs[0].value) == ("silver", 2, 0.1)
    by_key = client.evaluate_decision(
        decision_key=deployed.decisions[1].decision_key, variables={"amount": 2000}
    )
    assert (by_key.decision_id, by_key.output) == ("tier", "gold")
    with pytest.raises(NotFoundError, match="no decision found for id 'nothing'"):
        client.evaluate_decision("nothing", {})


def test_a_failing_evaluation_through_the_client_names_the_failure(client: Client) -> None:
    client.deploy(rank_table("UNIQUE"))
    with pytest.raises(DecisionEvaluationError) as raised:
        client.evaluate_decision("rank", {"x": 12})
    assert raised.value.failed_decision_id == "rank"
    assert raised.value.failure_message
    assert "rank" in str(raised.value)
    [failed] = _evaluations(client, intent="FAILED")
    assert failed["value"]["evaluationFailureMessage"] == raised.value.failure_message


def test_a_bad_dmn_is_refused_naming_the_resource(client: Client) -> None:
    broken = discount_graph().replace(b'href="#tier"', b'href="#nowhere"')
    with pytest.raises(InvalidArgumentError, match=r"resource-1\.dmn"):
        client.deploy(broken)
    assert events(client, valueType="DECISION") == []


def test_dmn_alone_and_beside_bpmn_in_one_deployment(client: Client) -> None:
    both = client.deploy(rule_process(), rank_table("FIRST"))
    assert [p.bpmn_process_id for p in both.processes] == ["rules"]
    assert [d.decision_id for d in both.decisions] == ["rank"]
    created = events(client, valueType="DEPLOYMENT", intent="CREATED")[0]
    assert created["value"]["decisionsMetadata"][0]["decisionId"] == "rank"
    requirements = created["value"]["decisionRequirementsMetadata"][0]
    assert (requirements["decisionRequirementsId"], requirements["resourceName"]) == (
        "ranking",
        "resource-2.dmn",
    )


def test_replaying_the_log_rebuilds_decisions_and_evaluations_exactly() -> None:
    from clients.client import connect
    from processors.engine import Engine

    with connect("memory://") as client:
        client.deploy(rule_process("discount", result="rate"), discount_graph())
        client.deploy(discount_graph(gold_discount="0.3", version_tag="next"))
        client.deploy(rule_process(process_id="ranked"), rank_table("UNIQUE"))
        client.create_instance("rules", {"amount": 1500})
        client.create_instance("ranked", {"x": 12})  # waits in an incident
        client.evaluate_decision("tier", {"amount": 1})
        runtime = client.transport.runtime  # type: ignore[attr-defined]
        live = runtime.engines[1]
        replayed = Engine(1, 1)
        replayed.replay(runtime.logs[1])
        assert replayed.state.store.dump() == live.state.store.dump()
        assert replayed.state.decisions.latest(
            "discount", "<default>"
        ) == live.state.decisions.latest("discount", "<default>")


def test_a_multi_instance_business_rule_task_evaluates_once_per_element(client: Client) -> None:
    loop = (
        '<bpmn:businessRuleTask id="decide"><bpmn:multiInstanceLoopCharacteristics>'
        '<bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=xs"'
        ' inputElement="x" outputCollection="results" outputElement="=result" />'
        "</bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>"
    )
    process = rule_process().replace(b'<bpmn:businessRuleTask id="decide">', loop.encode())
    client.deploy(process, rank_table("FIRST"))
    key = client.create_instance("rules", {"xs": [1, 6, 11, -1]})
    assert variables_of(client, key) == {"xs": [1, 6, 11, -1], "results": [10, 10, 10, 5]}
    assert len(_evaluations(client, processInstanceKey=key)) == 4
