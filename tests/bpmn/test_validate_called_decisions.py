"""A business rule task bound to its deployment (`bindingType="deployment"`) needs its
decision in a DMN file of the same deployment: `honeyflow validate --together` checks it as
deployment does, with Zeebe's message."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from clients.cli.main import cli
from tests.engine.decision_models import discount_graph, rule_process


def _files(tmp_path: Path) -> tuple[Path, Path]:
    bpmn = tmp_path / "bound.bpmn"
    bpmn.write_bytes(rule_process("discount", result="rate", binding='bindingType="deployment"'))
    dmn = tmp_path / "discount.dmn"
    dmn.write_bytes(discount_graph())
    return bpmn, dmn


def test_validate_together_finds_the_decision_of_the_deployment(tmp_path: Path) -> None:
    bpmn, dmn = _files(tmp_path)
    result = CliRunner().invoke(cli, ["validate", "--together", str(bpmn), str(dmn)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [f"{bpmn}: OK", f"{dmn}: OK"]


def test_validate_alone_names_the_missing_decision(tmp_path: Path) -> None:
    bpmn, _ = _files(tmp_path)
    result = CliRunner().invoke(cli, ["validate", str(bpmn)])
    assert result.exit_code == 1
    assert (
        "businessRuleTask 'decide' > extensionElements > calledDecision: Expected to find"
        " decision with id 'discount' in current deployment, but not found." in result.output
    )
