"""clients/faust_jobs.py without Kafka: what it refuses and how the Outbox encodes (the
Kafka behaviour is in tests/kafka_runtime/test_faust_jobs.py)."""

from __future__ import annotations

from typing import Any

import pytest

from broker.protocol import Record
from broker.protocol.intents import JobBatchIntent, JobIntent
from broker.protocol.rejection_types import RejectionType
from broker.protocol.values import JobBatchRecordValue
from clients.errors import InvalidArgumentError, RequestTimeoutError
from clients.faust_jobs import FaustJobWorker, Outbox, answer, job_app, until_answered
from clients.kafka_offsets import KafkaReadError
from clients.results import ActivatedJob
from clients.worker import BpmnError
from clients.worker_handlers import Backoff


def test_the_app_is_the_workers_group_of_its_type() -> None:
    app = job_app("payment", "kafka://127.0.0.1:1?prefix=shop.")
    assert app.conf.id == "shop.workers.payment"
    assert app.conf.processing_guarantee.value == "at_least_once"


def test_fausts_exactly_once_is_refused_with_the_reason() -> None:
    with pytest.raises(InvalidArgumentError, match=r"processing_guarantee.*at_least_once"):
        job_app("payment", "kafka://127.0.0.1:1", processing_guarantee="exactly_once")


def test_an_app_of_another_group_is_refused_before_kafka_is_asked() -> None:
    import faust

    app = faust.App("payments", broker="kafka://127.0.0.1:1")
    with pytest.raises(InvalidArgumentError, match=r"'honeyflow.workers.payment'.*job_app"):
        FaustJobWorker(app, "payment", "kafka://127.0.0.1:1")


def test_the_outbox_keeps_bytes_text_and_json_objects() -> None:
    out = Outbox()
    out.send("payments.charged", {"order": 1}, key="1")
    out.send("audit", "charged", partition=2, headers=[("h", b"v")])
    out.send("compacted", None, key=b"k")
    assert [(r.topic, r.value, r.key, r.partition) for r in out.records] == [
        ("payments.charged", b'{"order":1}', b"1", None),
        ("audit", b"charged", None, 2),
        ("compacted", None, b"k", None),
    ]
    assert out.records[1].headers == (("h", b"v"),)
    with pytest.raises(InvalidArgumentError, match="value"):
        out.send("payments.charged", 3.5)  # type: ignore[arg-type]


def _job(retries: int = 3) -> ActivatedJob:
    return ActivatedJob(
        key=2251799813685249,
        type="payment",
        variables={"orderId": 7},
        custom_headers={},
        retries=retries,
        deadline=0,
        worker="w",
        element_id="charge",
        element_instance_key=1,
        process_instance_key=2,
        bpmn_process_id="order",
        process_definition_key=3,
    )


BACKOFF = Backoff(1000, 2.0, 60_000)


async def test_a_returned_dict_completes_the_job_with_the_outbox_records() -> None:
    async def charge(job: ActivatedJob, out: Outbox) -> dict[str, Any]:
        out.send("payments.charged", {"order": job.variables["orderId"]})
        return {"paid": True}

    done = await answer(charge, _job(), BACKOFF)
    assert done.command.intent is JobIntent.COMPLETE
    assert done.command.key == 2251799813685249
    assert dict(done.command.value.variables) == {"paid": True}
    assert [r.value for r in done.records] == [b'{"order":7}']


async def test_a_bpmn_error_is_thrown_with_the_records() -> None:
    def refuse(job: ActivatedJob, out: Outbox) -> None:
        out.send("payments.refused", "card expired")
        raise BpmnError("CARD_EXPIRED", "card expired", {"reason": "expired"})

    thrown = await answer(refuse, _job(), BACKOFF)
    assert thrown.command.intent is JobIntent.THROW_ERROR
    assert thrown.command.value.error_code == "CARD_EXPIRED"
    assert [r.value for r in thrown.records] == [b"card expired"]


async def test_an_exception_fails_the_job_with_one_retry_fewer_and_drops_the_records() -> None:
    def broken(job: ActivatedJob, out: Outbox) -> dict[str, Any]:
        out.send("payments.charged", "half done")
        raise TimeoutError("provider did not answer")

    failed = await answer(broken, _job(retries=3), BACKOFF)
    assert failed.command.intent is JobIntent.FAIL
    assert failed.command.value.retries == 2
    assert failed.command.value.retry_backoff == 1000
    assert failed.command.value.error_message == "TimeoutError: provider did not answer"
    assert failed.records == []


async def test_a_result_the_engine_cannot_take_fails_the_job_and_says_why() -> None:
    failed = await answer(lambda job, out: {"amounts": {1, 2}}, _job(retries=1), BACKOFF)
    assert failed.command.intent is JobIntent.FAIL
    assert failed.command.value.retries == 0
    assert "amounts" in failed.command.value.error_message


async def test_a_claim_that_fails_is_asked_again_never_given_up() -> None:
    """Giving a claim up would let the batch's offset pass jobs nobody then activates."""
    activated = Record.event(
        JobBatchIntent.ACTIVATED,
        JobBatchRecordValue(type="payment"),
        key=1,
        partition_id=1,
        timestamp=0,
    )
    rejected = Record.command(JobBatchIntent.ACTIVATE, JobBatchRecordValue(type="payment")).reject(
        RejectionType.PROCESSING_ERROR, "writing its results to Kafka failed"
    )
    failures: list[Exception] = [
        KafkaReadError("JOB_BATCH ACTIVATE: broker down"),
        RequestTimeoutError("no answer within 30 s"),
    ]
    asked = 0

    async def claim() -> Record[Any]:
        nonlocal asked
        asked += 1
        if failures:
            raise failures.pop(0)
        return rejected if asked == 3 else activated

    assert await until_answered(claim, "claim", first_pause=0.001) is activated
    assert asked == 4
