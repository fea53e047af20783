"""A secure three-node cluster (`honeyflow kafka up --secure --nodes 3`): brokers replicate to
each other over SASL_SSL and reach the controllers over mutual TLS; clients without credentials
or with a wrong password are refused; the engine, an operator and a worker run an instance each
with nothing but its credentials file (`--kafka-config`); the ACLs keep a worker out of the
audit log and other types' jobs, and the exporter from writing (docs/security.md). The engine
checks signed commands (`--admin-public-key`): a worker of one type cannot deploy, cancel or
complete another type's job, unsigned and wrongly signed commands are refused, and the audit
log names every command's principal."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from confluent_kafka import Consumer, KafkaError, Producer
from confluent_kafka.admin import AdminClient

from broker.kafka_cluster import ClusterSpec, LocalCluster
from broker.kafka_config import ClientConfig, client_config
from broker.topics import TopicSettings, ensure_topics, workers_group
from clients.cli.main import cli
from clients.client import connect
from clients.kafka_engine_processes import EngineProcesses, EngineStartError
from tests.conftest import pids_of
from tests.gateway.test_gateway_tls import certificates  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(600)]

BPMN = Path(__file__).parents[1] / "cli" / "verbs" / "cli-task.bpmn"
JOB_TYPE = "cli-work"


class Secure:
    def __init__(self, cluster: LocalCluster, spec: ClusterSpec) -> None:
        self.cluster = cluster
        self.spec = spec
        self.credentials = cluster.directory / "credentials"
        self.topics = TopicSettings(prefix=spec.topic_prefix, partitions=2, replication_factor=3)

    def file(self, user: str) -> Path:
        return self.credentials / f"{user}.properties"

    def config(self, user: str) -> ClientConfig:
        return client_config(self.spec.bootstrap, config_file=self.file(user))

    def run(self, *args: str, ok: bool = True) -> Result:
        result = CliRunner().invoke(cli, list(args))
        if ok:
            assert result.exit_code == 0, result.output
        return result

    def verb(self, user: str, *args: str, ok: bool = True) -> Result:
        """`honeyflow ARGS --address ... --kafka-config credentials/USER.properties`."""
        where = ["--address", self.spec.bootstrap, "--kafka-config", str(self.file(user))]
        return self.run(*args, *where, ok=ok)


@pytest.fixture(scope="module")
def secure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Secure]:
    directory = tmp_path_factory.mktemp("kafka-secure")
    cluster = LocalCluster(directory)
    try:
        # As a user starts it: the CLI, which makes the CA, the users and their files.
        result = CliRunner().invoke(
            cli,
            ["kafka", "up", "--secure", "--nodes", "3", "--port", "0", "--dir", str(directory)],
        )
        assert result.exit_code == 0, result.output
        spec = cluster.spec()
        assert spec is not None and spec.secure
        yield Secure(cluster, spec)
    finally:
        cluster.down()
    assert pids_of(directory) == []


@pytest.fixture(scope="module")
def engine(secure: Secure, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One engine that has only the engine's credentials; it creates its own topics."""
    engines = EngineProcesses(
        secure.config("admin"),
        secure.topics,
        tmp_path_factory.mktemp("secure-engine"),
        count=1,
        kafka_config=secure.file("engine"),
        admin_public_key=secure.credentials / "admin.pub",
    )
    try:
        try:
            engines.wait_until_serving()
        except EngineStartError as error:
            raise AssertionError(f"{error}\n{engines.output()}") from None
        yield
    finally:
        engines.stop()


def first_error(config: ClientConfig, topic: str, group: str) -> KafkaError | None:
    """What a consumer in `group` meets reading `topic` from the start: the first error, or
    None if it read a record."""
    consumer = Consumer({**config, "group.id": group, "auto.offset.reset": "earliest"})
    try:
        consumer.subscribe([topic])
        for _ in range(60):  # 30 s at most: an authorization error comes with the first fetch
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            error: KafkaError | None = msg.error()
            return error
        raise AssertionError(f"nothing read from {topic} and no error within 30 s")
    finally:
        consumer.close()


