"""The Helm chart (deploy/helm/honeyflow), rendered with helm and checked offline: every object
against the Kubernetes schemas, and what a user of Honeyflow would check in what it runs —
the engine's partitions and prefix, the Kafka credentials file mounted and passed, resources,
TLS, the Strimzi topics and users matching what Honeyflow's own code creates and grants.
No cluster is involved: docs/kubernetes.md says what that leaves untested."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from typing import Any

import click
import pytest

from broker.kafka_roles import Grant, role_grants
from broker.topics import TopicSettings
from clients.cli.main import cli
from tests.deploy.chart_render import (
    CHART,
    RenderError,
    container,
    find,
    mounted_path,
    option,
    render,
    schema_errors,
)

WORKLOADS = ("Deployment", "StatefulSet")


def containers(objects: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for obj in objects:
        if obj["kind"] in WORKLOADS:
            for c in obj["spec"]["template"]["spec"]["containers"]:
                yield obj, c


def env(c: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in c.get("env", [])}


def parses(args: list[str]) -> click.Context:
    """The container's command line as `honeyflow` parses it (not run): an option the chart
    passes that the command does not have, or a bad value, fails here."""
    assert args[0] == "honeyflow"
    command = cli.commands[args[1]]
    return command.make_context(args[1], list(args[2:]))


def test_default_values_render_valid_objects(helm: str) -> None:
    objects = render(helm)
    kinds = sorted(f"{o['kind']}/{o['metadata']['name']}" for o in objects)
    assert kinds == [
        "Deployment/hf-honeyflow-exporter",
        "Deployment/hf-honeyflow-gateway",
        "PersistentVolumeClaim/hf-honeyflow-store",
        "Service/hf-honeyflow-engine",
        "Service/hf-honeyflow-exporter",
        "Service/hf-honeyflow-gateway",
        "Service/hf-honeyflow-web",
        "StatefulSet/hf-honeyflow-engine",
    ]
    assert schema_errors(objects) == []
    engine = find(objects, "StatefulSet", "hf-honeyflow-engine")
    assert engine["spec"]["replicas"] == 1
    # Each engine keeps its RocksDB state on a volume of its own.
    (claim,) = engine["spec"]["volumeClaimTemplates"]
    args = container(engine, "engine")["args"]
    mount = next(m for m in container(engine, "engine")["volumeMounts"] if m["name"] == "data")
    assert claim["metadata"]["name"] == "data"
    assert option(args, "--data-dir") == mount["mountPath"]
    # With SQLite the console runs in the exporter's pod and reads the exporter's file.
    exporter = find(objects, "Deployment", "hf-honeyflow-exporter")
    assert (
        env(container(exporter, "exporter"))["HONEYFLOW_STORE"]
        == env(container(exporter, "web"))["HONEYFLOW_STORE"]
    )
    web_service = find(objects, "Service", "hf-honeyflow-web")
    assert web_service["spec"]["selector"] == exporter["spec"]["selector"]["matchLabels"]


def test_every_command_line_is_one_honeyflow_accepts(helm: str) -> None:
    variants: list[dict[str, Any]] = [
        {},
        {"kafka.config.secretName": "kafka-client", "kafka.settings.client\\.id": "hf"},
        {"gateway.tls.secretName": "gw-tls", "gateway.clients.secretName": "gw-clients"},
        {"store.postgresql.secretName": "pg", "web.user": "ann"},
        {"web.readOnly": True},
    ]
    seen = set()
    for values in variants:
        for _, c in containers(render(helm, values)):
            parses(c["args"])
            seen.add(c["args"][1])
    assert seen == {"engine", "exporter", "gateway", "web"}


def test_three_engines_on_24_partitions(helm: str) -> None:
    objects = render(
        helm,
        {
            "engine.replicas": 3,
            "kafka.partitions": 24,
            "kafka.replicationFactor": 3,
            "kafka.topicPrefix": "orders.",
            "kafka.bootstrapServers": "kafka-0.kafka:9092,kafka-1.kafka:9092",
        },
    )
    assert schema_errors(objects) == []
    engine = find(objects, "StatefulSet", "hf-honeyflow-engine")
    assert engine["spec"]["replicas"] == 3
    # Spread over machines, and a node drain takes one engine at a time.
    pod = engine["spec"]["template"]["spec"]
    (spread,) = pod["affinity"]["podAntiAffinity"][
        "preferredDuringSchedulingIgnoredDuringExecution"
    ]
    assert spread["podAffinityTerm"]["topologyKey"] == "kubernetes.io/hostname"
    assert (
        spread["podAffinityTerm"]["labelSelector"]["matchLabels"]
        == (engine["spec"]["selector"]["matchLabels"])
    )
    budget = find(objects, "PodDisruptionBudget", "hf-honeyflow-engine")
    assert budget["spec"]["maxUnavailable"] == 1
    assert budget["spec"]["selector"] == engine["spec"]["selector"]
    ctx = parses(container(engine, "engine")["args"])
    assert ctx.params["partitions"] == 24
    assert ctx.params["replication_factor"] == 3
    assert ctx.params["prefix"] == "orders."
    assert ctx.params["address"] == "kafka-0.kafka:9092,kafka-1.kafka:9092"
    # Every process that reads or writes topics uses the same prefix.
    for _, c in containers(objects):
        args = c["args"]
        if "--prefix" in args:
            assert option(args, "--prefix") == "orders."
        else:
            assert option(args, "--address").endswith("?prefix=orders.")


def test_kafka_credentials_secret_is_mounted_and_passed_to_every_process(helm: str) -> None:
    objects = render(
        helm,
        {
            "kafka.config.secretName": "kafka-client",
            "kafka.config.key": "client.properties",
            "kafka.caSecret.name": "my-cluster-cluster-ca-cert",
            "gateway.kafkaConfigSecret": "kafka-gateway",
            "kafka.bootstrapServers": "my-cluster-kafka-bootstrap:9093",
        },
    )
    assert schema_errors(objects) == []
    checked = []
    for workload, c in containers(objects):
        config_file = option(c["args"], "--kafka-config")
        volume = mounted_path(workload, c, config_file)
        want = "kafka-gateway" if c["name"] == "gateway" else "kafka-client"
        assert volume["secret"]["secretName"] == want, c["name"]
        assert volume["secret"]["items"] == [
            {"key": "client.properties", "path": config_file.rsplit("/", 1)[1]}
        ]
        # The brokers' CA: a file from the CA Secret, set as ssl.ca.location.
        ca_file = env(c)["HONEYFLOW_KAFKA_SSL_CA_LOCATION"]
        assert mounted_path(workload, c, ca_file)["secret"]["secretName"] == (
            "my-cluster-cluster-ca-cert"
        )
        checked.append(c["name"])
    assert sorted(checked) == ["engine", "exporter", "gateway", "web"]


def test_resources_from_values_reach_the_containers(helm: str) -> None:
    objects = render(
        helm,
        {
            "engine.resources.requests.cpu": "2",
            "engine.resources.requests.memory": "3Gi",
            "engine.resources.limits.memory": "6Gi",
            "gateway.resources.limits.cpu": "1500m",
            "gateway.replicas": 2,
            "engine.persistence.size": "50Gi",
            "engine.persistence.storageClassName": "fast-ssd",
        },
    )
    assert schema_errors(objects) == []
    engine = find(objects, "StatefulSet", "hf-honeyflow-engine")
    assert container(engine, "engine")["resources"] == {
        "requests": {"cpu": "2", "memory": "3Gi"},
        "limits": {"memory": "6Gi"},
    }
    (claim,) = engine["spec"]["volumeClaimTemplates"]
    assert claim["spec"]["resources"]["requests"]["storage"] == "50Gi"
    assert claim["spec"]["storageClassName"] == "fast-ssd"
    gateway = find(objects, "Deployment", "hf-honeyflow-gateway")
    assert gateway["spec"]["replicas"] == 2
    assert container(gateway, "gateway")["resources"]["limits"]["cpu"] == "1500m"


def test_gateway_with_tls_and_clients(helm: str) -> None:
    objects = render(
        helm, {"gateway.tls.secretName": "gateway-tls", "gateway.clients.secretName": "gw"}
    )
    assert schema_errors(objects) == []
    gateway = find(objects, "Deployment", "hf-honeyflow-gateway")
    c = container(gateway, "gateway")
    ctx = parses(c["args"])
    assert ctx.params["host"] == "0.0.0.0"
    for param in ("tls_certificate", "tls_key"):
        assert mounted_path(gateway, c, str(ctx.params[param]))["secret"]["secretName"] == (
            "gateway-tls"
        )
    assert mounted_path(gateway, c, str(ctx.params["clients_file"]))["secret"]["secretName"] == "gw"
    # The kubelet's gRPC probe has no TLS: a TCP check instead.
    assert "grpc" not in c["readinessProbe"]
    assert c["readinessProbe"]["tcpSocket"]["port"] == "grpc"
    service = find(objects, "Service", "hf-honeyflow-gateway")
    ports = {p["name"]: p["port"] for p in service["spec"]["ports"]}
    assert ports == {"grpc": 26500, "token": ctx.params["token_port"]}


def test_plaintext_gateway_is_probed_with_grpc_health(helm: str) -> None:
    gateway = find(render(helm), "Deployment", "hf-honeyflow-gateway")
    c = container(gateway, "gateway")
    assert c["readinessProbe"]["grpc"] == {"port": 26500}
    assert c["livenessProbe"]["grpc"] == {"port": 26500}


def test_postgresql_store_runs_the_console_on_its_own(helm: str) -> None:
    objects = render(helm, {"store.postgresql.secretName": "pg", "store.postgresql.key": "dsn"})
    assert schema_errors(objects) == []
    assert not [o for o in objects if o["kind"] == "PersistentVolumeClaim"]
    exporter = find(objects, "Deployment", "hf-honeyflow-exporter")
    web = find(objects, "Deployment", "hf-honeyflow-web")
    assert [c["name"] for c in exporter["spec"]["template"]["spec"]["containers"]] == ["exporter"]
    for workload, name in ((exporter, "exporter"), (web, "web")):
        assert env(container(workload, name))["HONEYFLOW_STORE"] == {
            "secretKeyRef": {"name": "pg", "key": "dsn"}
        }
    service = find(objects, "Service", "hf-honeyflow-web")
    assert service["spec"]["selector"] == web["spec"]["selector"]["matchLabels"]


def test_web_console_with_users_logs_in(helm: str) -> None:
    """The users file from a Secret, passed with --users, beside the exporter (SQLite) or in
    the console's own pod (PostgreSQL)."""
    for extra, name in (({}, "exporter"), ({"store.postgresql.secretName": "pg"}, "web")):
        objects = render(helm, {"web.users.secretName": "web-users", **extra})
        assert schema_errors(objects) == []
        workload = find(objects, "Deployment", f"hf-honeyflow-{name}")
        c = container(workload, "web")
        ctx = parses(c["args"])
        assert ctx.params["user"] == ""
        volume = mounted_path(workload, c, str(ctx.params["users_file"]))
        assert volume["secret"]["secretName"] == "web-users"
        assert volume["secret"]["items"] == [{"key": "users.json", "path": "users.json"}]
    plain = container(find(render(helm), "Deployment", "hf-honeyflow-exporter"), "web")
    assert parses(plain["args"]).params["users_file"] is None
    with pytest.raises(RenderError, match=re.escape("web.user is for a console without")):
        render(helm, {"web.users.secretName": "web-users", "web.user": "ada"})


