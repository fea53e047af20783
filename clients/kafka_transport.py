"""The Kafka transport: `kafka://host:port[?prefix=P&config=FILE]`, the same client API as
`memory://` against engine processors on Kafka (see docs/wire-protocol.md).

Commands go to `<p>commands` on the partition the client routes them to, answers come back on
the client's one reply partition of `<p>responses` (`kafka_requests`); jobs are read from
`<p>jobs.<type>` and claimed one by one (`kafka_jobs`); `records()` reads the audit log
`<p>events` (`kafka_audit`). The partition count is the commands topic's, so a client never
needs to be told it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import KafkaError, KafkaException

from broker.errors import BrokerError
from broker.protocol import Record
from broker.protocol.intents import DeploymentIntent
from broker.protocol.values import DEFAULT_TENANT_ID
from broker.topics import TopicSettings, ensure_topics, workers_group
from clients.errors import ConnectError, InvalidArgumentError
from clients.kafka_address import KafkaAddress, parse_kafka_url
from clients.kafka_audit import (
    ProcessedWatch,
    audit_log_ends,
    await_on_every_partition,
    read_audit_log,
)
from clients.kafka_jobs import JobClaim, JobFeed
from clients.kafka_requests import RequestChannel
from clients.tenants import DEFAULT_TENANTS

_METADATA_TIMEOUT = 30.0
_SETTLE = 30.0
_TENANT_POLL = 0.05
"""Seconds between rounds over the job topics of several tenants while waiting for a job."""
"""Longest wait in `records()` for the engines to process what was sent before."""


class KafkaTransport:
    def __init__(self, address: KafkaAddress, *, reply_partition: int | None = None) -> None:
        """`reply_partition`: the partition of the responses topic this client is answered
        on (`RequestChannel`); by default one chosen by its client id."""
        self.address = address
        partitions, replication = _layout(address)
        self.topics = TopicSettings(
            prefix=address.prefix, partitions=partitions, replication_factor=replication
        )
        self._channel = RequestChannel(
            address.config,
            self.topics.commands,
            self.topics.responses,
            reply_partition=reply_partition,
            signing_key=address.signing_key,
        )
        self._feeds: dict[tuple[str, str], JobFeed] = {}
        self._feeds_lock = threading.Lock()
        self._processed: ProcessedWatch | None = None

    @classmethod
    def open(
        cls,
        url: str,
        *,
        config_file: Path | None = None,
        overrides: Mapping[str, str] | None = None,
    ) -> KafkaTransport:
        return cls(parse_kafka_url(url, config_file=config_file, overrides=overrides))

    @property
    def partition_count(self) -> int:
        return self.topics.partitions

    @property
    def client_id(self) -> str:
        return self._channel.client_id

    @property
    def reply_partition(self) -> int:
        """The Kafka partition of the responses topic this client reads its answers from."""
        return self._channel.reply_partition

    def request(
        self, command: Record[Any], partition_id: int, timeout: float | None
    ) -> Record[Any]:
        if command.intent is DeploymentIntent.CREATE and self.partition_count > 1:
            return self._deploy(command, partition_id, timeout)
        return self._channel.wait(self._channel.submit(command, partition_id), timeout)

    def send(self, command: Record[Any], partition_id: int, timeout: float) -> Future[Record[Any]]:
        """Send `command` without waiting: the future gets its answer, or RequestTimeoutError
        after `timeout` seconds (the `Worker` answers jobs this way)."""
        return self._channel.send(command, partition_id, timeout)

    async def request_async(
        self, command: Record[Any], partition_id: int, timeout: float | None
    ) -> Record[Any]:
        """`request` for asyncio code: waits for the answer without a thread (a deployment to
        several partitions, which also reads the audit log, waits on one)."""
        if command.intent is DeploymentIntent.CREATE and self.partition_count > 1:
            return await asyncio.to_thread(self._deploy, command, partition_id, timeout)
        return await self._channel.request_async(command, partition_id, timeout)

    def _deploy(
        self, command: Record[Any], partition_id: int, timeout: float | None
    ) -> Record[Any]:
        """A deployment answers once every partition has it, so that an instance created
        right after it on any partition finds its process (as with `memory://`)."""
        since = audit_log_ends(self.address.config, self.topics.events)
        answer = self._channel.wait(self._channel.submit(command, partition_id), timeout)
        if answer.is_event:

            def created(record: dict[str, Any]) -> bool:
                return bool(
                    record["valueType"] == "DEPLOYMENT"
                    and record["intent"] == "CREATED"
                    and record["key"] == answer.key
                )

            await_on_every_partition(
                self.address.config, self.topics.events, since, created, timeout or 30.0
            )
        return answer

    def activate_jobs(
        self,
        job_type: str,
        *,
        max_jobs: int,
        timeout_ms: int,
        worker: str,
        request_timeout: float,
        wait: float = 0.0,
        tenant_ids: tuple[str, ...] = DEFAULT_TENANTS,
    ) -> list[Record[Any]]:
        """The JOB_BATCH ACTIVATED answers for jobs of `job_type` read from its job topics,
        one per tenant (docs/jobs-on-kafka.md)."""
        feeds = [self._feed(job_type, tenant) for tenant in tenant_ids]
        answers: list[Record[Any]] = []
        stop = time.monotonic() + wait
        while True:
            remaining = max_jobs
            for feed in feeds:
                if remaining <= 0:
                    break
                got = feed.activate(
                    job_type=job_type,
                    max_jobs=remaining,
                    timeout_ms=timeout_ms,
                    worker=worker,
                    request_timeout=request_timeout,
                    # One tenant: the feed waits itself; several: each is read in turn.
                    wait=wait if len(feeds) == 1 else 0.0,
                )
                answers.extend(got)
                remaining -= sum(len(a.value.job_keys) for a in got if a.is_event)
            if len(feeds) == 1 or remaining < max_jobs or time.monotonic() >= stop:
                return answers
            time.sleep(_TENANT_POLL)

    def claim_jobs(
        self,
        job_type: str,
        *,
        max_jobs: int,
        timeout_ms: int,
        worker: str,
        request_timeout: float,
        wait: float = 0.0,
        tenant_ids: tuple[str, ...] = DEFAULT_TENANTS,
    ) -> list[JobClaim]:
        """Claims for the jobs of `job_type` of the tenants read by now, sent and not awaited
        (the pipelined form `clients.worker.Worker` uses; `JobFeed.claim`)."""
        claims: list[JobClaim] = []
        for tenant in tenant_ids:
            room = max_jobs - sum(c.job_count for c in claims)
            if room <= 0:
                break
            claims += self._feed(job_type, tenant).claim(
                job_type=job_type,
                max_jobs=room,
                timeout_ms=timeout_ms,
                worker=worker,
                request_timeout=request_timeout,
                wait=wait if len(tenant_ids) == 1 else 0.0,
            )
        if not claims and len(tenant_ids) > 1 and wait > 0:
            time.sleep(min(wait, _TENANT_POLL))
        return claims

    def _feed(self, job_type: str, tenant_id: str = DEFAULT_TENANT_ID) -> JobFeed:
        with self._feeds_lock:
            feed = self._feeds.get((job_type, tenant_id))
            if feed is None:
                feed = self._feeds[(job_type, tenant_id)] = self._open_feed(job_type, tenant_id)
        return feed

    def _open_feed(self, job_type: str, tenant_id: str) -> JobFeed:
        try:
            spec = self.topics.job_topic(job_type, tenant_id)
        except BrokerError as error:
            raise InvalidArgumentError.of_argument(
                "activate_jobs", "tenant_ids", str(error)
            ) from None
        # The processors create a job topic when a process needs it; a worker may start first.
        try:
            ensure_topics(self.address.config, [spec], timeout=_METADATA_TIMEOUT)
        except BrokerError as error:
            raise ConnectError(str(error)) from None
        group = workers_group(self.address.prefix, job_type, tenant_id)
        return JobFeed(self.address.config, spec.name, group, self._channel, tenant_id)

    def records(self) -> list[dict[str, Any]]:
        """The audit log once the engines have processed every command sent before the call
        (and what those send on to other partitions), as `memory://` returns it."""
        self.settle()
        return read_audit_log(self.address.config, self.topics.events)

    def settle(self, timeout: float = _SETTLE) -> None:
        """Wait until the engines have processed every command on the commands topic, and
        the commands that processing sent on; raises RequestTimeoutError after `timeout`."""
        with self._feeds_lock:
            if self._processed is None:
                group = self.topics.prefix + "engine"
                self._processed = ProcessedWatch(self.address.config, self.topics.commands, group)
            watch = self._processed
        watch.wait(timeout)

    def close(self) -> None:
        with self._feeds_lock:
            feeds, self._feeds = list(self._feeds.values()), {}
        for feed in feeds:
            feed.close()
        if self._processed is not None:
            self._processed.close()
        self._channel.close()


def _layout(address: KafkaAddress) -> tuple[int, int]:
    """(partitions, replication factor) of the commands topic: every topic has its layout."""
    topic = address.prefix + "commands"
    try:
        metadata = AdminClient(dict(address.config)).list_topics(timeout=_METADATA_TIMEOUT)
    except KafkaException as error:
        raise ConnectError(f"cannot reach Kafka at {address.bootstrap}: {error}") from None
    found = metadata.topics.get(topic)
    if found is None and address.config.get("sasl.username"):
        # A listing of all topics leaves out those the principal may not describe: ask for
        # this one alone, whose answer says so (auto-creation is off on Honeyflow clusters).
        try:
            alone = AdminClient(dict(address.config)).list_topics(topic, timeout=_METADATA_TIMEOUT)
        except KafkaException:
            alone = metadata
        denied = alone.topics.get(topic)
        refusal = None if denied is None else denied.error
        if refusal is not None and refusal.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED:
            raise ConnectError(
                f"Kafka user {address.config['sasl.username']} is not allowed to use topic"
                f" {topic} at {address.bootstrap} (no ACL grants it; docs/security.md)"
            )
    if found is None or not found.partitions:
        raise ConnectError(
            f"topic {topic} does not exist at {address.bootstrap}"
            f" (create it with `honeyflow topics create --prefix {address.prefix}`)"
        )
    replicas = min(len(p.replicas) for p in found.partitions.values())
    return len(found.partitions), max(replicas, 1)
