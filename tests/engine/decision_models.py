"""The BPMN and DMN models of the business rule task scenarios, written out here so that
each test shows the rules it checks."""

from __future__ import annotations

DMN_NS = "https://www.omg.org/spec/DMN/20191111/MODEL/"


def rule_process(
    decision_id: str = "rank",
    *,
    process_id: str = "rules",
    result: str = "result",
    binding: str = "",
    outputs: str = "",
) -> bytes:
    """A process whose one business rule task evaluates `decision_id` into `result`."""
    mappings = f"<zeebe:ioMapping>{outputs}</zeebe:ioMapping>" if outputs else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="t">
  <bpmn:process id="{process_id}" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide" />
    <bpmn:businessRuleTask id="decide">
      <bpmn:extensionElements>
        <zeebe:calledDecision decisionId="{decision_id}" resultVariable="{result}" {binding}/>
        {mappings}
      </bpmn:extensionElements>
    </bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
""".encode()


# x > 0 → 10, x > 5 → 20, x > 10 → 30, x < 0 → 5, x < -5 → 5
_RULES = (("> 0", 10), ("> 5", 20), ("> 10", 30), ("< 0", 5), ("< -5", 5))


def _escaped(text: str) -> str:
    return text.replace(">", "&gt;").replace("<", "&lt;")


def rank_table(hit_policy: str, aggregation: str = "", *, drg_id: str = "ranking") -> bytes:
    """Decision `rank`: one number input `x`, one number output, the rules above; the
    output values give PRIORITY and OUTPUT ORDER their order (30 first)."""
    aggregation_attr = f' aggregation="{aggregation}"' if aggregation else ""
    rules = "\n".join(
        f"""      <rule id="r{index}">
        <inputEntry id="r{index}in"><text>{_escaped(test)}</text></inputEntry>
        <outputEntry id="r{index}out"><text>{value}</text></outputEntry>
      </rule>"""
        for index, (test, value) in enumerate(_RULES, start=1)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="{DMN_NS}" id="{drg_id}" name="Ranking" namespace="http://example.com/ranking">
  <decision id="rank" name="Rank">
    <decisionTable id="table" hitPolicy="{hit_policy}"{aggregation_attr}>
      <input id="xInput" label="X">
        <inputExpression id="xExpression" typeRef="number"><text>x</text></inputExpression>
      </input>
      <output id="score" name="score" typeRef="number">
        <outputValues id="order"><text>30,20,10,5</text></outputValues>
      </output>
{rules}
    </decisionTable>
  </decision>
</definitions>
""".encode()


def discount_graph(gold_discount: str = "0.2", version_tag: str = "") -> bytes:
    """Decision `discount` requires decision `tier` (a literal expression over `amount`);
    `version_tag` is the `zeebe:versionTag` of `discount`."""
    tag = (
        f'<extensionElements><zeebe:versionTag value="{version_tag}" /></extensionElements>'
        if version_tag
        else ""
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="{DMN_NS}" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="pricing"
    name="Pricing" namespace="http://example.com/pricing">
  <decision id="discount" name="Discount">
    {tag}
    <informationRequirement id="needsTier">
      <requiredDecision href="#tier" />
    </informationRequirement>
    <decisionTable id="discountTable" hitPolicy="UNIQUE">
      <input id="tierInput" label="Tier">
        <inputExpression id="tierExpression" typeRef="string"><text>Tier</text></inputExpression>
      </input>
      <output id="rate" name="rate" typeRef="number" />
      <rule id="gold">
        <inputEntry id="goldIn"><text>"gold"</text></inputEntry>
        <outputEntry id="goldOut"><text>{gold_discount}</text></outputEntry>
      </rule>
      <rule id="silver">
        <inputEntry id="silverIn"><text>"silver"</text></inputEntry>
        <outputEntry id="silverOut"><text>0.1</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
  <decision id="tier" name="Tier">
    <informationRequirement id="needsAmount">
      <requiredInput href="#amount" />
    </informationRequirement>
    <literalExpression id="tierExpression2">
      <text>if amount &gt;= 1000 then "gold" else "silver"</text>
    </literalExpression>
  </decision>
  <inputData id="amount" name="amount" />
</definitions>
""".encode()
