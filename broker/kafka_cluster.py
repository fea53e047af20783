"""A real Apache Kafka on loopback, one combined broker+controller node or three, in KRaft mode.

`LocalCluster(directory)` owns everything under its directory: `cluster.json` (cluster id,
node ids and ports, kept so that a restart reuses them) and one `node-<id>/` per node with its
`server.properties`, `log4j2.properties`, `data/` and `logs/` (`server.log`, `stdout.log`).
Nodes run as detached JVMs; `up` returns once every node answers metadata requests, a second
`up` reuses a running cluster and restarts nodes that are down (so a killed node rejoins).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from broker.errors import ClusterError
from broker.kafka_config import ClientConfig
from broker.kafka_dist import KAFKA_VERSION, KafkaDistribution, fetch, require_java
from broker.kafka_security import (
    ClusterSecrets,
    grant_standard_roles,
    scram_format_arguments,
    secure_properties,
)
from broker.kafka_tls import make_tls
from broker.topics import DEFAULT_PREFIX, default_replication_factor

DEFAULT_BASE_PORT = 9092
CLUSTER_FILE = "cluster.json"
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class NodeSpec:
    node_id: int
    broker_port: int
    controller_port: int


@dataclass(frozen=True)
class ClusterSpec:
    cluster_id: str
    kafka_version: str
    nodes: tuple[NodeSpec, ...]
    secure: bool = False
    """SASL_SSL, ACLs and credential files (broker/kafka_security.py)."""
    topic_prefix: str = DEFAULT_PREFIX
    """The prefix of the topics the roles' ACLs name (a secure cluster's)."""

    @property
    def bootstrap(self) -> str:
        return ",".join(f"{LOOPBACK}:{n.broker_port}" for n in self.nodes)

    @property
    def replication_factor(self) -> int:
        return default_replication_factor(len(self.nodes))

    @property
    def min_insync_replicas(self) -> int:
        return 2 if len(self.nodes) >= 3 else 1

    def node(self, node_id: int) -> NodeSpec:
        for n in self.nodes:
            if n.node_id == node_id:
                return n
        raise ClusterError(f"no node {node_id} in this cluster")

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> ClusterSpec:
        raw = json.loads(text)
        return cls(
            cluster_id=raw["cluster_id"],
            kafka_version=raw["kafka_version"],
            nodes=tuple(NodeSpec(**n) for n in raw["nodes"]),
            secure=bool(raw.get("secure", False)),
            topic_prefix=str(raw.get("topic_prefix", DEFAULT_PREFIX)),
        )


@dataclass(frozen=True)
class NodeStatus:
    node_id: int
    broker_port: int
    pid: int | None
    up: bool
    log_file: Path


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # As the JVM binds: connections of a killed node in TIME_WAIT do not block a restart.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def _port_answers(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((LOOPBACK, port)) == 0


def _free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((LOOPBACK, 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _new_cluster_id() -> str:
    """16 random bytes in URL-safe base64 without padding, as Kafka's own ids; like Kafka's
    Uuid.randomUuid, never starting with '-' (the storage tool would read it as an option)."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def _server_properties(
    spec: ClusterSpec, node: NodeSpec, node_dir: Path, extra: Mapping[str, object]
) -> str:
    voters = ",".join(f"{n.node_id}@{LOOPBACK}:{n.controller_port}" for n in spec.nodes)
    rf = spec.replication_factor
    isr = spec.min_insync_replicas
    lines: dict[str, object] = {
        "process.roles": "broker,controller",
        "node.id": node.node_id,
        # A static quorum: every node knows every voter from its config.
        "controller.quorum.voters": voters,
        "listeners": f"PLAINTEXT://{LOOPBACK}:{node.broker_port},"
        f"CONTROLLER://{LOOPBACK}:{node.controller_port}",
        "advertised.listeners": f"PLAINTEXT://{LOOPBACK}:{node.broker_port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": node_dir / "data",
        "default.replication.factor": rf,
        "min.insync.replicas": isr,
        "offsets.topic.replication.factor": rf,
        "transaction.state.log.replication.factor": rf,
        "transaction.state.log.min.isr": isr,
        # Fewer internal partitions than the defaults (50): a laptop cluster starts and
        # elects faster, and nothing here needs more parallelism than that.
        "offsets.topic.num.partitions": 10,
        "transaction.state.log.num.partitions": 10,
        # Topics are created as code (honeyflow topics create), never by a typo.
        "auto.create.topics.enable": "false",
        "unclean.leader.election.enable": "false",
        # Local clusters serve tests and demos: no initial rebalance delay, and engine
        # processors may ask for session timeouts down to the engine's own minimum (1 s;
        # Kafka's default floor is 6 s) to hand partitions over quickly.
        "group.initial.rebalance.delay.ms": 0,
        "group.min.session.timeout.ms": 1000,
        "num.partitions": 1,
    }
    if len(spec.nodes) > 1:
        # A SIGKILLed broker stays in every in-sync replica set, so writes with acks=all wait
        # (and it stays leader of its partitions) until the controller fences it: after
        # broker.session.timeout.ms without a heartbeat, 9 s by default, during which the
        # engine stands still. Local clusters fence after 3 s (six missed heartbeats).
        lines["broker.heartbeat.interval.ms"] = 500
        lines["broker.session.timeout.ms"] = 3000
    if spec.secure:
        lines.update(
            secure_properties(
                ClusterSecrets(node_dir.parent),
                node.node_id,
                [n.node_id for n in spec.nodes],
                node.broker_port,
                node.controller_port,
            )
        )
    lines.update(extra)
    return "".join(f"{k}={v}\n" for k, v in lines.items())


