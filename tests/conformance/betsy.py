"""betsy BPMN execution-conformance runner: `python -m tests.conformance.betsy [-k NAME]`.

Runs every test case of ../shared/conformance/betsy (or $HONEYFLOW_SHARED/conformance/betsy)
whose model was converted to Zeebe's BPMN (`zeebe/<Name>.bpmn`) through the public client on
a fresh `memory://` engine, as betsy's GenericBPMNTester does (see that folder's README.md):
deploy, start `ParallelProcess` if asked, start the test's process with `test`,
`integerVariable` and `testCaseNumber`, run the worker, then `advance_time` in 1 s steps for
the case's delay with the worker running between steps. The worker does what betsy's engine
adapters do for the script tokens (job type `betsy-script`, header `script`) and publishes
messages (job type `betsy-message`, header `messageName`, correlation key `betsy`).

The trace is compared with the expected one sorted (betsy compares multisets). The last line
printed is `betsy: N/M cases match`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clients.client import Client, connect
from clients.errors import NotFoundError, RejectedError
from clients.results import ActivatedJob

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("HONEYFLOW_SHARED", REPO.parent / "shared"))
BETSY = SHARED / "conformance" / "betsy"

#: Long enough that no held job times out in the longest case (65 s of engine time).
JOB_TIMEOUT_S = 3600
#: The engine time a WAIT_TEN_SECONDS or CREATE_TIMESTAMP_LOG_* job holds its job.
HOLD_S = 10
#: Rounds of the worker without a step of time; a case that needs more loops forever.
MAX_ROUNDS = 1000


@dataclass(frozen=True, slots=True)
class Case:
    test: str  # the test's name, also its process id and model file stem
    number: int
    input: str | None
    integer_variable: int
    parallel_process: bool
    delay_ms: int
    trace: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.test}-{self.number}"

    @property
    def model(self) -> Path:
        return BETSY / "zeebe" / f"{self.test}.bpmn"


@dataclass(slots=True)
class Outcome:
    case: Case
    trace: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def matches(self) -> bool:
        return expected_matches(list(self.case.trace), self.trace)


def expected_matches(expected: list[str], actual: list[str]) -> bool:
    """Sorted comparison; an expected `ERROR` stands for ERROR_deployment or ERROR_runtime."""
    errors = ("ERROR_deployment", "ERROR_runtime")
    actual = list(actual)
    for line in expected:
        if line == "ERROR":
            found = next((e for e in errors if e in actual), None)
            if found is None:
                return False
            actual.remove(found)
    return sorted(line for line in expected if line != "ERROR") == sorted(actual)


def cases(betsy: Path = BETSY) -> list[Case]:
    """Every case of tests.json whose model has a converted file, in tests.json's order."""
    converted = {p.stem for p in (betsy / "zeebe").glob("*.bpmn")}
    found: list[Case] = []
    for test in json.loads((betsy / "tests.json").read_text(encoding="utf-8")):
        name = test["name"]
        if Path(test["file"]).stem not in converted:
            continue
        for case in test["cases"]:
            found.append(
                Case(
                    test=name,
                    number=case["number"],
                    input=case["input"],
                    integer_variable=case["integerVariable"],
                    parallel_process=case["parallelProcess"],
                    delay_ms=case["delayMs"],
                    trace=tuple(case["trace"]),
                )
            )
    return found


@dataclass(slots=True)
class _Held:
    job: ActivatedJob
    until_s: int