def produce_error(config: ClientConfig, topic: str) -> str | None:
    errors: list[Any] = []
    producer = Producer({**config, "message.timeout.ms": 20000})
    producer.produce(topic, b"{}", on_delivery=lambda err, _msg: errors.append(err))
    producer.flush(30)
    assert len(errors) == 1, "no delivery report within 30 s"
    return None if errors[0] is None else str(errors[0].name())


def test_credentials_are_one_properties_file_per_principal(secure: Secure) -> None:
    users = ("admin", "engine", "exporter", "operator", "reader")
    files = sorted(p.name for p in secure.credentials.iterdir() if p.suffix == ".properties")
    assert files == [f"{u}.properties" for u in users]
    # Each with its signing key and certificate; the admin's public key checks them.
    signing = sorted(p.name for p in secure.credentials.iterdir() if p.suffix != ".properties")
    assert signing == sorted(
        ["admin.pub", *(f"{u}.{s}" for u in users for s in ("key", "principal"))]
    )
    assert "honeyflow.signing.key.location=" in secure.file("operator").read_text()
    assert oct((secure.credentials / "operator.key").stat().st_mode & 0o777) == "0o600"
    operator = secure.config("operator")
    assert operator["security.protocol"] == "SASL_SSL"
    assert operator["sasl.mechanism"] == "SCRAM-SHA-512"
    assert operator["sasl.username"] == "operator"
    assert Path(str(operator["ssl.ca.location"])).read_text().startswith("-----BEGIN CERT")
    assert oct(secure.file("operator").stat().st_mode & 0o777) == "0o600"


def test_the_topics_are_replicated_on_the_three_nodes_over_sasl_ssl(secure: Secure) -> None:
    admin = secure.config("admin")
    topics = secure.topics
    ensure_topics(admin, topics.core_topics())
    described = AdminClient(admin).list_topics(topics.commands, timeout=30)
    partitions = described.topics[topics.commands].partitions.values()
    assert partitions and all(len(p.replicas) == 3 for p in partitions)
    # acks=all: the operator's write is on every in-sync replica (an unsigned, undecodable
    # record: the engine dead-letters it).
    errors: list[KafkaError | None] = []
    producer = Producer({**secure.config("operator"), "acks": "all", "message.timeout.ms": 30000})
    producer.produce(topics.commands, b"{}", on_delivery=lambda e, _m: errors.append(e))
    producer.flush(60)
    assert errors == [None]


def test_a_client_without_credentials_or_with_a_wrong_password_is_refused(
    secure: Secure, tmp_path: Path
) -> None:
    where = ["--address", secure.spec.bootstrap]
    plain = secure.run("deploy", str(BPMN), *where, ok=False)
    assert plain.exit_code == 1
    assert "not as plaintext Kafka: a secure cluster needs credentials" in plain.output
    wrong = tmp_path / "wrong.properties"
    text = secure.file("operator").read_text()
    wrong.write_text(
        "".join(
            "sasl.password=not-the-password\n" if line.startswith("sasl.password=") else line
            for line in text.splitlines(keepends=True)
        )
    )
    refused = secure.run("deploy", str(BPMN), *where, "--kafka-config", str(wrong), ok=False)
    assert refused.exit_code == 1
    assert "refused the credentials of user operator" in refused.output
    assert "invalid credentials" in refused.output


