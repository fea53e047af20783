"""The roles of a secure cluster as Kafka ACLs: what each principal may read, write and join.

A role is a list of grants on resources named from the topic prefix (docs/security.md lists
them and says what each one still allows). Everything not granted is refused by Kafka's
StandardAuthorizer (no ACL = deny). The admin and the brokers are super users and need none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from confluent_kafka.admin import AdminClient
from confluent_kafka.admin._acl import AclBinding, AclOperation, AclPermissionType
from confluent_kafka.admin._resource import ResourcePatternType, ResourceType
from confluent_kafka.cimpl import KafkaException

from bpmn.job_types import job_type_problem
from broker.errors import BrokerError
from broker.protocol.values import DEFAULT_TENANT_ID
from broker.topics import TopicSettings, job_topic_suffix, workers_group

ROLES = ("engine", "exporter", "operator", "gateway", "worker", "reader")
Role = Literal["engine", "exporter", "operator", "gateway", "worker", "reader"]
Pattern = Literal["literal", "prefixed"]
Resource = Literal["topic", "group", "transactional_id", "cluster"]

# Groups the Python client names itself (clients/kafka_requests.py, clients/kafka_audit.py):
# a reply reader and the audit readers, each with a random suffix.
REPLY_GROUPS = "honeyflow.clients."
AUDIT_GROUPS = "honeyflow.audit."


@dataclass(frozen=True)
class Grant:
    resource: Resource
    name: str
    pattern: Pattern
    operations: tuple[str, ...]


def _topic(name: str, *ops: str, pattern: Pattern = "literal") -> Grant:
    return Grant("topic", name, pattern, ops)


def _group(name: str, pattern: Pattern = "literal") -> Grant:
    return Grant("group", name, pattern, ("READ",))


def role_grants(
    role: str,
    prefix: str,
    job_type: str | None = None,
    tenants: tuple[str, ...] = (DEFAULT_TENANT_ID,),
) -> list[Grant]:
    """The ACLs of `role` for topics under `prefix` (`job_type` for a worker, of `tenants`:
    the job topic and workers' group of each, and no other tenant's)."""
    topics = TopicSettings(prefix=prefix)
    if role == "engine":
        # Its topics, its changelog and dead letters, job topics (all under the prefix), its
        # group, its transactional producers (`<p>engine-<partition>`).
        return [
            _topic(prefix, "ALL", pattern="prefixed"),
            _group(prefix + "engine"),
            Grant("transactional_id", prefix + "engine-", "prefixed", ("WRITE", "DESCRIBE")),
        ]
    if role == "exporter":
        return [
            _topic(topics.events, "READ", "DESCRIBE", "DESCRIBE_CONFIGS"),
            _group(topics.events + ".exporter"),
        ]
    if role == "reader":
        return [_topic(topics.events, "READ", "DESCRIBE"), _group(AUDIT_GROUPS, "prefixed")]
    if role in ("operator", "gateway"):
        # A gateway has an operator's ACLs; its certificate lets it name the end user it
        # speaks for (docs/security.md, "Who sent a command").
        # READ on commands and DESCRIBE on the engine's group: `client.records()` (the web
        # console's history) waits until the engines have processed every command sent.
        return [
            _topic(topics.commands, "WRITE", "READ"),
            Grant("group", prefix + "engine", "literal", ("DESCRIBE",)),
            _topic(topics.responses, "READ", "DESCRIBE"),
            _topic(topics.events, "READ", "DESCRIBE"),
            _group(REPLY_GROUPS, "prefixed"),
            _group(AUDIT_GROUPS, "prefixed"),
        ]
    if role == "worker":
        if not job_type:
            raise BrokerError("a worker's credentials need its job type (--job-type)")
        if problem := job_type_problem(job_type):
            raise BrokerError(f"job type {job_type!r}: {problem}")
        grants: list[Grant] = []
        for tenant in dict.fromkeys(tenants or (DEFAULT_TENANT_ID,)):
            try:
                jobs = prefix + job_topic_suffix(job_type, tenant)
            except BrokerError as error:
                raise BrokerError(f"tenant {tenant!r}: {error}") from None
            group = workers_group(prefix, job_type, tenant)
            grants += [
                # CREATE: a worker makes its job topic when it starts before the engine did.
                _topic(jobs, "READ", "DESCRIBE", "CREATE", "DESCRIBE_CONFIGS"),
                _group(group),
                _group(group + ".offsets"),
                # Faust workers' transactional producers: `<p>workers.<type>-<partition>`.
                Grant("transactional_id", group + "-", "prefixed", ("WRITE", "DESCRIBE")),
            ]
        return [
            *grants,
            _topic(topics.commands, "WRITE", "DESCRIBE"),
            _topic(topics.responses, "READ", "DESCRIBE"),
            _group(REPLY_GROUPS, "prefixed"),
        ]
    raise BrokerError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")


_RESOURCE = {
    "topic": ResourceType.TOPIC,
    "group": ResourceType.GROUP,
    "transactional_id": ResourceType.TRANSACTIONAL_ID,
    "cluster": ResourceType.BROKER,
}
_PATTERN = {"literal": ResourcePatternType.LITERAL, "prefixed": ResourcePatternType.PREFIXED}


def acl_bindings(user: str, grants: list[Grant]) -> list[AclBinding]:
    return [
        AclBinding(
            _RESOURCE[g.resource],
            g.name,
            _PATTERN[g.pattern],
            f"User:{user}",
            "*",
            AclOperation[op],
            AclPermissionType.ALLOW,
        )
        for g in grants
        for op in g.operations
    ]


def apply_acls(admin_config: Mapping[str, Any], user: str, grants: list[Grant]) -> None:
    """Create the ACLs of `grants` for `user` (creating one that exists is a no-op)."""
    admin = AdminClient({**admin_config, "log_level": 3})
    try:
        for future in admin.create_acls(acl_bindings(user, grants)).values():
            future.result(timeout=30)
    except KafkaException as e:
        raise BrokerError(f"cannot create the ACLs of {user}: {e.args[0].str()}") from e
