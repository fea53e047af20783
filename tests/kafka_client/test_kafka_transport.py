"""The Kafka transport against real Kafka, with a fake engine that answers each command:
request/response correlation by headers, partition routing, rejections and time-outs, job
claiming from the job topic, and reading the audit log."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from broker.protocol import Record, RejectionType, decode_partition, encode_key
from broker.protocol.intents import (
    DeploymentIntent,
    JobBatchIntent,
    JobIntent,
    MessageIntent,
    ProcessInstanceCreationIntent,
    ProcessInstanceIntent,
)
from broker.protocol.values import JobRecordValue, ProcessInstanceRecordValue
from broker.protocol.values.deployment import ProcessMetadata
from broker.topics import TopicSettings, ensure_topics
from clients import commands as c
from clients.client import Client, _message_partition, connect, connect_async
from clients.errors import ConnectError, HoneyflowError, NotFoundError, RequestTimeoutError
from clients.kafka_jobs import JobClaim
from clients.kafka_requests import CLIENT_ID_HEADER, REQUEST_ID_HEADER
from clients.kafka_transport import KafkaTransport
from clients.results import ActivatedJob
from clients.worker import Worker, WorkerCounts
from tests.kafka_client.fake_engine import FakeEngine

pytestmark = pytest.mark.kafka

PARTITIONS = 3


class Answers:
    """What the fake engine answers: enough of the engine to exercise the client."""

    def __init__(self) -> None:
        self.counter = itertools.count(1)
        self.activatable: dict[int, JobRecordValue] = {}
        self.lock = threading.Lock()
        self.claimed: set[int] = set()
        """Jobs activated by a claim, which COMPLETE and FAIL may answer."""
        self.unanswered_claims = 0
        """How many of the next JOB_BATCH ACTIVATE commands get no answer (a slow engine)."""

    def __call__(self, command: Record[Any], partition_id: int) -> Record[Any] | None:
        intent = command.intent
        key = encode_key(partition_id, next(self.counter))
        if intent is DeploymentIntent.CREATE:
            meta = ProcessMetadata(bpmn_process_id="order", version=1, process_definition_key=key)
            value = dataclasses.replace(command.value, processes_metadata=(meta,))
            return self._event(DeploymentIntent.CREATED, value, key, partition_id)
        if intent is ProcessInstanceCreationIntent.CREATE:
            value = dataclasses.replace(command.value, process_instance_key=key)
            return self._event(ProcessInstanceCreationIntent.CREATED, value, key, partition_id)
        if intent is ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT:
            return None  # the instance never completes
        if intent is MessageIntent.PUBLISH:
            return self._event(MessageIntent.PUBLISHED, command.value, key, partition_id)
        if intent is JobBatchIntent.ACTIVATE:
            with self.lock:
                if self.unanswered_claims > 0:
                    self.unanswered_claims -= 1
                    return None
                jobs = [
                    (k, self.activatable.pop(k))
                    for k in command.value.job_keys
                    if k in self.activatable
                ]
                self.claimed.update(k for k, _ in jobs)
            value = dataclasses.replace(
                command.value,
                job_keys=tuple(k for k, _ in jobs),
                jobs=tuple(dataclasses.replace(j, worker=command.value.worker) for _, j in jobs),
            )
            return self._event(JobBatchIntent.ACTIVATED, value, key, partition_id)
        if intent in (JobIntent.COMPLETE, JobIntent.FAIL) and command.key in self.claimed:
            done = JobIntent.COMPLETED if intent is JobIntent.COMPLETE else JobIntent.FAILED
            return self._event(done, command.value, command.key, partition_id)
        stamped = dataclasses.replace(command, partition_id=partition_id, position=1)
        return stamped.reject(RejectionType.NOT_FOUND, f"no entity with key '{command.key}'")

    @staticmethod
    def _event(intent: Any, value: Any, key: int, partition_id: int) -> Record[Any]:
        return Record.event(intent, value, key=key, partition_id=partition_id, timestamp=1)


@pytest.fixture
def topics(kafka_bootstrap: str, unique_name: str) -> TopicSettings:
    settings = TopicSettings(prefix=f"{unique_name}.", partitions=PARTITIONS)
    specs = [*settings.core_topics(), settings.job_topic("payment")]
    ensure_topics({"bootstrap.servers": kafka_bootstrap}, specs)
    return settings


@pytest.fixture
def answers() -> Answers:
    return Answers()


@pytest.fixture
def engine(kafka_bootstrap: str, topics: TopicSettings, answers: Answers) -> Iterator[FakeEngine]:
    fake = FakeEngine(kafka_bootstrap, topics, answers)
    yield fake
    fake.close()


@pytest.fixture
def client(kafka_bootstrap: str, topics: TopicSettings, engine: FakeEngine) -> Iterator[Client]:
    with connect(f"kafka://{kafka_bootstrap}?prefix={topics.prefix}") as c:
        yield c


def test_partition_count_comes_from_the_commands_topic(client: Client) -> None:
    assert client.transport.partition_count == PARTITIONS


def test_unknown_prefix_names_the_missing_topic(kafka_bootstrap: str) -> None:
    with pytest.raises(ConnectError, match=r"nothere\.commands does not exist"):
        connect(f"kafka://{kafka_bootstrap}?prefix=nothere.")


def test_deploy_goes_to_partition_one_and_returns_the_answer(
    client: Client, engine: FakeEngine
) -> None:
    deployment = client.deploy(b"<definitions/>")
    assert [p.bpmn_process_id for p in deployment.processes] == ["order"]
    assert decode_partition(deployment.key) == 1
    [seen] = engine.seen
    assert seen.partition_id == 1 and seen.command.intent is DeploymentIntent.CREATE


def test_requests_carry_the_client_and_request_ids(client: Client, engine: FakeEngine) -> None:
    client.create_instance("order")
    client.create_instance("order")
    first, second = engine.seen
    client_id = client.transport.client_id  # type: ignore[attr-defined]
    assert first.headers[CLIENT_ID_HEADER] == second.headers[CLIENT_ID_HEADER]
    assert first.headers[CLIENT_ID_HEADER].decode() == client_id
    assert first.headers[REQUEST_ID_HEADER] != second.headers[REQUEST_ID_HEADER]


def test_new_instances_go_round_robin_and_commands_follow_their_keys(
    client: Client, engine: FakeEngine
) -> None:
    keys = [client.create_instance("order") for _ in range(PARTITIONS)]
    assert sorted(decode_partition(k) for k in keys) == [1, 2, 3]
    with pytest.raises(NotFoundError):
        client.cancel_instance(encode_key(2, 77))
    client.publish_message("paid", "order-4711")
    cancel, publish = engine.seen[-2:]
    assert cancel.command.intent is ProcessInstanceIntent.CANCEL and cancel.partition_id == 2
    assert publish.partition_id == _message_partition("order-4711", PARTITIONS)


def test_a_rejection_raises_with_its_type_and_reason(client: Client) -> None:
    with pytest.raises(NotFoundError) as error:
        client.complete_job(encode_key(3, 5))
    assert error.value.rejection_type == "NOT_FOUND"
    assert str(encode_key(3, 5)) in error.value.reason


def test_no_answer_raises_a_timeout_naming_the_request(client: Client) -> None:
    with pytest.raises(RequestTimeoutError, match=r"PROCESS_INSTANCE_CREATION .*request py-"):
        client.create_instance("order", with_result=True, timeout=1)


def test_a_client_shared_by_many_threads_has_all_their_requests_in_flight_together(
    client: Client, engine: FakeEngine
) -> None:
    # The fake engine never answers a create with result: 32 threads each wait for one.
    errors: list[Exception] = []

    def create() -> None:
        try:
            client.create_instance("order", with_result=True, timeout=60)
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=create, daemon=True) for _ in range(32)]
    for thread in threads:
        thread.start()

    def waiting() -> int:
        return sum(
            s.command.intent is ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT
            for s in engine.seen
        )

    deadline = time.monotonic() + 30
    while waiting() < 32 and time.monotonic() < deadline:
        time.sleep(0.05)
    # Every thread's request reached the engine while none had its answer: no lock around a
    # request and its answer.
    assert waiting() == 32
    assert all(thread.is_alive() for thread in threads) and not errors
    client.close()  # the waiting calls end with "the client was closed"
    for thread in threads:
        thread.join(10)
    assert len(errors) == 32


def test_two_clients_each_get_their_own_answers(
    kafka_bootstrap: str, topics: TopicSettings, client: Client
) -> None:
    with connect(f"kafka://{kafka_bootstrap}?prefix={topics.prefix}") as other:
        results: dict[str, list[int]] = {"a": [], "b": []}

        def run(name: str, c: Client) -> None:
            results[name] = [c.create_instance("order") for _ in range(10)]

        threads = [threading.Thread(target=run, args=p) for p in (("a", client), ("b", other))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(set(results["a"]) | set(results["b"])) == 20


def test_requests_awaited_on_a_loop_each_get_their_own_answer(
    kafka_bootstrap: str, topics: TopicSettings, engine: FakeEngine
) -> None:
    """Many requests in flight on one event loop (as the gateway has them): the answers read
    together are handed to the loop together, each to its own request."""
    transport = KafkaTransport.open(f"kafka://{kafka_bootstrap}?prefix={topics.prefix}")

    async def run() -> list[Record[Any]]:
        commands = [c.create_command("order", {"n": n}, None, False, ()) for n in range(60)]
        return await asyncio.gather(
            *(
                transport.request_async(command, 1 + n % PARTITIONS, 30)
                for n, command in enumerate(commands)
            )
        )

    try:
        answers = asyncio.run(run())
    finally:
        transport.close()
    assert [a.value.variables["n"] for a in answers] == list(range(60))
    assert [decode_partition(a.key) for a in answers] == [1 + n % PARTITIONS for n in range(60)]
    assert len({a.key for a in answers}) == 60


def test_a_request_awaited_on_a_loop_times_out_naming_it_or_fails_when_closed(
    kafka_bootstrap: str, topics: TopicSettings, engine: FakeEngine
) -> None:
    transport = KafkaTransport.open(f"kafka://{kafka_bootstrap}?prefix={topics.prefix}")
    never = c.create_command("order", None, None, True, ())  # the fake engine never answers

    async def run() -> tuple[Record[Any], BaseException]:
        with pytest.raises(RequestTimeoutError, match=r"PROCESS_INSTANCE_CREATION .*request py-"):
            await transport.request_async(never, 1, 0.5)
        waiting = asyncio.ensure_future(transport.request_async(never, 2, None))
        answered = await transport.request_async(
            c.create_command("order", None, None, False), 3, 30
        )
        await asyncio.to_thread(transport.close)
        [closed] = await asyncio.gather(waiting, return_exceptions=True)
        return answered, closed

    answered, closed = asyncio.run(run())
    assert decode_partition(answered.key) == 3
    assert isinstance(closed, HoneyflowError) and "closed" in str(closed)


def _job(answers: Answers, engine: FakeEngine, topics: TopicSettings, partition_id: int) -> int:
    key = encode_key(partition_id, 1000 + next(answers.counter))
    job = JobRecordValue(type="payment", retries=3, variables={"amount": 10}, element_id="pay")
    with answers.lock:
        answers.activatable[key] = job
    record = Record.event(JobIntent.CREATED, job, key=key, partition_id=partition_id, timestamp=1)
    engine.publish(topics.job_topic("payment").name, record, partition_id)
    return key


def test_jobs_are_read_from_the_job_topic_and_claimed_on_their_partition(
    client: Client, engine: FakeEngine, answers: Answers, topics: TopicSettings
) -> None:
    keys = {_job(answers, engine, topics, p) for p in (1, 2, 3, 2)}
    jobs = client.activate_jobs("payment", max_jobs=10, timeout=30, worker="w1")
    assert {j.key for j in jobs} == keys
    assert all(j.worker == "w1" and j.variables == {"amount": 10} for j in jobs)
    claims = [s for s in engine.seen if s.command.intent is JobBatchIntent.ACTIVATE]
    # One claim per partition, naming every job read from it (docs/jobs-on-kafka.md).
    assert {s.partition_id: set(s.command.value.job_keys) for s in claims} == {
        p: {k for k in keys if decode_partition(k) == p} for p in (1, 2, 3)
    }
    assert all(
        (c.command.value.max_jobs_to_activate, c.command.value.timeout)
        == (len(c.command.value.job_keys), 30_000)
        for c in claims
    )
    assert client.activate_jobs("payment", max_jobs=10, timeout=30) == []


def test_a_job_taken_by_someone_else_is_skipped(
    client: Client, engine: FakeEngine, answers: Answers, topics: TopicSettings
) -> None:
    taken = _job(answers, engine, topics, 1)
    with answers.lock:
        del answers.activatable[taken]  # completed or activated elsewhere since published
    free = _job(answers, engine, topics, 2)
    assert [j.key for j in client.activate_jobs("payment", max_jobs=5, timeout=5)] == [free]


def test_max_jobs_leaves_the_rest_for_the_next_call(
    client: Client, engine: FakeEngine, answers: Answers, topics: TopicSettings
) -> None:
    keys = [_job(answers, engine, topics, 1) for _ in range(3)]
    first = client.activate_jobs("payment", max_jobs=2, timeout=5)
    rest = client.activate_jobs("payment", max_jobs=2, timeout=5)
    assert [j.key for j in first + rest] == keys


def test_a_pipelined_claim_does_not_wait_for_the_answer_of_an_earlier_one(
    client: Client, engine: FakeEngine, answers: Answers, topics: TopicSettings
) -> None:
    transport = client.transport
    assert isinstance(transport, KafkaTransport)
    answers.unanswered_claims = 1
    first = _job(answers, engine, topics, 1)
    [slow] = _claims(transport, timeout=30)
    second = _job(answers, engine, topics, 1)
    [fast] = _claims(transport, timeout=30)
    assert [j.key for j in c.activated_jobs(fast.answer.result(10))] == [second]
    assert not slow.answer.done()
    assert slow.pending.command.value.job_keys == (first,)


def test_a_claim_without_answer_is_given_up_and_its_jobs_are_claimed_again(
    client: Client, engine: FakeEngine, answers: Answers, topics: TopicSettings
) -> None:
    transport = client.transport
    assert isinstance(transport, KafkaTransport)
    answers.unanswered_claims = 1
    key = _job(answers, engine, topics, 2)
    [lost] = _claims(transport, timeout=0.5)
    time.sleep(0.6)
    # The next call gives the claim up, reads its job again and claims it once more.
    again = _claims(transport, timeout=30)
    with pytest.raises(RequestTimeoutError):
        lost.answer.result(0)
    assert [j.key for claim in again for j in c.activated_jobs(claim.answer.result(10))] == [key]


def test_a_worker_on_kafka_hands_claimed_jobs_to_its_handler(
    client: Client, engine: FakeEngine, answers: Answers, topics: TopicSettings
) -> None:
    keys = {_job(answers, engine, topics, p) for p in (1, 2, 3)}
    seen: list[tuple[int, int]] = []
    all_seen = threading.Event()
    worker = Worker(client, name="w1", poll_interval=0.01)

    @worker.task("payment", max_concurrency=8)
    def pay(amount: int, job: ActivatedJob) -> None:
        seen.append((job.key, amount))
        if len(seen) == len(keys):
            all_seen.set()

    worker.start()
    try:
        assert all_seen.wait(30)
    finally:
        worker.stop()
    assert sorted(seen) == sorted((k, 10) for k in keys)


def test_a_worker_on_kafka_awaits_async_handlers_and_fails_with_a_back_off(
    client: Client, engine: FakeEngine, answers: Answers, topics: TopicSettings
) -> None:
    keys = {p: _job(answers, engine, topics, p) for p in (1, 2, 3)}
    worker = Worker(client, name="w1", poll_interval=0.01)

    @worker.task("payment", retry_backoff=2)
    async def pay(amount: int, job: ActivatedJob) -> dict[str, Any]:
        await asyncio.sleep(0)
        if decode_partition(job.key) == 2:
            raise ValueError("declined")
        return {"paid": amount}

    def answered() -> dict[int, Record[Any]]:
        return {
            s.command.key: s.command
            for s in engine.seen
            if s.command.intent in (JobIntent.COMPLETE, JobIntent.FAIL)
        }

    worker.start()
    try:
        deadline = time.monotonic() + 30
        while len(answered()) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
    commands = answered()
    assert {k: commands[k].intent for k in keys.values()} == {
        keys[1]: JobIntent.COMPLETE,
        keys[2]: JobIntent.FAIL,
        keys[3]: JobIntent.COMPLETE,
    }
    assert commands[keys[1]].value.variables == {"paid": 10}
    failed = commands[keys[2]].value
    assert (failed.retries, failed.retry_backoff, failed.error_message) == (
        2,
        2000,
        "ValueError: declined",
    )
    # The answers were sent without waiting in the handler slots; stop() waited for them.
    assert worker.counts() == WorkerCounts(completed=2, failed=1)


def test_a_request_sent_without_waiting_times_out_naming_it(client: Client) -> None:
    transport = client.transport
    assert isinstance(transport, KafkaTransport)
    command = c.create_command("order", {}, None, True)  # the fake engine never answers
    answer = transport.send(command, 1, timeout=0.5)
    with pytest.raises(RequestTimeoutError, match=r"PROCESS_INSTANCE_CREATION .*request py-"):
        answer.result(30)


def _claims(transport: KafkaTransport, timeout: float) -> list[JobClaim]:
    """Claims of the jobs read within a few seconds (none if no job comes)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        claims = transport.claim_jobs(
            "payment",
            max_jobs=10,
            timeout_ms=30_000,
            worker="w1",
            request_timeout=timeout,
            wait=0.1,
        )
        if claims:
            return claims
    return []


