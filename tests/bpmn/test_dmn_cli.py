"""`honeyflow decide` evaluates a DMN file offline; `honeyflow validate` checks `.dmn` files
with file, line, element and message. Errors are one line and exit 1, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from clients.cli.main import cli

DMN = Path(__file__).parent / "fixtures" / "dmn"
DISH = str(DMN / "dish.dmn")
POLICIES = str(DMN / "policies.dmn")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output + result.stderr
    return result.exit_code, result.stdout, result.stderr


def test_decide_prints_the_output_and_the_evaluated_decisions_with_matched_rules() -> None:
    code, out, _ = run("decide", DISH, "--variables", '{"month": 10, "guestCount": 4}')
    assert code == 0
    assert out.splitlines() == [
        '"Spareribs"',
        "decision 'season' (Season, LITERAL_EXPRESSION): \"Fall\"",
        "decision 'dish' (Dish, DECISION_TABLE): \"Spareribs\"",
        "  input 'Season': \"Fall\"",
        "  input 'How many guests': 4",
        "  matched rule 1 'fallSpareribs': dish = \"Spareribs\"",
    ]


def test_decide_a_chosen_decision_as_json() -> None:
    code, out, _ = run(
        "decide", POLICIES, "--decision", "collect", "--json", "--variables", '{"amount": 50}'
    )
    assert code == 0
    record = json.loads(out)
    assert record["decisionOutput"] == ["over ten", "any"]
    (decision,) = record["evaluatedDecisions"]
    assert decision["evaluatedInputs"] == [
        {"inputId": "amountCollect", "inputName": "Amount", "inputValue": 50}
    ]
    assert [r["ruleId"] for r in decision["matchedRules"]] == ["c2", "c3"]
    assert decision["matchedRules"][0]["evaluatedOutputs"] == [
        {"outputId": "tagCollect", "outputName": "tag", "outputValue": "over ten"}
    ]
    assert record["evaluationFailure"] is None


def test_decide_without_decision_when_several_are_on_top_names_them() -> None:
    code, _, err = run("decide", POLICIES)
    assert code == 1
    assert err.strip() == (
        f"Error: {POLICIES}: several decisions are required by no other (first, collect, "
        "collectSum, priority, withDefault); choose one with --decision"
    )


def test_decide_errors_are_one_line() -> None:
    code, _, err = run("decide", DISH, "--decision", "nope")
    assert (code, err.strip()) == (
        1,
        f"Error: {DISH}: no decision 'nope' (decisions: dish, season)",
    )
    code, _, err = run("decide", DISH, "--variables", "[1]")
    assert (code, err.strip()) == (1, "Error: --variables must be a JSON object of names to values")
    code, _, err = run("decide", str(DMN / "missing.dmn"))
    assert (code, err.strip()) == (1, f"Error: {DMN / 'missing.dmn'}: no such file")


def test_decide_no_match_is_null_and_a_failing_evaluation_prints_zeebes_message(
    tmp_path: Path,
) -> None:
    code, out, _ = run("decide", DISH, "--variables", '{"month": 4, "guestCount": 2}')
    assert (code, out.splitlines()[0], out.splitlines()[-1]) == (0, "null", "  no rule matched")
    unique = tmp_path / "unique.dmn"
    unique.write_text(Path(POLICIES).read_text().replace('hitPolicy="FIRST"', 'hitPolicy="UNIQUE"'))
    code, out, err = run("decide", str(unique), "--decision", "first", "--vars", '{"amount": 500}')
    assert (code, out) == (1, "")
    assert err == (
        "error: Expected to evaluate decision 'first', but hit policy UNIQUE allows one matching"
        " rule, but rules 'f1', 'f2', 'f3' matched\n"
    )


def test_validate_checks_dmn_files_with_line_and_element(tmp_path: Path) -> None:
    broken = tmp_path / "broken.dmn"
    broken.write_text((DMN / "dish.dmn").read_text().replace("[5..8]", "[5.."))
    code, out, _ = run("validate", DISH, str(broken))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"{DISH}: OK"
    assert lines[1] == f"{broken}: 1 problem(s)"
    assert lines[2].startswith(
        f"  {broken}:34: decision 'dish' > decisionTable 'dishTable' > rule 'springSteak' >"
        " inputEntry 'UnaryTests_6': The unary tests '[5..' are not valid FEEL"
    )


def test_validate_refuses_a_bpmn_file_named_dmn(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.dmn"
    wrong.write_bytes((DMN.parent / "tasks.bpmn").read_bytes())
    code, out, _ = run("validate", str(wrong))
    assert code == 1
    assert "Not a DMN document: the root element is 'definitions' in namespace" in out


def test_validate_checks_form_files(tmp_path: Path) -> None:
    good = tmp_path / "review.form"
    good.write_text('{"id": "review", "components": []}')
    bad = tmp_path / "bad.form"
    bad.write_text('{"components": []}')
    result = CliRunner().invoke(cli, ["validate", str(good), str(bad)])
    assert result.exit_code == 1
    assert f"{good}: OK" in result.output
    assert "Expected the form to have a non-empty string 'id'" in result.output
