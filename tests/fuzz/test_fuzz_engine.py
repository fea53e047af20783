"""Fuzzing what the engine does with commands that decode but are wrong: every command of every
value type (and the commands a real instance produced, and the golden streams') with its key
replaced by a live key, an unknown one or an odd number, and its fields edited. Each goes
through the commands topic's intake (read_command) into an in-process engine holding a
deployed process, a running instance and an activated job. It must end as a dead letter, a
rejection naming why, or events, never an exception and never the engine's "unexpected
error" safety net; the engine then still processes a good command."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from broker.protocol import Record
from broker.protocol.codec import record_to_json
from broker.protocol.intents import command_intents
from broker.protocol.values import VALUE_CLASSES
from clients.client import Client, connect
from processors.kafka.command_intake import DeadLetter, Rejected, Reroute, read_command
from tests.engine.conftest import scenario
from tests.fuzz.budget import deadline, fuzz, fuzz_settings
from tests.fuzz.checks import assert_not_a_defect, saving
from tests.fuzz.seeds import golden_commands
from tests.fuzz.strategies import INTERESTING_INTS, Blob, Seeds, mutated_json

_MAX_BYTES = 64 * 1024


def started_engine() -> Client:
    """A memory engine with one_task and discount deployed, one instance waiting at its job,
    the job activated."""
    client = connect("memory://")
    client.deploy(scenario("one_task.bpmn"), scenario("discount.dmn"))
    client.create_instance("one_task", {"order": {"id": 7}, "total": 12.5})
    client.activate_jobs("work", max_jobs=10, timeout=60, worker="fuzz")
    return client


def _templates() -> tuple[Seeds, list[int]]:
    client = started_engine()
    records = client.transport.runtime.records()  # type: ignore[attr-defined]
    keys = sorted({r["key"] for r in records if r["key"] > 0})
    for r in records:
        for field in ("processInstanceKey", "elementInstanceKey", "processDefinitionKey"):
            value = r["value"].get(field)
            if isinstance(value, int) and value > 0:
                keys.append(value)
    live = [r for r in records if r["recordType"] == "COMMAND"]
    generic = [
        record_to_json(Record.command(intent, cls()))
        for value_type, cls in VALUE_CLASSES.items()
        for intent in command_intents(value_type)
    ]
    client.close()
    return Seeds([*generic, *live, *golden_commands()]), sorted(set(keys))


_TEMPLATES, _KEYS = _templates()
_KEY_FIELDS = (
    "processInstanceKey",
    "elementInstanceKey",
    "processDefinitionKey",
    "jobKey",
    "decisionKey",
    "userTaskKey",
    "scopeKey",
    "incidentKey",
)


@st.composite
def wrong_commands(draw: st.DrawFn) -> Any:
    command = draw(mutated_json(_TEMPLATES))
    if isinstance(command, dict):
        keys = st.one_of(st.sampled_from(_KEYS), st.sampled_from(INTERESTING_INTS), st.integers())
        if draw(st.booleans()):
            command["key"] = draw(keys)
        value = command.get("value")
        if isinstance(value, dict):
            for field in _KEY_FIELDS:
                if field in value and draw(st.booleans()):
                    value[field] = draw(keys)
    return command


def check_engine(command: Any) -> None:
    data = Blob(json.dumps(command, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    with saving("engine", data), deadline():
        client = started_engine()
        runtime = client.transport.runtime  # type: ignore[attr-defined]
        before = len(runtime.records())
        outcome = read_command(data, (), 1, _MAX_BYTES, 1)
        if isinstance(outcome, DeadLetter):
            assert_not_a_defect(outcome.reason)
        assert not isinstance(outcome, Reroute)  # one partition: every message is its own
        if isinstance(outcome, Record | Rejected):
            record = outcome if isinstance(outcome, Record) else outcome.command
            runtime.submit(record, 1)
            runtime.advance_time(3600)  # timers, job deadlines, TTLs the command set up
            for written in runtime.records()[before:]:
                assert_not_a_defect(written["rejectionReason"])
        # The partition goes on: a good command after the wrong one.
        assert client.create_instance("one_task", {"total": 1}) > 0


@fuzz_settings()
@given(wrong_commands())
def _engine(command: Any) -> None:
    check_engine(command)


def test_fuzz_engine_wrong_commands() -> None:
    fuzz(_engine)
