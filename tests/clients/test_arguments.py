"""Wrong arguments to any client call raise `InvalidArgumentError` (a `HoneyflowError`) naming
the argument, before anything is sent; the same calls through the asyncio client do too."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from clients.client import Client, connect, connect_async
from clients.errors import HoneyflowError, InvalidArgumentError
from tests.engine.conftest import scenario

JOB = (1 << 51) + 1  # a well-formed key of partition 1
NAN = float("nan")

# (call, positional arguments, keyword arguments, the argument named, words of the message)
WRONG: list[tuple[str, tuple[Any, ...], dict[str, Any], str, str]] = [
    # the calls of the issue
    ("publish_message", ("m", 123), {}, "correlation_key", "must be a string"),
    ("create_instance", ("one_task", "abc"), {}, "variables", "must be a dict"),
    ("complete_job", ("abc",), {}, "key", "positive integer"),
    ("publish_message", ("m", "k"), {"ttl": NAN}, "ttl", "finite"),
    # keys: positive 64-bit longs
    ("cancel_instance", (2**70,), {}, "key", "between 1 and 9223372036854775807"),
    ("cancel_instance", (-1,), {}, "key", "between 1"),
    ("cancel_instance", (None,), {}, "key", "positive integer"),
    ("complete_job", (True,), {}, "key", "positive integer"),
    ("fail_job", (1.5, 1), {}, "key", "positive integer"),
    ("throw_error", (0, "E"), {}, "key", "between 1"),
    ("update_job_retries", ("1", 1), {}, "key", "positive integer"),
    ("update_job_timeout", ("1", 1), {}, "key", "positive integer"),
    ("update_job_timeout", (JOB, -1), {}, "timeout", "at least 0.001"),
    ("update_job_timeout", (JOB, NAN), {}, "timeout", "finite"),
    ("resolve_incident", (2**63,), {}, "key", "between 1"),
    ("set_variables", (None, {}), {}, "element_instance_key", "positive integer"),
    # durations: finite, not negative, within long milliseconds
    ("publish_message", ("m", "k"), {"ttl": -1}, "ttl", "must not be negative"),
    ("publish_message", ("m", "k"), {"ttl": float("inf")}, "ttl", "finite"),
    ("publish_message", ("m", "k"), {"ttl": 1e30}, "ttl", "at most"),
    ("publish_message", ("m", "k"), {"ttl": "60"}, "ttl", "number of seconds"),
    ("activate_jobs", ("work",), {"max_jobs": 1, "timeout": 1e30}, "timeout", "at most"),
    ("activate_jobs", ("work",), {"max_jobs": 1, "timeout": 0}, "timeout", "at least 0.001"),
    ("fail_job", (JOB, 1), {"retry_backoff": -1}, "retry_backoff", "must not be negative"),
    ("fail_job", (JOB, 1), {"retry_backoff": NAN}, "retry_backoff", "finite"),
    ("create_instance", ("one_task",), {"timeout": -1}, "timeout", "at least 0.001"),
    ("advance_time", (-5,), {}, "seconds", "must not be negative"),
    ("advance_time", (NAN,), {}, "seconds", "finite"),
    # retries and counts: 32-bit ints, as Zeebe
    ("fail_job", (JOB, 2**63), {}, "retries", "between 0 and 2147483647"),
    ("fail_job", (JOB, -1), {}, "retries", "between 0"),
    ("update_job_retries", (JOB, 0), {}, "retries", "between 1"),
    ("update_job_retries", (JOB, "x"), {}, "retries", "must be an integer"),
    ("activate_jobs", ("work",), {"max_jobs": "a", "timeout": 1}, "max_jobs", "integer"),
    ("activate_jobs", ("work",), {"max_jobs": 0, "timeout": 1}, "max_jobs", "between 1"),
    ("create_instance", ("one_task",), {"version": "x"}, "version", "must be an integer"),
    ("create_instance", ("one_task",), {"version": 0}, "version", "between 1"),
    # names and texts
    ("publish_message", (None, "k"), {}, "name", "must be a string"),
    ("publish_message", ("", "k"), {}, "name", "must not be empty"),
    ("publish_message", ("m", "k"), {"message_id": 1}, "message_id", "must be a string"),
    ("create_instance", ("",), {}, "bpmn_process_id", "must not be empty"),
    ("activate_jobs", (1,), {"max_jobs": 1, "timeout": 1}, "job_type", "must be a string"),
    ("activate_jobs", ("",), {"max_jobs": 1, "timeout": 1}, "job_type", "must not be empty"),
    ("activate_jobs", ("w",), {"max_jobs": 1, "timeout": 1, "worker": None}, "worker", "string"),
    ("activate_jobs", ("w",), {"max_jobs": 1, "timeout": 1, "wait": -1}, "wait", "not be negative"),
    ("activate_jobs", ("w",), {"max_jobs": 1, "timeout": 1, "wait": "5s"}, "wait", "number"),
    ("throw_error", (JOB, 1), {}, "error_code", "must be a string"),
    ("throw_error", (JOB, ""), {}, "error_code", "must not be empty"),
    ("fail_job", (JOB, 1, None), {}, "error_message", "must be a string"),
    ("broadcast_signal", (1,), {}, "signal_name", "must be a string"),
    ("broadcast_signal", ("",), {}, "signal_name", "must not be empty"),
    ("create_instance", ("one_task",), {"fetch_variables": "ab"}, "fetch_variables", "list"),
    ("create_instance", ("one_task",), {"fetch_variables": [1]}, "fetch_variables[0]", "string"),
    ("create_instance", ("one_task",), {"with_result": 1}, "with_result", "True or False"),
    ("set_variables", (JOB, {}), {"local": "yes"}, "local", "True or False"),
    ("deploy", (1,), {}, "resources[0]", "path or BPMN XML bytes"),
    # variables: a JSON object with string keys and finite, JSON-encodable values
    ("create_instance", ("one_task", {1: 2}), {}, "variables", "string keys"),
    ("create_instance", ("one_task", {"a": {1, 2}}), {}, "variables['a']", "JSON value"),
    ("complete_job", (JOB, {"x": 10**5000}), {}, "variables['x']", "at most 4300 digits"),
    ("complete_job", (JOB, {"x": [1, float("inf")]}), {}, "variables['x'][1]", "finite"),
    ("complete_job", (JOB, {"x": {"y": NAN}}), {}, "variables['x']['y']", "finite"),
    ("throw_error", (JOB, "E", "", {"d": object()}), {}, "variables['d']", "JSON value"),
    ("fail_job", (JOB, 1, "", 0, [1]), {}, "variables", "must be a dict"),
    ("publish_message", ("m", "k", {"b": b"x"}), {}, "variables['b']", "JSON value"),
    ("broadcast_signal", ("s", "v"), {}, "variables", "must be a dict"),
    ("set_variables", (JOB, None), {}, "variables", "must be a dict"),
]


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {"a": value}
    return value


WRONG.append(("create_instance", ("one_task", _nested(300)), {}, "variables", "256 deep"))


def _id(case: tuple[Any, ...]) -> str:
    return f"{case[0]}-{case[3]}-{case[4]}"


@pytest.mark.parametrize("case", WRONG, ids=[_id(c) for c in WRONG])
def test_a_wrong_argument_is_refused_before_anything_is_sent(case: tuple[Any, ...]) -> None:
    call, args, kwargs, argument, words = case
    client = connect("memory://")
    client.deploy(scenario("one_task.bpmn"))
    before = len(client.records())
    with pytest.raises(InvalidArgumentError) as raised:
        getattr(client, call)(*args, **kwargs)
    assert isinstance(raised.value, HoneyflowError)
    assert raised.value.argument == argument
    assert words in str(raised.value)
    assert str(raised.value).startswith(f"{call}: argument {argument} ")
    assert len(client.records()) == before  # nothing was sent


@pytest.mark.parametrize("case", WRONG[:12], ids=[_id(c) for c in WRONG[:12]])
def test_the_asyncio_client_refuses_the_same_arguments(case: tuple[Any, ...]) -> None:
    call, args, kwargs, argument, _ = case

    async def run() -> InvalidArgumentError:
        client = connect_async("memory://")
        await client.deploy(scenario("one_task.bpmn"))
        try:
            await getattr(client, call)(*args, **kwargs)
        except InvalidArgumentError as error:
            return error
        raise AssertionError(f"{call} accepted {args} {kwargs}")

    assert asyncio.run(run()).argument == argument


@pytest.mark.parametrize(
    ("connect_to", "url"), [(connect, 123), (connect, None), (connect_async, b"memory://")]
)
def test_a_url_that_is_not_a_string_is_refused(connect_to: Callable[..., Any], url: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="url must be a string"):
        connect_to(url)


@pytest.mark.parametrize(
    ("options", "argument"),
    [({"kafka_config": 3}, "kafka_config"), ({"kafka_options": {"acks": 1}}, "kafka_options")],
)
def test_wrong_kafka_settings_are_refused_before_connecting(
    options: dict[str, Any], argument: str
) -> None:
    with pytest.raises(InvalidArgumentError) as refused:
        connect("kafka://127.0.0.1:1", **options)
    assert refused.value.argument == argument


def test_right_arguments_of_every_kind_still_work(tmp_path: Path) -> None:
    client = connect("memory://")
    path = tmp_path / "one_task.bpmn"
    path.write_bytes(scenario("one_task.bpmn").read_bytes())
    client.deploy(str(path))
    client.deploy(bytearray(path.read_bytes()))
    key = client.create_instance(
        "one_task",
        {"n": 2**62, "f": 1.5, "t": (1, "a"), "nested": {"x": [None, True]}},
        version=1,
        fetch_variables=["n"],
    )
    [job] = client.activate_jobs("work", max_jobs=1, timeout=0.5)
    assert job.process_instance_key == key
    assert job.variables["t"] == [1, "a"]  # a tuple is sent as a JSON array
    client.fail_job(job.key, 1, "later", retry_backoff=0.25)
    client.advance_time(1)
    [job] = client.activate_jobs("work", max_jobs=2**31 - 1, timeout=30)
    client.complete_job(job.key, {"done": True})
    # An empty correlation key is Zeebe's too: the message correlates to no catch event.
    assert client.publish_message("m", "", ttl=0) > 0


def test_a_worker_can_hand_back_the_numbers_the_engine_gave_it() -> None:
    # FEEL integers go up to decimal128's 34 digits and beyond (10 ** 30 is exact): a variable
    # the engine wrote must be one the client sends back. The engine's bound is JSON's.
    model = scenario("one_task.bpmn").read_text()
    model = model.replace(
        '<zeebe:taskDefinition type="work" retries="3" />',
        '<zeebe:taskDefinition type="work" retries="3" /><zeebe:ioMapping>'
        '<zeebe:input source="=10 ** 30" target="big" /></zeebe:ioMapping>',
    )
    with connect("memory://") as client:
        client.deploy(model.encode())
        key = client.create_instance("one_task", {"n": -(2**70)})
        [job] = client.activate_jobs("work", max_jobs=1, timeout=30)
        assert job.variables == {"big": 10**30, "n": -(2**70)}
        client.complete_job(job.key, {"total": job.variables["big"] * 2})
        ended = [r for r in client.records() if r["intent"] == "ELEMENT_COMPLETED"]
        assert ended[-1]["value"]["processInstanceKey"] == key
        assert ended[-1]["value"]["bpmnElementType"] == "PROCESS"


ODD_VALUES: list[Any] = [
    None,
    "",
    "x",
    -1,
    0,
    2**70,
    -(2**70),
    NAN,
    float("inf"),
    1.5,
    [],
    {},
    {1: 2},
    {"a": NAN},
    object(),
    b"x",
    True,
    ("a",),
]


def test_no_call_raises_anything_but_a_honeyflow_error_whatever_one_argument_holds() -> None:
    """Every public method, every parameter, every odd value in turn (the others right)."""
    client = connect("memory://")
    client.deploy(scenario("one_task.bpmn"))
    instance = client.create_instance("one_task")
    [job] = client.activate_jobs("work", max_jobs=1, timeout=600)
    right: dict[str, Any] = {
        "key": job.key,
        "element_instance_key": instance,
        "bpmn_process_id": "one_task",
        "name": "m",
        "correlation_key": "k",
        "signal_name": "s",
        "job_type": "work",
        "max_jobs": 1,
        "timeout": 0.05,  # create-with-result on a task that nobody works: a short wait
        "retries": 1,
        "error_code": "E",
        "seconds": 1,
        "variables": {},
    }
    calls = 0
    unexpected = []
    for name, method in inspect.getmembers(Client, inspect.isfunction):
        if name.startswith("_") or name in ("close", "records"):
            continue
        parameters = list(inspect.signature(method).parameters.values())[1:]
        for odd_one in parameters:
            for odd in ODD_VALUES:
                args: list[Any] = []
                kwargs: dict[str, Any] = {}
                for p in parameters:
                    if p.kind is p.VAR_POSITIONAL:
                        args.append(odd if p is odd_one else scenario("one_task.bpmn"))
                        continue
                    value = odd if p is odd_one else right.get(p.name, p.default)
                    if p.kind is p.KEYWORD_ONLY:
                        kwargs[p.name] = value
                    else:
                        args.append(value)
                calls += 1
                try:
                    getattr(client, name)(*args, **kwargs)
                except HoneyflowError:
                    pass
                except Exception as error:  # what the test is after
                    unexpected.append(f"{name}({odd_one.name}={odd!r}): {error!r}")
    assert calls > 300
    assert unexpected == []
