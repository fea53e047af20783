"""What `bpmn.validate_deployment` (and so `honeyflow validate`) accepts, deployment accepts, and
what it refuses, deployment refuses with the same message: the same inputs run through both."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import bpmn
from clients.cli.main import cli
from clients.client import Client
from clients.errors import InvalidArgumentError

_DEFS = (
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    ' xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">{}'
    "</bpmn:definitions>"
)


def _timer_start(cycle: str, process_id: str = "cron", kind: str = "timeCycle") -> bytes:
    return _DEFS.format(
        f'<bpmn:process id="{process_id}" isExecutable="true">'
        '<bpmn:startEvent id="tick"><bpmn:timerEventDefinition>'
        f"<bpmn:{kind}>{cycle}</bpmn:{kind}></bpmn:timerEventDefinition></bpmn:startEvent>"
        '<bpmn:sequenceFlow id="f" sourceRef="tick" targetRef="end" />'
        '<bpmn:endEvent id="end" /></bpmn:process>'
    ).encode()


def _cycle_boundary(cycle: str) -> bytes:
    return _DEFS.format(
        '<bpmn:process id="reminder" isExecutable="true"><bpmn:startEvent id="s" />'
        '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="task" />'
        '<bpmn:serviceTask id="task"><bpmn:extensionElements><zeebe:taskDefinition type="t" />'
        "</bpmn:extensionElements></bpmn:serviceTask>"
        '<bpmn:boundaryEvent id="remind" attachedToRef="task" cancelActivity="false">'
        f"<bpmn:timerEventDefinition><bpmn:timeCycle>{cycle}</bpmn:timeCycle>"
        "</bpmn:timerEventDefinition></bpmn:boundaryEvent>"
        '<bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="e" /><bpmn:endEvent id="e" />'
        "</bpmn:process>"
    ).encode()


def _caller(called: str) -> bytes:
    return _DEFS.format(
        '<bpmn:process id="caller" isExecutable="true"><bpmn:startEvent id="s" />'
        '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="call" />'
        '<bpmn:callActivity id="call"><bpmn:extensionElements>'
        f'<zeebe:calledElement processId="{called}" bindingType="deployment" />'
        "</bpmn:extensionElements></bpmn:callActivity>"
        '<bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="e" /><bpmn:endEvent id="e" />'
        "</bpmn:process>"
    ).encode()


CASES: dict[str, list[tuple[str, bytes]]] = {
    "cron never fires": [("resource-1.bpmn", _timer_start("0 0 0 31 2 *"))],
    "cron step zero": [("resource-1.bpmn", _timer_start("*/0 * * * * *"))],
    "cron range backwards": [("resource-1.bpmn", _timer_start("0 0 17-9 * * *"))],
    "cron never fires, boundary": [("resource-1.bpmn", _cycle_boundary("0 0 0 30 2 *"))],
    "cron step zero, boundary": [("resource-1.bpmn", _cycle_boundary("0 */0 * * * *"))],
    "cron 5th Tuesday on the 1st": [("resource-1.bpmn", _timer_start("0 0 0 1 * TUE#5"))],
    "cron leap day on a Monday": [("resource-1.bpmn", _timer_start("0 0 0 29 2 MON"))],
    "cron working hours": [("resource-1.bpmn", _timer_start("0 0 9-17 * * MON-FRI"))],
    "cron last weekday": [("resource-1.bpmn", _cycle_boundary("0 0 12 LW * *"))],
    "start timer reads a variable": [("resource-1.bpmn", _timer_start("=every"))],
    "start timer is a number": [("resource-1.bpmn", _timer_start("=1"))],
    "start timer cron never fires": [("resource-1.bpmn", _timer_start('="0 0 0 31 2 *"'))],
    "start timer FEEL fails": [("resource-1.bpmn", _timer_start("=assert(1, 1 > 2)"))],
    "start timer FEEL cycle": [("resource-1.bpmn", _timer_start('="R/PT1H"'))],
    "start timer FEEL date": [
        (
            "resource-1.bpmn",
            _timer_start('=now() + duration("PT1H")', kind="timeDate"),
        )
    ],
    "start timer FEEL duration": [
        ("resource-1.bpmn", _timer_start('=duration("P1D")', kind="timeDuration"))
    ],
    "called process not deployed": [("resource-1.bpmn", _caller("child"))],
    "called process deployed with it": [
        ("resource-1.bpmn", _caller("cron")),
        ("resource-2.bpmn", _timer_start("@daily")),
    ],
    "duplicate process ids": [
        ("resource-1.bpmn", _timer_start("@daily")),
        ("resource-2.bpmn", _timer_start("@hourly")),
    ],
}


@pytest.mark.parametrize("name", CASES)
def test_validate_and_deploy_agree(client: Client, name: str) -> None:
    resources = CASES[name]
    problems = bpmn.validate_deployment(resources)
    try:
        client.deploy(*(data for _, data in resources))
        refused = None
    except InvalidArgumentError as error:
        refused = error.reason
    if not problems:
        assert refused is None
    else:
        assert refused is not None
        for problem in problems:
            assert problem.message in refused


def test_cron_problems_name_the_element_and_the_expression() -> None:
    [never] = bpmn.validate(_timer_start("0 0 0 31 2 *"), source_name="a.bpmn")
    assert str(never) == (
        "a.bpmn:1: process 'cron' > startEvent 'tick' > timerEventDefinition > timeCycle:"
        " Invalid cron expression '0 0 0 31 2 *': it never fires: no date matches its"
        " day-of-month, month and day-of-week"
    )
    [step] = bpmn.validate(_cycle_boundary("*/0 * * * * *"), source_name="a.bpmn")
    assert step.element_id == "remind"
    assert step.message == (
        "Invalid cron expression '*/0 * * * * *': second field: the step '0' must be 1 or more"
    )


def test_honeyflow_validate_checks_files_alone_or_together(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    for name, data in CASES["called process deployed with it"]:
        (folder / name).write_bytes(data)
    files = [str(folder / "resource-1.bpmn"), str(folder / "resource-2.bpmn")]
    alone = CliRunner().invoke(cli, ["validate", *files])
    assert alone.exit_code == 1
    assert "Expected to find process with id 'cron' in current deployment" in alone.output
    together = CliRunner().invoke(cli, ["validate", "--together", *files])
    assert (together.exit_code, together.output) == (
        0,
        f"{files[0]}: OK\n{files[1]}: OK\n",
    )
