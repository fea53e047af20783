"""The Honeyflow client, sync (`connect`) and asyncio (`connect_async`), with the same method
names and results. Durations are in seconds. Every call returns once the engine has processed
the command; a refused command raises a `RejectedError` (see `clients.errors`). Arguments
are checked before anything is sent: a wrong one raises `InvalidArgumentError` naming it
(`clients.arguments` has the rules).

    client = connect("memory://")
    client.deploy("order.bpmn")
    key = client.create_instance("order", {"total": 10})
    for job in client.activate_jobs("payment", max_jobs=5, timeout=30, worker="me"):
        client.complete_job(job.key, {"paid": True})
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from broker.protocol import Record
from broker.protocol.intents import JobIntent, MessageIntent
from broker.protocol.values import MessageRecordValue
from clients import commands as c
from clients.arguments import Arguments
from clients.correlation import MessageCorrelation, correlate_command, correlation_result
from clients.errors import ConnectError
from clients.job_answers import complete_command, fail_command, throw_error_command
from clients.memory_transport import MemoryTransport
from clients.migration import migrate_command
from clients.operations import AsyncOperationCalls, OperationCalls
from clients.results import ActivatedJob, DecisionResult, Deployment, InstanceResult
from clients.tenants import tenant_list, with_tenant
from clients.transport import JobSource, Transport
from clients.user_tasks import AsyncUserTaskCalls, UserTaskCalls
from processors.engine.message_partition import message_partition as _message_partition

DEFAULT_REQUEST_TIMEOUT = 30.0


def _transport_for(
    url: str,
    kafka_config: Path | None = None,
    kafka_options: Mapping[str, str] | None = None,
    call: str = "connect",
) -> Transport:
    a = Arguments(call)
    a.text("url", url, required=True)
    if kafka_config is not None and not isinstance(kafka_config, (str, Path)):
        a.fail("kafka_config", f"must be a path or None, but was {kafka_config!r}")
    if kafka_options is not None and not (
        isinstance(kafka_options, Mapping)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in kafka_options.items())
    ):
        a.fail("kafka_options", f"must be a dict of strings or None, but was {kafka_options!r}")
    parts = urlsplit(url)
    if parts.scheme == "kafka":
        from clients.kafka_transport import KafkaTransport

        config = None if kafka_config is None else Path(kafka_config)
        return KafkaTransport.open(url, config_file=config, overrides=kafka_options)
    if parts.scheme != "memory":
        raise ConnectError(f"unsupported URL '{url}': use memory:// or kafka://host:port")
    options = parse_qs(parts.query)
    try:
        partitions = int(options.get("partitions", ["1"])[0])
    except ValueError:
        raise ConnectError(f"partitions must be an integer in '{url}'") from None
    if partitions < 1:
        raise ConnectError(f"partitions must be at least 1 in '{url}'")
    return MemoryTransport(partitions)


def _message_command(
    name: object,
    correlation_key: object,
    variables: object,
    ttl: object,
    message_id: object,
) -> Record[Any]:
    a = Arguments("publish_message")
    return Record.command(
        MessageIntent.PUBLISH,
        MessageRecordValue(
            name=a.text("name", name, required=True),
            # Empty is allowed, as in Zeebe: such a message starts an instance at a message
            # start event every time (no uniqueness check) and correlates to nothing else.
            correlation_key=a.text("correlation_key", correlation_key),
            time_to_live=a.millis("ttl", ttl),
            message_id=a.optional_text("message_id", message_id),
            variables=a.variables("variables", variables),
        ),
    )


class Client(UserTaskCalls, OperationCalls):
    def __init__(self, transport: Transport) -> None:
        self._transport = transport
        self._round_robin = c.RoundRobin(transport.partition_count)
        # Decided once: a runtime-checkable protocol's isinstance costs ~50 us per call, about
        # a tenth of a one-task instance through this client on memory://.
        self._job_source = transport if isinstance(transport, JobSource) else None

    @property
    def transport(self) -> Transport:
        return self._transport

    def _call(
        self, command: Record[Any], partition: int, timeout: float | None = None
    ) -> Record[Any]:
        return self._transport.request(command, partition, timeout or DEFAULT_REQUEST_TIMEOUT)

    def deploy(self, *resources: str | Path | bytes, tenant_id: str | None = None) -> Deployment:
        a = Arguments("deploy")
        checked = tuple(a.resource(f"resources[{i}]", r) for i, r in enumerate(resources))
        command = with_tenant(c.deploy_command(checked), "deploy", tenant_id)
        return c.deployment_result(self._call(command, c.DEPLOYMENT_PARTITION))

    def create_instance(
        self,
        bpmn_process_id: str,
        variables: dict[str, Any] | None = None,
        *,
        version: int | None = None,
        with_result: bool = False,
        timeout: float = DEFAULT_REQUEST_TIMEOUT,
        fetch_variables: tuple[str, ...] = (),
        start_instructions: Sequence[str] = (),
        tenant_id: str | None = None,
    ) -> Any:
        """Start an instance at the none start event, or with `start_instructions` (element
        ids) before each of these elements instead."""
        a = Arguments("create_instance")
        command = c.create_command(
            a.text("bpmn_process_id", bpmn_process_id, required=True),
            a.variables("variables", variables),
            None if version is None else a.count("version", version, minimum=1),
            a.flag("with_result", with_result),
            a.names("fetch_variables", fetch_variables),
            a.names("start_instructions", start_instructions),
        )
        wait = a.seconds("timeout", timeout, positive=True)
        command = with_tenant(command, "create_instance", tenant_id)
        answer = self._call(command, self._round_robin.next(), wait)
        return c.create_result(answer, with_result)

    def cancel_instance(self, key: int) -> None:
        key = Arguments("cancel_instance").key("key", key)
        c.check(self._call(c.cancel_command(key), c.partition_of(key)))

    def migrate_instance(
        self, key: int, target_process_definition_key: int, mappings: Mapping[str, str]
    ) -> None:
        """Move the running instance `key` to another process definition; `mappings` names,
        per active element id, the target element it becomes (docs/operations.md)."""
        command = migrate_command(key, target_process_definition_key, mappings)
        c.check(self._call(command, c.partition_of(command.key)))

    def publish_message(
        self,
        name: str,
        correlation_key: str,
        variables: dict[str, Any] | None = None,
        *,
        ttl: float = 0,
        message_id: str | None = None,
        tenant_id: str | None = None,
    ) -> int:
        command = _message_command(name, correlation_key, variables, ttl, message_id)
        command = with_tenant(command, "publish_message", tenant_id)
        partition = _message_partition(
            command.value.correlation_key, self._transport.partition_count
        )
        return c.check(self._call(command, partition)).key

    def correlate_message(
        self,
        name: str,
        correlation_key: str,
        variables: dict[str, Any] | None = None,
        *,
        tenant_id: str | None = None,
    ) -> MessageCorrelation:
        """Correlate a message now and learn the process instance it started or continued;
        nothing waiting for it raises `NotFoundError` (the message is not buffered)."""
        command = correlate_command(name, correlation_key, variables, tenant_id)
        partition = _message_partition(
            command.value.correlation_key, self._transport.partition_count
        )
        return correlation_result(self._call(command, partition))

    def broadcast_signal(
        self,
        signal_name: str,
        variables: dict[str, Any] | None = None,
        *,
        tenant_id: str | None = None,
    ) -> int:
        """Trigger every signal event named `signal_name`; returns the signal's key."""
        a = Arguments("broadcast_signal")
        command = c.signal_command(
            a.text("signal_name", signal_name, required=True), a.variables("variables", variables)
        )
        command = with_tenant(command, "broadcast_signal", tenant_id)
        return c.check(self._call(command, c.DEPLOYMENT_PARTITION)).key

    def activate_jobs(
        self,
        job_type: str,
        *,
        max_jobs: int,
        timeout: float,
        worker: str = "default",
        wait: float = 0,
        tenant_ids: Sequence[str] | None = None,
    ) -> list[ActivatedJob]:
        """Activate up to `max_jobs` jobs ready now; on Kafka, with `wait` seconds, wait that
        long for a first one when there is none (long polling, as zbctl's --requestTimeout).
        In process (`memory://`) nothing arrives while the call waits: it answers at once.
        Only jobs of `tenant_ids` (default: the default tenant) are activated."""
        tenants = tenant_list("activate_jobs", tenant_ids)
        a = Arguments("activate_jobs")
        job_type = a.text("job_type", job_type, required=True)
        max_jobs = a.count("max_jobs", max_jobs, minimum=1)
        timeout_ms = a.millis("timeout", timeout, positive=True)
        worker = a.text("worker", worker)
        wait = a.seconds("wait", wait)
        jobs: list[ActivatedJob] = []
        if self._job_source is not None:
            answers = self._job_source.activate_jobs(
                job_type,
                max_jobs=max_jobs,
                timeout_ms=timeout_ms,
                worker=worker,
                request_timeout=DEFAULT_REQUEST_TIMEOUT,
                wait=wait,
                tenant_ids=tenants,
            )
            for answer in answers:
                jobs.extend(c.activated_jobs(answer))
            return jobs
        for partition in range(1, self._transport.partition_count + 1):
            remaining = max_jobs - len(jobs)
            if remaining <= 0 and jobs:
                break
            command = c.activate_command_ms(
                job_type, max(remaining, 1) if jobs else max_jobs, timeout_ms, worker, tenants
            )
            jobs.extend(c.activated_jobs(self._call(command, partition)))
        return jobs

    def complete_job(self, key: int, variables: dict[str, Any] | None = None) -> None:
        command = complete_command(key, variables)
        c.check(self._call(command, c.partition_of(command.key)))

    def fail_job(
        self,
        key: int,
        retries: int,
        error_message: str = "",
        retry_backoff: float = 0,
        variables: dict[str, Any] | None = None,
    ) -> None:
        command = fail_command(key, retries, error_message, retry_backoff, variables)
        c.check(self._call(command, c.partition_of(command.key)))

    def throw_error(
        self,
        key: int,
        error_code: str,
        error_message: str = "",
        variables: dict[str, Any] | None = None,
    ) -> None:
        command = throw_error_command(key, error_code, error_message, variables)
        c.check(self._call(command, c.partition_of(command.key)))

    def update_job_retries(self, key: int, retries: int) -> None:
        a = Arguments("update_job_retries")
        key = a.key("key", key)
        command = c.job_command(
            JobIntent.UPDATE_RETRIES, key, retries=a.count("retries", retries, minimum=1)
        )
        c.check(self._call(command, c.partition_of(key)))

    def update_job_timeout(self, key: int, timeout: float) -> None:
        """Give an activated job a new deadline: `timeout` seconds from now."""
        a = Arguments("update_job_timeout")
        key = a.key("key", key)
        command = c.job_command(
            JobIntent.UPDATE_TIMEOUT, key, timeout=a.millis("timeout", timeout, positive=True)
        )
        c.check(self._call(command, c.partition_of(key)))

    def evaluate_decision(
        self,
        decision_id: str | None = None,
        variables: dict[str, Any] | None = None,
        *,
        decision_key: int | None = None,
        tenant_id: str | None = None,
    ) -> DecisionResult:
        """Evaluate the latest version of decision `decision_id` (or the version with
        `decision_key`) with `variables`. A failing evaluation raises
        `DecisionEvaluationError`; an unknown decision `NotFoundError`."""
        a = Arguments("evaluate_decision")
        if (decision_id is None) == (decision_key is None):
            a.fail("decision_id", "or decision_key must be given, but not both")
        command = c.evaluate_decision_command(
            None if decision_id is None else a.text("decision_id", decision_id, required=True),
            None if decision_key is None else a.key("decision_key", decision_key),
            a.variables("variables", variables),
        )
        command = with_tenant(command, "evaluate_decision", tenant_id)
        return c.decision_result(self._call(command, self._round_robin.next()))

    def resolve_incident(self, key: int) -> None:
        key = Arguments("resolve_incident").key("key", key)
        c.check(self._call(c.resolve_command(key), c.partition_of(key)))

    def set_variables(
        self, element_instance_key: int, variables: dict[str, Any], local: bool = False
    ) -> None:
        a = Arguments("set_variables")
        element_instance_key = a.key("element_instance_key", element_instance_key)
        command = c.set_variables_command(
            element_instance_key,
            a.variables("variables", variables, required=True),
            a.flag("local", local),
        )
        c.check(self._call(command, c.partition_of(element_instance_key)))

    def records(self) -> list[dict[str, Any]]:
        return self._transport.records()

    def advance_time(self, seconds: float) -> None:
        """In-process engines only: move the engine's clock forward (timers, job time-outs)."""
        advance = getattr(self._transport, "advance_time", None)
        if advance is None:
            raise ConnectError("advance_time needs an in-process engine (memory://)")
        advance(Arguments("advance_time").millis("seconds", seconds) / 1000)

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient(AsyncUserTaskCalls, AsyncOperationCalls):
    """The asyncio client: every method of `Client`, awaitable; calls run off the event loop."""

    def __init__(self, transport: Transport) -> None:
        self._sync = Client(transport)

    @property
    def transport(self) -> Transport:
        return self._sync.transport

    async def _run(self, method: str, *args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(getattr(self._sync, method), *args, **kwargs)

    async def deploy(
        self, *resources: str | Path | bytes, tenant_id: str | None = None
    ) -> Deployment:
        result: Deployment = await self._run("deploy", *resources, tenant_id=tenant_id)
        return result

    async def create_instance(
        self,
        bpmn_process_id: str,
        variables: dict[str, Any] | None = None,
        *,
        version: int | None = None,
        with_result: bool = False,
        timeout: float = DEFAULT_REQUEST_TIMEOUT,
        fetch_variables: tuple[str, ...] = (),
        start_instructions: Sequence[str] = (),
        tenant_id: str | None = None,
    ) -> int | InstanceResult:
        result: int | InstanceResult = await self._run(
            "create_instance",
            bpmn_process_id,
            variables,
            version=version,
            with_result=with_result,
            timeout=timeout,
            fetch_variables=fetch_variables,
            start_instructions=start_instructions,
            tenant_id=tenant_id,
        )
        return result

    async def cancel_instance(self, key: int) -> None:
        await self._run("cancel_instance", key)

    async def migrate_instance(
        self, key: int, target_process_definition_key: int, mappings: Mapping[str, str]
    ) -> None:
        await self._run("migrate_instance", key, target_process_definition_key, mappings)

    async def publish_message(
        self,
        name: str,
        correlation_key: str,
        variables: dict[str, Any] | None = None,
        *,
        ttl: float = 0,
        message_id: str | None = None,
        tenant_id: str | None = None,
    ) -> int:
        key: int = await self._run(
            "publish_message",
            name,
            correlation_key,
            variables,
            ttl=ttl,
            message_id=message_id,
            tenant_id=tenant_id,
        )
        return key

    async def correlate_message(
        self,
        name: str,
        correlation_key: str,
        variables: dict[str, Any] | None = None,
        *,
        tenant_id: str | None = None,
    ) -> MessageCorrelation:
        result: MessageCorrelation = await self._run(
            "correlate_message", name, correlation_key, variables, tenant_id=tenant_id
        )
        return result

    async def broadcast_signal(
        self,
        signal_name: str,
        variables: dict[str, Any] | None = None,
        *,
        tenant_id: str | None = None,
    ) -> int:
        key: int = await self._run("broadcast_signal", signal_name, variables, tenant_id=tenant_id)
        return key

    async def activate_jobs(
        self,
        job_type: str,
        *,
        max_jobs: int,
        timeout: float,
        worker: str = "default",
        wait: float = 0,
        tenant_ids: Sequence[str] | None = None,
    ) -> list[ActivatedJob]:
        jobs: list[ActivatedJob] = await self._run(
            "activate_jobs",
            job_type,
            max_jobs=max_jobs,
            timeout=timeout,
            worker=worker,
            wait=wait,
            tenant_ids=tenant_ids,
        )
        return jobs

    async def complete_job(self, key: int, variables: dict[str, Any] | None = None) -> None:
        await self._run("complete_job", key, variables)

    async def fail_job(
        self,
        key: int,
        retries: int,
        error_message: str = "",
        retry_backoff: float = 0,
        variables: dict[str, Any] | None = None,
    ) -> None:
        await self._run("fail_job", key, retries, error_message, retry_backoff, variables)

    async def throw_error(
        self,
        key: int,
        error_code: str,
        error_message: str = "",
        variables: dict[str, Any] | None = None,
    ) -> None:
        await self._run("throw_error", key, error_code, error_message, variables)

    async def update_job_retries(self, key: int, retries: int) -> None:
        await self._run("update_job_retries", key, retries)

    async def update_job_timeout(self, key: int, timeout: float) -> None:
        await self._run("update_job_timeout", key, timeout)

    async def evaluate_decision(
        self,
        decision_id: str | None = None,
        variables: dict[str, Any] | None = None,
        *,
        decision_key: int | None = None,
        tenant_id: str | None = None,
    ) -> DecisionResult:
        result: DecisionResult = await self._run(
            "evaluate_decision",
            decision_id,
            variables,
            decision_key=decision_key,
            tenant_id=tenant_id,
        )
        return result

    async def resolve_incident(self, key: int) -> None:
        await self._run("resolve_incident", key)

    async def set_variables(
        self, element_instance_key: int, variables: dict[str, Any], local: bool = False
    ) -> None:
        await self._run("set_variables", element_instance_key, variables, local)

    async def records(self) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = await self._run("records")
        return records

    async def advance_time(self, seconds: float) -> None:
        await self._run("advance_time", seconds)

    async def close(self) -> None:
        self._sync.close()


def connect(
    url: str = "memory://",
    *,
    kafka_config: Path | None = None,
    kafka_options: Mapping[str, str] | None = None,
) -> Client:
    """`memory://[?partitions=N]` or `kafka://host:port[?prefix=P]`. Kafka client settings
    (security) come from `kafka_config` (a properties file), `HONEYFLOW_KAFKA_*` environment
    variables and `kafka_options` (librdkafka keys), later wins (docs/operations.md)."""
    return Client(_transport_for(url, kafka_config, kafka_options))


def connect_async(
    url: str = "memory://",
    *,
    kafka_config: Path | None = None,
    kafka_options: Mapping[str, str] | None = None,
) -> AsyncClient:
    return AsyncClient(_transport_for(url, kafka_config, kafka_options, "connect_async"))