class BetsyWorker:
    """The worker of betsy's script tokens and messages, on engine time counted in steps."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.now_s = 0
        self.log: list[str] = []
        self.marker = False
        self.timestamps: dict[str, tuple[int, int]] = {}
        self._held: list[_Held] = []

    def run(self) -> None:
        """Work until no job is left to take now (held jobs wait for their time)."""
        for _ in range(MAX_ROUNDS):
            if not self._round():
                return
        raise RuntimeError(f"the worker still had jobs after {MAX_ROUNDS} rounds")

    def advance(self, seconds: int) -> None:
        self.client.advance_time(seconds)
        self.now_s += seconds

    def _round(self) -> bool:
        worked = False
        for held in [h for h in self._held if h.until_s <= self.now_s]:
            self._held.remove(held)
            self._finish_held(held)
            worked = True
        for job in self.client.activate_jobs(
            "betsy-script", max_jobs=32, timeout=JOB_TIMEOUT_S, worker="betsy"
        ):
            self._script(job)
            worked = True
        for job in self.client.activate_jobs(
            "betsy-message", max_jobs=32, timeout=JOB_TIMEOUT_S, worker="betsy"
        ):
            self.client.publish_message(job.custom_headers["messageName"], "betsy")
            self._complete(job)
            worked = True
        return worked

    def _script(self, job: ActivatedJob) -> None:
        token = job.custom_headers.get("script", "")
        if token.startswith("SCRIPT_"):
            self.log.append(token)
        elif token == "CREATE_MARKER_FILE":
            self.marker = True
        elif token in ("WAIT_TEN_SECONDS", "CREATE_TIMESTAMP_LOG_1", "CREATE_TIMESTAMP_LOG_2"):
            self._held.append(_Held(job, self.now_s + HOLD_S))
            return
        elif token == "THROW_ERROR":
            self.client.throw_error(job.key, "ERR_CODE", "betsy THROW_ERROR")
            return
        elif token in ("INCREMENT_INTEGER_VARIABLE", "INCREMENT_INTEGER_VARIABLE_AND_LOG"):
            value = int(job.variables.get("integerVariable") or 0) + 1
            if token.endswith("_AND_LOG"):
                self.log.append(f"INCREMENT_{value}")
            self._complete(job, {"integerVariable": value})
            return
        elif token != "CREATE_LOG_FILE":
            raise ValueError(f"unknown betsy script token {token!r} in {job.element_id}")
        self._complete(job)

    def _finish_held(self, held: _Held) -> None:
        token = held.job.custom_headers.get("script", "")
        if token.startswith("CREATE_TIMESTAMP_LOG"):
            self.timestamps[token] = (held.until_s - HOLD_S, held.until_s)
        self._complete(held.job)

    def _complete(self, job: ActivatedJob, variables: dict[str, Any] | None = None) -> None:
        # NOT_FOUND: the job was canceled meanwhile (its element was interrupted)
        with contextlib.suppress(NotFoundError):
            self.client.complete_job(job.key, variables)

    def overlapping(self) -> bool:
        first = self.timestamps.get("CREATE_TIMESTAMP_LOG_1")
        second = self.timestamps.get("CREATE_TIMESTAMP_LOG_2")
        if first is None or second is None:
            return False
        return first[0] < second[1] and second[0] < first[1]


def run_case(case: Case) -> Outcome:
    with connect("memory://") as client:
        return _run(case, client)


def _run(case: Case, client: Client) -> Outcome:
    trace: list[str] = []
    notes: list[str] = []
    try:
        client.deploy(case.model)
    except RejectedError as error:
        return Outcome(case, ["ERROR_deployment"], [error.reason])
    worker = BetsyWorker(client)
    try:
        if case.parallel_process:
            client.create_instance("ParallelProcess")
        variables = {
            "test": case.input,
            "integerVariable": case.integer_variable,
            "testCaseNumber": case.number,
        }
        client.create_instance(case.test, variables)
    except RejectedError as error:
        trace.append("ERROR_runtime")
        notes.append(f"create refused: {error}")
    worker.run()
    for _ in range(case.delay_ms // 1000):
        worker.advance(1)
        worker.run()
    trace.extend(worker.log)
    trace.extend(_errors(client, notes))
    if worker.marker and "MARKER_exists" in case.trace:
        trace.append("MARKER_exists")
    if worker.overlapping() and "EXECUTION_parallel" in case.trace:
        trace.append("EXECUTION_parallel")
    return Outcome(case, trace, notes)


def _errors(client: Client, notes: list[str]) -> Iterator[str]:
    """What betsy's outcome checker appends: one line per kind of failure seen."""
    kinds: set[str] = set()
    for record in client.records():
        if record["valueType"] == "INCIDENT" and record["intent"] == "CREATED":
            value = record["value"]
            unhandled = value["errorType"] == "UNHANDLED_ERROR_EVENT"
            kinds.add("ERROR_thrownErrorEvent" if unhandled else "ERROR_runtime")
            notes.append(f"incident {value['errorType']} at {value['elementId']}")
        elif (
            record["recordType"] == "COMMAND_REJECTION"
            and record["rejectionType"] == "PROCESSING_ERROR"
        ):
            kinds.add("ERROR_runtime")
            notes.append(f"PROCESSING_ERROR: {record['rejectionReason']}")
    yield from sorted(kinds)


def run(selected: str | None = None) -> list[Outcome]:
    return [run_case(c) for c in cases() if selected is None or selected in c.id]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("-k", dest="selected", help="only cases whose id contains this")
    args = parser.parse_args(argv)
    if not (BETSY / "tests.json").is_file():
        print(f"betsy: no conformance suite at {BETSY} (set HONEYFLOW_SHARED)")
        return 2
    outcomes = run(args.selected)
    for outcome in outcomes:
        if not outcome.matches:
            print(
                f"MISMATCH {outcome.case.id}: expected {sorted(outcome.case.trace)},"
                f" got {sorted(outcome.trace)}"
                + (f" ({'; '.join(outcome.notes)})" if outcome.notes else "")
            )
    passed = sum(o.matches for o in outcomes)
    print(f"betsy: {passed}/{len(outcomes)} cases match")
    return 0 if passed == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
