"""`honeyflow validate`: exit codes, one line per problem, never a traceback."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from clients.cli.main import cli

FIXTURES = Path(__file__).parent / "fixtures"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_valid_files_exit_zero() -> None:
    code, output = run(str(FIXTURES / "tasks.bpmn"), str(FIXTURES / "events.bpmn"))
    assert code == 0
    assert output.splitlines() == [
        f"{FIXTURES / 'tasks.bpmn'}: OK",
        f"{FIXTURES / 'events.bpmn'}: OK",
    ]


def test_invalid_file_exits_one_with_every_problem() -> None:
    path = FIXTURES / "invalid_boundary_events.bpmn"
    code, output = run(str(path))
    assert code == 1
    lines = output.splitlines()
    assert lines[0] == f"{path}: 4 problem(s)"
    assert lines[1] == (
        f"  {path}:6: process 'p' > boundaryEvent 'orphan': Must be attached to an activity"
    )
    assert "1 of 1 file(s) cannot be deployed" in output


def test_directory_missing_file_junk_and_empty_file(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bpmn"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    empty = tmp_path / "empty.bpmn"
    empty.write_bytes(b"")
    code, output = run(str(tmp_path), str(tmp_path / "missing.bpmn"), str(junk), str(empty))
    assert code == 1
    assert f"  {tmp_path}: Is a directory, not a BPMN file" in output
    assert f"  {tmp_path / 'missing.bpmn'}: No such file" in output
    assert f"  {junk}:1: Not well-formed XML" in output
    assert f"  {empty}: File is empty; expected a BPMN 2.0 XML document" in output
    assert "4 of 4 file(s) cannot be deployed" in output


def test_entity_tricks_are_refused() -> None:
    code, output = run(str(FIXTURES / "xxe_passwd.bpmn"))
    assert code == 1
    assert "DOCTYPE declarations are not allowed" in output
    assert "root:" not in output


def test_size_limit_option() -> None:
    code, output = run("--max-size", "100", str(FIXTURES / "tasks.bpmn"))
    assert code == 1
    assert "larger than the limit of 100" in output


_CONDITION_MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
    targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="xor" />
    <bpmn:exclusiveGateway id="xor" default="f3" />
    <bpmn:sequenceFlow id="f2" sourceRef="xor" targetRef="end">
      <bpmn:conditionExpression>={condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f3" sourceRef="xor" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_unicode_digit_in_an_expression_is_one_problem_line(tmp_path: Path) -> None:
    path = tmp_path / "digits.bpmn"
    path.write_text(_CONDITION_MODEL.format(condition="x > 1 + ²"), encoding="utf-8")
    code, output = run(str(path))
    assert code == 1
    lines = output.splitlines()
    assert lines[0] == f"{path}: 1 problem(s)"
    assert lines[1].startswith(f"  {path}:9: process 'p' > sequenceFlow 'f2' > conditionExpression")
    assert "unexpected '²'" in lines[1]