def test_strimzi_topics_are_the_ones_honeyflow_creates(helm: str) -> None:
    objects = render(
        helm,
        {
            "strimzi.topics.enabled": True,
            "strimzi.cluster": "prod",
            "kafka.partitions": 12,
            "kafka.replicationFactor": 3,
            "kafka.topicPrefix": "hf.",
        },
    )
    topics = {o["spec"]["topicName"]: o for o in objects if o["kind"] == "KafkaTopic"}
    specs = TopicSettings(prefix="hf.", partitions=12, replication_factor=3).core_topics()
    assert sorted(topics) == sorted(s.name for s in specs)
    for spec in specs:
        topic = topics[spec.name]
        assert topic["apiVersion"] == "kafka.strimzi.io/v1beta2"
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == "prod"
        assert topic["spec"]["partitions"] == spec.partitions
        assert topic["spec"]["replicas"] == spec.replication_factor
        assert topic["spec"]["config"] == dict(spec.configs), spec.name


# Kafka's implied operations: READ, WRITE, DELETE or ALTER allow DESCRIBE.
IMPLIES_DESCRIBE = {"Read", "Write", "Delete", "Alter"}


def _covers(acls: list[dict[str, Any]], grant: Grant, operation: str) -> bool:
    """Whether a Strimzi ACL allows `operation` of `grant` (a broker/kafka_roles.py grant)."""
    kind = {"topic": "topic", "group": "group", "transactional_id": "transactionalId"}
    wanted = operation.title().replace("_", "")
    for acl in acls:
        r = acl["resource"]
        ops = set(acl["operations"])
        if r["type"] != kind[grant.resource]:
            continue
        if not ("All" in ops or wanted in ops or (wanted == "Describe" and ops & IMPLIES_DESCRIBE)):
            continue
        if r["patternType"] == "literal" and grant.pattern == "literal" and r["name"] == grant.name:
            return True
        if r["patternType"] == "prefix" and grant.name.startswith(r["name"]):
            return True
    return False