def test_engine_operator_and_worker_run_an_instance_with_their_credential_files(
    secure: Secure, engine: None
) -> None:
    added = secure.run(
        "kafka", "user", "add", "payments", "--role", "worker", "--job-type", JOB_TYPE,
        "--dir", str(secure.cluster.directory),
    )  # fmt: skip
    assert added.output.strip() == str(secure.file("payments"))
    deployed = json.loads(secure.verb("operator", "deploy", str(BPMN), "--json").stdout)
    assert [p["bpmnProcessId"] for p in deployed["processes"]] == ["cli-task"]
    created = json.loads(secure.verb("operator", "create", "instance", "cli-task", "--json").stdout)
    instance = created["processInstanceKey"]
    jobs = json.loads(
        secure.verb("payments", "activate", "jobs", JOB_TYPE, "--max-jobs", "5", "--json").stdout
    )
    [job] = [j for j in jobs if j["processInstanceKey"] == instance]
    secure.verb("payments", "complete", "job", str(job["key"]))
    # The operator's client reads the instance's end in the audit log once processed.
    with connect(f"kafka://{secure.spec.bootstrap}", kafka_config=secure.file("operator")) as c:
        assert any(
            r["intent"] == "ELEMENT_COMPLETED"
            and r["value"].get("bpmnElementType") == "PROCESS"
            and r["value"].get("processInstanceKey") == instance
            for r in c.records()
        )
    # The reader follows the audit log to the instance's end.
    reader = Consumer(
        {
            **secure.config("reader"),
            "group.id": f"honeyflow.audit.{uuid.uuid4().hex[:8]}",
            "auto.offset.reset": "earliest",
            "isolation.level": "read_committed",
        }
    )
    try:
        reader.subscribe([secure.topics.events])
        completed = False
        for _ in range(240):  # 2 minutes at most
            msg = reader.poll(0.5)
            if msg is None:
                continue
            assert msg.error() is None, msg.error()
            record = json.loads(msg.value())
            completed = (
                record["intent"] == "ELEMENT_COMPLETED"
                and record["value"].get("bpmnElementType") == "PROCESS"
                and record["value"].get("processInstanceKey") == instance
            )
            if completed:
                break
        assert completed, "the instance did not complete"
    finally:
        reader.close()