def test_records_reads_the_audit_log_oldest_first(
    client: Client, engine: FakeEngine, topics: TopicSettings
) -> None:
    value = ProcessInstanceRecordValue(bpmn_process_id="order")
    written = [(3, 30, 1), (1, 10, 1), (2, 20, 1), (1, 40, 2), (2, 40, 2)]
    for partition_id, timestamp, position in written:
        record = Record.event(
            ProcessInstanceIntent.ELEMENT_ACTIVATED,
            value,
            key=encode_key(partition_id, position),
            partition_id=partition_id,
            timestamp=timestamp,
            position=position,
        )
        engine.publish(topics.events, record, partition_id)
    seen = [(r["partitionId"], r["timestamp"]) for r in client.records()]
    assert seen == [(1, 10), (2, 20), (3, 30), (1, 40), (2, 40)]
    assert client.records()[0]["value"]["bpmnProcessId"] == "order"


def test_the_async_client_speaks_kafka_too(
    kafka_bootstrap: str, topics: TopicSettings, engine: FakeEngine
) -> None:
    async def run() -> int:
        client = connect_async(f"kafka://{kafka_bootstrap}?prefix={topics.prefix}")
        try:
            key: int = await client.create_instance("order")
            return key
        finally:
            await client.close()

    assert decode_partition(asyncio.run(run())) in (1, 2, 3)