def test_strimzi_users_carry_the_acls_of_their_roles(helm: str) -> None:
    objects = render(
        helm,
        {"strimzi.users.enabled": True, "strimzi.cluster": "prod", "kafka.topicPrefix": "hf."},
    )
    assert schema_errors(objects) == []
    users = {
        o["metadata"]["labels"]["app.kubernetes.io/component"]: o
        for o in objects
        if o["kind"] == "KafkaUser"
    }
    roles = {
        "engine": role_grants("engine", "hf."),
        "exporter": role_grants("exporter", "hf."),
        "web": role_grants("operator", "hf."),
        # The gateway is an operator that also takes jobs for its gRPC workers.
        # (Not the transactional ids of Faust workers: it takes jobs through the client.)
        "gateway": role_grants("operator", "hf.")
        + [
            g
            for job_type in ("payment", "io.camunda:http-json:1")
            for g in role_grants("worker", "hf.", job_type)
            if g.resource != "transactional_id"
        ],
    }
    assert sorted(users) == sorted(roles)
    for component, grants in roles.items():
        user = users[component]
        assert user["spec"]["authentication"] == {"type": "scram-sha-512"}
        acls = user["spec"]["authorization"]["acls"]
        missing = [
            f"{g.resource} {g.name} {op}"
            for g in grants
            for op in g.operations
            if not _covers(acls, g, op)
        ]
        assert missing == [], component
    # Each process logs in as its own user, with the password Strimzi keeps in the user's
    # Secret and the cluster CA Strimzi publishes.
    for workload, c in containers(objects):
        component = workload["metadata"]["labels"]["app.kubernetes.io/component"]
        if c["name"] == "web":
            component = "web"
        user = users[component]["metadata"]["name"]
        variables = env(c)
        assert variables["HONEYFLOW_KAFKA_SASL_USERNAME"] == user
        assert variables["HONEYFLOW_KAFKA_SASL_PASSWORD"] == {
            "secretKeyRef": {"name": user, "key": "password"}
        }
        assert variables["HONEYFLOW_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
        ca = variables["HONEYFLOW_KAFKA_SSL_CA_LOCATION"]
        assert mounted_path(workload, c, ca)["secret"]["secretName"] == "prod-cluster-ca-cert"


def test_values_that_cannot_work_are_refused_with_the_reason(helm: str) -> None:
    with pytest.raises(RenderError, match=re.escape("needs gateway.tls.secretName")):
        render(helm, {"gateway.clients.secretName": "gw"})
    with pytest.raises(RenderError, match=re.escape("kafka.bootstrapServers is required")):
        render(helm, {"kafka.bootstrapServers": ""})
    with pytest.raises(RenderError, match=re.escape("needs store.postgresql.secretName")):
        render(helm, {"exporter.enabled": False})
    # values.schema.json: helm names the value.
    with pytest.raises(RenderError, match=r"kafka\.partitions|/kafka/partitions"):
        render(helm, {"kafka.partitions": 0})
    with pytest.raises(RenderError, match=r"topicPrefix"):
        render(helm, {"kafka.topicPrefix": "bad prefix/"})


def test_helm_lint_is_clean(helm: str) -> None:
    out = subprocess.run(
        [helm, "lint", "--strict", str(CHART)], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stdout + out.stderr