_LOG4J2 = """\
# Written by honeyflow kafka up. Kafka's own log goes to logs/server.log.
status = warn
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = {logs}/server.log
appender.file.filePattern = {logs}/server.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 50MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
logger.request.name = kafka.request.logger
logger.request.level = warn
logger.statechange.name = state.change.logger
logger.statechange.level = warn
"""


class LocalCluster:
    """A Kafka cluster whose nodes run on this machine, all state under `directory`."""

    def __init__(
        self,
        directory: Path,
        *,
        distribution: KafkaDistribution | None = None,
        properties: Mapping[str, object] | None = None,
    ) -> None:
        """`properties`: broker settings added to (or replacing) the launcher's own."""
        self.directory = directory.resolve()
        self._distribution = distribution
        self._properties = dict(properties or {})
        self._children: dict[int, subprocess.Popen[bytes]] = {}

    # -- state on disk -------------------------------------------------------------------

    @property
    def spec_file(self) -> Path:
        return self.directory / CLUSTER_FILE

    def spec(self) -> ClusterSpec | None:
        if not self.spec_file.exists():
            return None
        try:
            return ClusterSpec.from_json(self.spec_file.read_text())
        except (ValueError, KeyError, TypeError) as e:
            raise ClusterError(f"{self.spec_file} is not a Honeyflow cluster file: {e}") from e

    def node_dir(self, node_id: int) -> Path:
        return self.directory / f"node-{node_id}"

    def log_file(self, node_id: int) -> Path:
        return self.node_dir(node_id) / "logs" / "server.log"

    def _stdout_file(self, node_id: int) -> Path:
        return self.node_dir(node_id) / "logs" / "stdout.log"

    def _pid_file(self, node_id: int) -> Path:
        return self.node_dir(node_id) / "kafka.pid"

    def pid(self, node_id: int) -> int | None:
        """The pid of the node's JVM if it is running (checked against /proc, not just a file)."""
        try:
            pid = int(self._pid_file(node_id).read_text().strip())
        except (OSError, ValueError):
            return None
        child = self._children.get(node_id)
        if child is not None and child.pid == pid:
            # Our own child: poll() is the truth (and reaps it); its /proc cmdline may not
            # show java yet right after the fork.
            return pid if child.poll() is None else None
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return None
        config = str(self.node_dir(node_id) / "server.properties").encode()
        return pid if b"kafka.Kafka" in cmdline and config in cmdline else None

    # -- up ------------------------------------------------------------------------------

    def up(
        self,
        nodes: int = 1,
        *,
        base_port: int = DEFAULT_BASE_PORT,
        timeout: float = 120.0,
        secure: bool = False,
        prefix: str = DEFAULT_PREFIX,
    ) -> ClusterSpec:
        """Start (or reuse) the cluster and return once every node answers metadata requests.

        `base_port` 0 picks free ports. Ports are kept in cluster.json for later restarts.
        `secure` (for a new cluster): SASL_SSL, ACLs for the roles on topics under `prefix`,
        credential files under `credentials/` (docs/security.md).
        """
        if nodes not in (1, 3):
            raise ClusterError(f"--nodes must be 1 or 3, not {nodes}")
        spec = self.spec()
        if spec is not None and len(spec.nodes) != nodes:
            raise ClusterError(
                f"the cluster in {self.directory} has {len(spec.nodes)} node(s), not {nodes}; "
                f"run `honeyflow kafka down --dir {self.directory} --purge` to replace it"
            )
        if spec is not None and secure and not spec.secure:
            raise ClusterError(
                f"the cluster in {self.directory} was made without --secure; run "
                f"`honeyflow kafka down --dir {self.directory} --purge` to replace it"
            )
        java = require_java()
        if spec is None:
            spec = self._new_spec(nodes, base_port, secure=secure, prefix=prefix)
        if spec.secure:
            self.directory.mkdir(parents=True, exist_ok=True)
            secrets_ = ClusterSecrets(self.directory)
            make_tls(
                secrets_.tls.directory, secrets_.tls.password, [n.node_id for n in spec.nodes], java
            )
            for user in secrets_.users():
                if user != "broker":
                    secrets_.write_credentials(user)
        down = [n for n in spec.nodes if self.pid(n.node_id) is None]
        if down:
            dist = self._distribution or fetch()
            self._check_ports(down)
            self.directory.mkdir(parents=True, exist_ok=True)
            self.spec_file.write_text(spec.to_json())
            for node in down:
                self._prepare_node(dist, java, spec, node)
            for node in down:
                self._launch(dist, java, node)
        self.wait_ready(spec, timeout=timeout)
        if spec.secure:
            grant_standard_roles(ClusterSecrets(self.directory), spec.bootstrap, spec.topic_prefix)
        return spec

    def admin_config(self, spec: ClusterSpec) -> ClientConfig:
        """Client settings of a super user (the admin's credentials on a secure cluster)."""
        if spec.secure:
            return ClusterSecrets(self.directory).admin_config(spec.bootstrap)
        return {"bootstrap.servers": spec.bootstrap}

    def _new_spec(
        self, nodes: int, base_port: int, *, secure: bool = False, prefix: str = DEFAULT_PREFIX
    ) -> ClusterSpec:
        if base_port == 0:
            ports = _free_ports(2 * nodes)
        else:
            ports = list(range(base_port, base_port + 2 * nodes))
        node_specs = tuple(
            NodeSpec(node_id=i + 1, broker_port=ports[i], controller_port=ports[nodes + i])
            for i in range(nodes)
        )
        cluster_id = _new_cluster_id()
        return ClusterSpec(
            cluster_id=cluster_id,
            kafka_version=KAFKA_VERSION,
            nodes=node_specs,
            secure=secure,
            topic_prefix=prefix,
        )

    def _check_ports(self, nodes: Iterable[NodeSpec]) -> None:
        for node in nodes:
            for port, role in ((node.broker_port, "broker"), (node.controller_port, "controller")):
                if not _port_free(port):
                    raise ClusterError(
                        f"port {port} ({role} listener of node {node.node_id}) is in use by "
                        "another process; stop it, or choose other ports with --port "
                        "(--port 0 picks free ones)"
                    )

    def _prepare_node(
        self, dist: KafkaDistribution, java: str, spec: ClusterSpec, node: NodeSpec
    ) -> None:
        node_dir = self.node_dir(node.node_id)
        logs = node_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        config = node_dir / "server.properties"
        config.write_text(_server_properties(spec, node, node_dir, self._properties))
        (node_dir / "log4j2.properties").write_text(_LOG4J2.format(logs=logs))
        if (node_dir / "data" / "meta.properties").exists():
            return  # formatted before: a restart keeps the node's log
        result = subprocess.run(
            [
                java,
                *self._jvm_logging(node_dir),
                "-cp",
                dist.classpath("server"),
                "kafka.tools.StorageTool",
                "format",
                "--cluster-id",
                spec.cluster_id,
                "--config",
                str(config),
                "--ignore-formatted",
                *(scram_format_arguments(ClusterSecrets(self.directory)) if spec.secure else []),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        (logs / "format.log").write_text(result.stdout + result.stderr)
        if result.returncode != 0:
            raise ClusterError(
                f"formatting KRaft storage of node {node.node_id} failed; see {logs / 'format.log'}"
            )

    @staticmethod
    def _jvm_logging(node_dir: Path) -> list[str]:
        return [
            f"-Dlog4j2.configurationFile={node_dir / 'log4j2.properties'}",
            f"-Dkafka.logs.dir={node_dir / 'logs'}",
        ]

    def _launch(self, dist: KafkaDistribution, java: str, node: NodeSpec) -> None:
        node_dir = self.node_dir(node.node_id)
        heap = os.environ.get("HONEYFLOW_KAFKA_HEAP", "-Xms256m -Xmx768m").split()
        cmd = [
            java,
            *heap,
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-Djava.awt.headless=true",
            *self._jvm_logging(node_dir),
            "-cp",
            dist.classpath("server"),
            "kafka.Kafka",
            str(node_dir / "server.properties"),
        ]
        with self._stdout_file(node.node_id).open("ab") as out:
            # A session of its own: the node outlives `honeyflow kafka up` and a Ctrl-C there.
            child = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=node_dir,
                start_new_session=True,
            )
        self._children[node.node_id] = child
        self._pid_file(node.node_id).write_text(f"{child.pid}\n")

    def wait_ready(self, spec: ClusterSpec, *, timeout: float = 120.0) -> None:
        """Block until every node is registered as a broker and answers metadata requests."""
        deadline = time.monotonic() + timeout
        while True:
            for node in spec.nodes:
                if self.pid(node.node_id) is None:
                    raise ClusterError(
                        f"Kafka node {node.node_id} exited during start-up; see "
                        f"{self.log_file(node.node_id)} and {self._stdout_file(node.node_id)}"
                    )
            if all(_port_answers(n.broker_port) for n in spec.nodes) and self._all_registered(
                spec, self.admin_config(spec)
            ):
                return
            if time.monotonic() > deadline:
                raise ClusterError(
                    f"Kafka did not answer metadata requests within {timeout:.0f}s; see "
                    + ", ".join(str(self.log_file(n.node_id)) for n in spec.nodes)
                )
            time.sleep(0.5)

    @staticmethod
    def _all_registered(spec: ClusterSpec, config: ClientConfig) -> bool:
        from confluent_kafka.admin import AdminClient

        admin = AdminClient({**config, "log_level": 0})
        try:
            metadata = admin.list_topics(timeout=5)
        except Exception:  # any failure means "not ready yet"
            return False
        return {b.id for b in metadata.brokers.values()} >= {n.node_id for n in spec.nodes}

    # -- down / status -------------------------------------------------------------------

    def stop_node(self, node_id: int, *, kill: bool = False, timeout: float = 60.0) -> None:
        """Stop one node: SIGTERM (controlled shutdown), or SIGKILL with `kill`."""
        self._stop([node_id], kill=kill, timeout=timeout)

    def down(self, *, timeout: float = 60.0) -> None:
        spec = self.spec()
        if spec is None:
            return
        self._stop([n.node_id for n in spec.nodes], kill=False, timeout=timeout)

    def _stop(self, node_ids: list[int], *, kill: bool, timeout: float) -> None:
        pids = {i: p for i in node_ids if (p := self.pid(i)) is not None}
        for pid in pids.values():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL if kill else signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while any(self.pid(i) is not None for i in pids) and time.monotonic() < deadline:
            time.sleep(0.2)
        for node_id, pid in pids.items():
            if self.pid(node_id) is not None:
                # Did not stop in time (a controlled shutdown can wait for a lost quorum).
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        for node_id in pids:
            child = self._children.pop(node_id, None)
            if child is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    child.wait(timeout=10)
            self._pid_file(node_id).unlink(missing_ok=True)

    def status(self) -> list[NodeStatus]:
        spec = self.spec()
        if spec is None:
            return []
        result = []
        for node in spec.nodes:
            pid = self.pid(node.node_id)
            result.append(
                NodeStatus(
                    node_id=node.node_id,
                    broker_port=node.broker_port,
                    pid=pid,
                    up=pid is not None and _port_answers(node.broker_port),
                    log_file=self.log_file(node.node_id),
                )
            )
        return result
