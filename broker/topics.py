"""Honeyflow's topics as code: what they are called, how they are configured, and creating or
verifying them idempotently.

Every topic has the same partition count P: partition p of the commands topic is processed
into partition p of the events, responses and job topics (DESIGN.md: everything an instance
does stays on its partition). The responses topic may have more (`response_partitions`): a
request names the partition it is answered on. An existing topic whose partition count,
replication factor or settings differ is reported, never silently used: a wrong partition
count would send an instance's records to another processor.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from confluent_kafka.admin import AdminClient
from confluent_kafka.admin._config import ConfigResource
from confluent_kafka.cimpl import KafkaException, NewTopic

from bpmn.job_types import escape_job_type, job_type_problem
from broker.errors import TopicError
from broker.protocol.tenants import tenant_problem
from broker.protocol.values import DEFAULT_TENANT_ID

DEFAULT_PREFIX = "honeyflow."
DEFAULT_PARTITIONS = 3
DAY_MS = 24 * 60 * 60 * 1000
# Kafka's own limit on topic names.
_MAX_TOPIC_NAME = 249
_TOPIC_NAME = re.compile(r"^[A-Za-z0-9._-]{1,249}$")


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    replication_factor: int
    configs: Mapping[str, str] = field(default_factory=dict)
    partitions_flag: str = "--partitions"
    """The option that sets this topic's partition count (named in a mismatch's fix)."""
    min_partitions: int = 1
    """The fewest partitions the topic can be used with (the responses topic: the others')."""


@dataclass(frozen=True)
class TopicSettings:
    """How Honeyflow's topics are laid out; every field has a command-line option."""

    prefix: str = DEFAULT_PREFIX
    partitions: int = DEFAULT_PARTITIONS
    replication_factor: int = 1
    # The audit log is kept forever unless the operator says otherwise (-1 = no limit).
    events_retention_ms: int = -1
    commands_retention_ms: int = 7 * DAY_MS
    responses_retention_ms: int = 1 * DAY_MS
    response_partitions: int = 0
    """Partitions of the responses topic; 0: as many as `partitions`. More let more clients
    each be answered on a partition of its own (docs/wire-protocol.md, routed replies)."""

    def __post_init__(self) -> None:
        if self.partitions < 1:
            raise TopicError(f"partitions must be at least 1, not {self.partitions}")
        if self.replication_factor < 1:
            raise TopicError(
                f"replication factor must be at least 1, not {self.replication_factor}"
            )
        if self.response_partitions and self.response_partitions < self.partitions:
            raise TopicError(
                f"the responses topic needs at least as many partitions as the others"
                f" ({self.partitions}), not {self.response_partitions}: an answer to a request"
                " that names no reply partition goes to its command's partition"
            )
        if not _TOPIC_NAME.match(self.prefix + "x"):
            raise TopicError(f"topic prefix {self.prefix!r} has characters Kafka does not allow")

    @property
    def min_insync_replicas(self) -> int:
        # With 3 replicas, 2 must have a write before it counts (one broker may be lost).
        return 2 if self.replication_factor >= 3 else 1

    def _spec(self, suffix: str, retention_ms: int) -> TopicSpec:
        return TopicSpec(
            name=self.prefix + suffix,
            partitions=self.partitions,
            replication_factor=self.replication_factor,
            configs={
                "cleanup.policy": "delete",
                "retention.ms": str(retention_ms),
                "min.insync.replicas": str(self.min_insync_replicas),
            },
        )

    @property
    def reply_partitions(self) -> int:
        """The partition count of the responses topic."""
        return self.response_partitions or self.partitions

    @property
    def commands(self) -> str:
        return self.prefix + "commands"

    @property
    def events(self) -> str:
        return self.prefix + "events"

    @property
    def responses(self) -> str:
        return self.prefix + "responses"

    def core_topics(self) -> list[TopicSpec]:
        return [
            self._spec("commands", self.commands_retention_ms),
            self._spec("events", self.events_retention_ms),
            dataclasses.replace(
                self._spec("responses", self.responses_retention_ms),
                partitions=self.reply_partitions,
                partitions_flag="--response-partitions",
                min_partitions=self.partitions,
            ),
        ]

    def job_topic(self, job_type: str, tenant_id: str = DEFAULT_TENANT_ID) -> TopicSpec:
        """The topic of the jobs of `job_type` of a tenant (docs/jobs-on-kafka.md)."""
        name = self.prefix + job_topic_suffix(job_type, tenant_id)
        if len(name) > _MAX_TOPIC_NAME:
            raise TopicError(
                f"topic name {name[:60]}... for job type {job_type[:40]!r} would have"
                f" {len(name)} characters, more than Kafka's {_MAX_TOPIC_NAME}: use a shorter"
                " --prefix or job type"
            )
        # Compacted, never deleted by age: a job's record stays until the job ends (the
        # engine then writes a tombstone), so a worker that starts any time later still finds
        # every job it could take (docs/jobs-on-kafka.md).
        return TopicSpec(
            name=name,
            partitions=self.partitions,
            replication_factor=self.replication_factor,
            configs={
                "cleanup.policy": "compact",
                "min.insync.replicas": str(self.min_insync_replicas),
            },
        )


def job_topic_suffix(job_type: str, tenant_id: str = DEFAULT_TENANT_ID) -> str:
    """`jobs.<type>`, with characters Kafka does not allow in names escaped as `.xHH`
    (`bpmn.job_types`, whose rule validation and the engine apply before a job exists).

    Job types such as `payment` or `send-email` stay readable; `io.camunda:http-json:1`
    becomes `jobs.io.x2Ecamunda.x3Ahttp-json.x3A1`.

    The jobs of a tenant other than the default one have their own topic,
    `tenant.<tenant>.jobs.<type>`, the tenant escaped the same way (its dots become `.x2E`),
    so that Kafka's ACLs can give a worker exactly its tenants' topics: `tenant.a.x2Eb.jobs.t`
    is tenant `a.b`'s, and no name is both a tenant's topic and another's, nor a default one.
    """
    problem = job_type_problem(job_type)
    if problem is not None:
        raise TopicError(problem)
    jobs = "jobs." + escape_job_type(job_type)
    if tenant_id == DEFAULT_TENANT_ID:
        return jobs
    if tenant_problem(tenant_id) is not None:
        raise TopicError(f"{tenant_id!r} is no tenant identifier (1-31 of A-Z a-z 0-9 _ . -)")
    return f"tenant.{escape_job_type(tenant_id)}.{jobs}"


def workers_group(prefix: str, job_type: str, tenant_id: str = DEFAULT_TENANT_ID) -> str:
    """The consumer group of the workers of a job type; a tenant other than the default has
    a group of its own beside its topic, which that tenant's worker credentials are granted."""
    if tenant_id == DEFAULT_TENANT_ID:
        return f"{prefix}workers.{job_type}"
    return f"{prefix}workers.{job_type}@{tenant_id}"


Outcome = Literal["created", "exists", "mismatch"]


@dataclass(frozen=True)
class TopicReport:
    name: str
    outcome: Outcome
    differences: tuple[str, ...] = ()
    fixes: tuple[str, ...] = ()
    """What makes the request match the existing topic (`--partitions 3`), where a flag can."""
    partitions_differ: bool = False
    """The one difference a topic cannot be used with: records would go to other partitions."""

    def describe(self) -> str:
        """One line; for a mismatch, what differs and the flags that fix it."""
        if self.outcome == "mismatch":
            line = f"MISMATCH {self.name}: " + "; ".join(self.differences)
            if self.fixes:
                line += f" (to use the topic as it is, pass {' '.join(self.fixes)})"
            return line
        return f"{self.outcome:8} {self.name}"


def _admin(admin_config: Mapping[str, Any]) -> AdminClient:
    """An admin client for topic checks whose librdkafka log keeps to errors (unless the
    config sets `log_level`): what it finds is reported by its caller, and the notices of a
    closing client ("Purging 1 unserved events from background queue") would add lines to a
    command's one-line error."""
    return AdminClient({"log_level": 3, **admin_config})


def partition_count(
    admin_config: Mapping[str, Any], name: str, *, timeout: float = 30.0
) -> int | None:
    """How many partitions topic `name` has; None if it does not exist."""
    try:
        # All topics: a metadata request naming a missing topic may have the broker create it.
        topics = _admin(admin_config).list_topics(timeout=timeout).topics
    except KafkaException as e:
        where = admin_config.get("bootstrap.servers")
        raise TopicError(f"cannot reach Kafka at {where}: {e}") from e
    found = topics.get(name)
    if found is None or found.error is not None or not found.partitions:
        return None
    return len(found.partitions)


def existing_response_partitions(
    admin_config: Mapping[str, Any], settings: TopicSettings, *, timeout: float = 30.0
) -> TopicSettings:
    """`settings` with the responses topic's partition count as it exists, when it has more
    partitions than the others and `settings` does not say how many it has: it was created so
    (`topics create --response-partitions`), and a request may name any of them as its reply
    partition. Fewer is a mismatch (`ensure_topics`)."""
    if settings.response_partitions:
        return settings
    found = partition_count(admin_config, settings.responses, timeout=timeout)
    if found is None or found <= settings.partitions:
        return settings
    return dataclasses.replace(settings, response_partitions=found)


def default_replication_factor(brokers: int) -> int:
    """The replication factor of every topic Honeyflow creates unless told otherwise: 3, or
    the number of brokers if fewer (`TopicSettings.min_insync_replicas` is then 2 on three
    brokers or more, so one broker may be lost without losing a write)."""
    return max(1, min(3, brokers))


def cluster_replication_factor(admin_config: Mapping[str, Any], *, timeout: float = 15.0) -> int:
    """`default_replication_factor` of the cluster at `admin_config`."""
    try:
        brokers = _admin(admin_config).list_topics(timeout=timeout).brokers
    except KafkaException as e:
        where = admin_config.get("bootstrap.servers")
        raise TopicError(f"cannot reach Kafka at {where}: {e}") from e
    return default_replication_factor(len(brokers))


def ensure_topics(
    admin_config: Mapping[str, Any], specs: Iterable[TopicSpec], *, timeout: float = 30.0
) -> list[TopicReport]:
    """Create the topics that are missing; check the ones that exist against their specs."""
    specs = list(specs)
    admin = _admin(admin_config)
    try:
        existing = admin.list_topics(timeout=timeout).topics
    except KafkaException as e:
        where = admin_config.get("bootstrap.servers")
        raise TopicError(f"cannot reach Kafka at {where}: {e}") from e

    reports: dict[str, TopicReport] = {}
    missing = [s for s in specs if s.name not in existing]
    if missing:
        futures = admin.create_topics(
            [
                NewTopic(
                    s.name,
                    num_partitions=s.partitions,
                    replication_factor=s.replication_factor,
                    config=dict(s.configs),
                )
                for s in missing
            ],
            operation_timeout=timeout,
            request_timeout=timeout,
        )
        for name, future in futures.items():
            try:
                future.result()
                reports[name] = TopicReport(name, "created")
            except KafkaException as e:
                error = e.args[0]
                if error.name() != "TOPIC_ALREADY_EXISTS":  # created concurrently: check below
                    raise TopicError(f"cannot create topic {name}: {error.str()}") from e

    if reports:
        _await_visible(admin, list(reports), timeout)
    to_check = [s for s in specs if s.name not in reports]
    if to_check:
        metadata, configs = _describe(admin, [s.name for s in to_check], timeout)
        for spec in to_check:
            differences, fixes = _differences(spec, metadata[spec.name], configs[spec.name])
            outcome: Outcome = "mismatch" if differences else "exists"
            reports[spec.name] = TopicReport(
                spec.name,
                outcome,
                tuple(differences),
                tuple(fixes),
                partitions_differ=len(metadata[spec.name].partitions) != spec.partitions,
            )
    return [reports[s.name] for s in specs]


def _await_visible(admin: AdminClient, names: list[str], timeout: float) -> None:
    """Until the broker answering metadata requests knows the topics just created: a client
    that looks them up right after `ensure_topics` returns must find them (the controller
    has them at once, a broker's metadata a moment later)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            metadata = admin.list_topics(timeout=timeout).topics
        except KafkaException:
            metadata = {}
        if all(name in metadata and metadata[name].error is None for name in names):
            return
        time.sleep(0.05)


def _describe(
    admin: AdminClient, names: list[str], timeout: float
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Metadata and configs of existing topics. A topic another client created a moment ago
    (TOPIC_ALREADY_EXISTS for us) may not be known to every broker yet: wait for it."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            metadata = admin.list_topics(timeout=timeout).topics
            if all(name in metadata and metadata[name].error is None for name in names):
                resources = [ConfigResource("topic", name) for name in names]
                configs = {
                    r.name: f.result(timeout=timeout)
                    for r, f in admin.describe_configs(resources, request_timeout=timeout).items()
                }
                return metadata, configs
        except KafkaException as e:
            if e.args[0].name() != "UNKNOWN_TOPIC_OR_PART" or time.monotonic() > deadline:
                raise TopicError(f"cannot describe topics {', '.join(names)}: {e}") from e
        if time.monotonic() > deadline:
            raise TopicError(f"topics {', '.join(names)} did not appear within {timeout} s")
        time.sleep(0.1)


def _differences(
    spec: TopicSpec, metadata: Any, configs: Mapping[str, Any]
) -> tuple[list[str], list[str]]:
    """What differs between the topic and `spec`, and the flags that would match it."""
    found, fixes = [], []
    partitions = len(metadata.partitions)
    if partitions != spec.partitions:
        found.append(f"has {partitions} partitions, expected {spec.partitions}")
        if partitions >= spec.min_partitions:
            fixes.append(f"{spec.partitions_flag} {partitions}")
        else:
            # No flag makes it usable: an answer to a request naming no reply partition goes
            # to its command's partition (TopicSettings); Kafka can add partitions to it.
            found.append(
                f"it needs at least as many partitions as the other topics ({spec.min_partitions}):"
                f" add partitions to it (kafka-topics.sh --alter --topic {spec.name}"
                f" --partitions {spec.min_partitions})"
            )
    replicas = {len(p.replicas) for p in metadata.partitions.values()}
    if replicas != {spec.replication_factor}:
        have = ",".join(str(r) for r in sorted(replicas))
        found.append(f"has replication factor {have}, expected {spec.replication_factor}")
        if len(replicas) == 1:
            fixes.append(f"--replication-factor {have}")
    for key, expected in spec.configs.items():
        entry = configs.get(key)
        actual = entry.value if entry is not None else None
        if actual != expected:
            found.append(f"{key}={actual}, expected {expected}")
    return found, fixes