def test_the_exporter_fills_the_query_store_with_its_credentials_file(
    secure: Secure, engine: None, tmp_path: Path
) -> None:
    created = json.loads(secure.verb("operator", "create", "instance", "cli-task", "--json").stdout)
    store = tmp_path / "visibility.db"
    exporter = subprocess.Popen(
        [
            sys.executable, "-m", "clients.cli.main", "exporter",
            "--address", secure.spec.bootstrap, "--store", str(store),
            "--kafka-config", str(secure.file("exporter")),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        found: list[dict[str, Any]] = []
        for _ in range(120):  # 60 s at most
            if store.exists():
                listed = secure.run("instances", "--store", str(store), "--json", ok=False)
                if listed.exit_code == 0:
                    found = [
                        i
                        for i in json.loads(listed.stdout)
                        if i["processInstanceKey"] == created["processInstanceKey"]
                    ]
                    if found:
                        break
            assert exporter.poll() is None, exporter.communicate()[0].decode()
            time.sleep(0.5)
        assert [i["bpmnProcessId"] for i in found] == ["cli-task"]
    finally:
        exporter.send_signal(signal.SIGTERM)
        exporter.communicate(timeout=30)


def test_a_worker_reads_neither_the_audit_log_nor_other_types_jobs(
    secure: Secure, engine: None
) -> None:
    secure.run(
        "kafka", "user", "add", "shipping", "--role", "worker", "--job-type", "ship",
        "--dir", str(secure.cluster.directory),
    )  # fmt: skip
    other = secure.topics.job_topic("invoice")
    ensure_topics(secure.config("admin"), [other, secure.topics.job_topic("ship")])
    worker = secure.config("shipping")
    group = f"{secure.topics.prefix}workers.ship"
    audit = first_error(worker, secure.topics.events, group)
    assert audit is not None and audit.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED
    jobs = first_error(worker, other.name, group)
    assert jobs is not None and jobs.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED
    # Nor may it join another type's group (to take over its offsets).
    foreign = first_error(worker, secure.topics.job_topic("ship").name, "honeyflow.workers.x")
    assert foreign is not None and foreign.code() == KafkaError.GROUP_AUTHORIZATION_FAILED
    assert produce_error(worker, secure.topics.events) == "TOPIC_AUTHORIZATION_FAILED"


def test_a_tenants_worker_reads_its_tenants_job_topic_and_not_anothers(secure: Secure) -> None:
    secure.run(
        "kafka", "user", "add", "ship-a", "--role", "worker", "--job-type", "ship",
        "--tenant", "tenant-a", "--dir", str(secure.cluster.directory),
    )  # fmt: skip
    mine = secure.topics.job_topic("ship", "tenant-a")
    theirs = secure.topics.job_topic("ship", "tenant-b")
    default = secure.topics.job_topic("ship")
    ensure_topics(secure.config("admin"), [mine, theirs, default])
    admin = Producer(secure.config("admin"))
    for topic in (mine.name, theirs.name, default.name):
        admin.produce(topic, b"{}", key=b"1")
    admin.flush(30)
    worker = secure.config("ship-a")
    group = workers_group(secure.topics.prefix, "ship", "tenant-a")
    assert first_error(worker, mine.name, group) is None  # it reads its tenant's jobs
    for topic in (theirs.name, default.name):  # and neither tenant-b's nor the default's
        refused = first_error(worker, topic, group)
        assert refused is not None and refused.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED


def test_the_exporter_and_the_reader_cannot_write(secure: Secure, engine: None) -> None:
    for user in ("exporter", "reader"):
        for topic in (secure.topics.commands, secure.topics.events):
            assert produce_error(secure.config(user), topic) == "TOPIC_AUTHORIZATION_FAILED"
    refused = secure.verb("reader", "deploy", str(BPMN), ok=False)
    assert refused.exit_code == 1
    assert "Kafka user reader is not allowed to use topic honeyflow.commands" in refused.output


def _audit(secure: Secure) -> list[dict[str, Any]]:
    """The audit log as the operator reads it, once the engine processed what was sent."""
    with connect(f"kafka://{secure.spec.bootstrap}", kafka_config=secure.file("operator")) as c:
        return c.records()


def _only_rejected(records: list[dict[str, Any]], rejection: dict[str, Any]) -> None:
    """Nothing but the rejection followed from the command it rejects."""
    followed = [
        r for r in records if r["sourceRecordPosition"] == rejection["sourceRecordPosition"]
    ]
    followed = [r for r in followed if r["partitionId"] == rejection["partitionId"]]
    assert followed == [rejection]


def test_a_worker_cannot_deploy_cancel_or_complete_a_job_of_another_type(
    secure: Secure, engine: None
) -> None:
    for name, job_type in (("clerk", JOB_TYPE), ("packer", "pack")):
        secure.run(
            "kafka", "user", "add", name, "--role", "worker", "--job-type", job_type,
            "--dir", str(secure.cluster.directory),
        )  # fmt: skip
    secure.verb("operator", "deploy", str(BPMN))
    created = json.loads(secure.verb("operator", "create", "instance", "cli-task", "--json").stdout)
    instance = created["processInstanceKey"]
    jobs = json.loads(
        secure.verb("clerk", "activate", "jobs", JOB_TYPE, "--max-jobs", "5", "--json").stdout
    )
    [job] = [j for j in jobs if j["processInstanceKey"] == instance]

    deploy = secure.verb("packer", "deploy", str(BPMN), ok=False)
    cancel = secure.verb("packer", "cancel", "instance", str(instance), ok=False)
    complete = secure.verb("packer", "complete", "job", str(job["key"]), ok=False)
    for refused in (deploy, cancel, complete):
        assert refused.exit_code == 1
        assert "FORBIDDEN" in refused.output and "principal 'packer' is a worker" in refused.output
    assert "'CREATE' on resource 'DEPLOYMENT'" in deploy.output
    assert "'CANCEL' on resource 'PROCESS_INSTANCE'" in cancel.output
    assert f"job {job['key']} is of type '{JOB_TYPE}'" in complete.output

    records = _audit(secure)
    rejections = [
        r
        for r in records
        if r["recordType"] == "COMMAND_REJECTION" and r.get("principal") == "packer"
    ]
    assert [(r["valueType"], r["intent"]) for r in rejections] == [
        ("DEPLOYMENT", "CREATE"),
        ("PROCESS_INSTANCE", "CANCEL"),
        ("JOB", "COMPLETE"),
    ]
    for rejection in rejections:
        assert rejection["rejectionType"] == "FORBIDDEN"
        _only_rejected(records, rejection)
    # The operator's commands and what followed from them name the operator.
    started = [
        r
        for r in records
        if r["value"].get("processInstanceKey") == instance and r["intent"] == "ELEMENT_ACTIVATED"
    ]
    assert started and {r["principal"] for r in started} == {"operator"}
    # The worker of the job's own type completes it: the instance ends.
    secure.verb("clerk", "complete", "job", str(job["key"]))
    ended = [
        r
        for r in _audit(secure)
        if r["intent"] == "ELEMENT_COMPLETED"
        and r["value"].get("bpmnElementType") == "PROCESS"
        and r["value"].get("processInstanceKey") == instance
    ]
    assert [r["principal"] for r in ended] == ["clerk"]


def test_a_tenants_operator_can_neither_create_in_nor_cancel_in_another_tenant(
    secure: Secure, engine: None
) -> None:
    for name, tenant in (("ops-a", "tenant-a"), ("ops-b", "tenant-b")):
        secure.run(
            "kafka", "user", "add", name, "--role", "operator", "--tenant", tenant,
            "--dir", str(secure.cluster.directory),
        )  # fmt: skip
    secure.verb("ops-b", "deploy", str(BPMN), "--tenant", "tenant-b")
    created = secure.verb(
        "ops-b", "create", "instance", "cli-task", "--tenant", "tenant-b", "--json"
    )
    instance = json.loads(created.stdout)["processInstanceKey"]

    create = secure.verb(
        "ops-a", "create", "instance", "cli-task", "--tenant", "tenant-b", ok=False
    )
    cancel = secure.verb("ops-a", "cancel", "instance", str(instance), ok=False)
    assert create.exit_code == 1 and "FORBIDDEN" in create.output
    assert cancel.exit_code == 1 and "NOT_FOUND" in cancel.output

    def process_ends(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            r
            for r in records
            if r["intent"] in ("ELEMENT_TERMINATED", "ELEMENT_COMPLETED")
            and r["value"].get("bpmnElementType") == "PROCESS"
            and r["value"].get("processInstanceKey") == instance
        ]

    records = _audit(secure)
    rejections = [
        r
        for r in records
        if r["recordType"] == "COMMAND_REJECTION" and r.get("principal") == "ops-a"
    ]
    assert [(r["valueType"], r["intent"], r["rejectionType"]) for r in rejections] == [
        ("PROCESS_INSTANCE_CREATION", "CREATE", "FORBIDDEN"),
        ("PROCESS_INSTANCE", "CANCEL", "NOT_FOUND"),
    ]
    for rejection in rejections:
        _only_rejected(records, rejection)
    assert process_ends(records) == []  # tenant-b's instance runs on
    # Its own tenant's operator cancels it.
    secure.verb("ops-b", "cancel", "instance", str(instance))
    ended = process_ends(_audit(secure))
    assert [(r["intent"], r["principal"], r["value"]["tenantId"]) for r in ended] == [
        ("ELEMENT_TERMINATED", "ops-b", "tenant-b")
    ]


def test_unsigned_wrongly_signed_and_replayed_commands_are_rejected(
    secure: Secure, engine: None
) -> None:
    from broker.command_signing import Signer, generate_key, issue_certificate
    from broker.protocol import encode_record
    from broker.protocol.principal import Role
    from clients.commands import deploy_command

    value = encode_record(deploy_command((BPMN,)))
    operator = Signer.from_files(secure.credentials / "operator.key")
    rogue_key = generate_key()  # a key of its own, with the operator's certificate
    rogue = Signer(rogue_key, issue_certificate(rogue_key, "x", Role.ADMIN, rogue_key.public_key()))
    tag = uuid.uuid4().hex[:8]

    def headers(request_id: str, signer: Signer | None) -> list[tuple[str, bytes]]:
        found = [("honeyflow-request-id", request_id.encode())]
        if signer is not None:
            found += signer.headers(value, 1, request_id)
        return found

    forged = [
        (k, operator.certificate if k == "honeyflow-principal" else v)
        for k, v in headers(f"forged-{tag}", rogue)
    ]
    signed = headers(f"signed-{tag}", operator)
    producer = Producer(secure.config("operator"))
    for message_headers in (headers(f"unsigned-{tag}", None), forged, signed, signed):
        producer.produce(secure.topics.commands, value, partition=0, headers=message_headers)
    assert producer.flush(30) == 0

    deployments = [
        r
        for r in _audit(secure)
        if r["valueType"] == "DEPLOYMENT"
        and r["recordType"] in ("COMMAND_REJECTION", "EVENT")
        and r["sourceRecordPosition"] >= 0
    ]
    rejected = [r for r in deployments if r["recordType"] == "COMMAND_REJECTION"][-3:]
    assert [(r["rejectionType"], r.get("principal", "")) for r in rejected] == [
        ("UNAUTHORIZED", ""),
        ("UNAUTHORIZED", "operator"),
        ("UNAUTHORIZED", "operator"),
    ]
    unsigned, wrong_key, replayed = (r["rejectionReason"] for r in rejected)
    assert "the command is not signed" in unsigned
    assert "its signature does not match the command for partition 1" in wrong_key
    assert f"request id 'signed-{tag}' was already used by operator" in replayed
    # The one genuine copy deployed.
    assert any(
        r["recordType"] == "EVENT"
        and r["intent"] == "CREATED"
        and r.get("principal") == "operator"
        and r["sourceRecordPosition"] < rejected[-1]["sourceRecordPosition"]
        for r in deployments
    )


@pytest.mark.timeout(300)
def test_the_gateway_signs_as_itself_naming_the_client_it_authenticated(
    secure: Secure,
    engine: None,
    certificates: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`honeyflow gateway --clients FILE` with a gateway principal's credentials: a pyzeebe
    client with a token deploys and creates an instance; the audit log names the gateway and
    the client it spoke for."""
    import asyncio

    import grpc
    from pyzeebe import ZeebeClient, create_oauth2_client_credentials_channel

    from clients.gateway.clients_file import add_client
    from tests.gateway.conftest import GatewayProcess

    secure.run(
        "kafka", "user", "add", "gw", "--role", "gateway", "--dir", str(secure.cluster.directory)
    )  # fmt: skip
    clients = certificates / "secure-clients.json"
    secret = add_client(clients, "alice", "operator")
    # requests (under pyzeebe's OAuth channel) trusts the test CA for the token endpoint.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificates / "ca.pem"))
    gateway = GatewayProcess(
        secure.spec.bootstrap,
        secure.topics.prefix,
        certificates / "secure-gateway.log",
        *("--tls-certificate", str(certificates / "gateway.pem")),
        *("--tls-key", str(certificates / "gateway.key")),
        *("--clients", str(clients), "--token-port", "0"),
        *("--kafka-config", str(secure.file("gw"))),
    )
    try:
        assert gateway.process.stdout is not None
        token_url = gateway.process.stdout.readline().split()[-1].replace("127.0.0.1", "localhost")
        port = gateway.address.rsplit(":", 1)[1]

        async def run() -> int:
            channel = create_oauth2_client_credentials_channel(
                f"localhost:{port}",
                "alice",
                secret,
                token_url,
                audience="zeebe-api",
                channel_credentials=grpc.ssl_channel_credentials(
                    (certificates / "ca.pem").read_bytes()
                ),
            )
            async with channel:
                client = ZeebeClient(channel)
                await client.deploy_resource(str(BPMN))
                created = await client.run_process("cli-task")
            return int(created.process_instance_key)

        instance = asyncio.run(run())
    finally:
        gateway.stop()
    records = _audit(secure)
    created = [
        r
        for r in records
        if r["value"].get("processInstanceKey") == instance and r["intent"] == "ELEMENT_ACTIVATED"
    ]
    assert created and {r["principal"] for r in created} == {"gw (for alice)"}
