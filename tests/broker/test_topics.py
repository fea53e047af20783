"""Topics as code: created once, verified after, a mismatch reported rather than used."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from confluent_kafka.admin import AdminClient

from broker.errors import BrokerError, TopicError
from broker.kafka_config import client_config, from_environment, read_properties
from broker.topics import (
    TopicReport,
    TopicSettings,
    TopicSpec,
    default_replication_factor,
    ensure_topics,
    job_topic_suffix,
)
from broker.topics import _differences as differences


def test_job_topic_names_are_readable_and_injective() -> None:
    assert job_topic_suffix("payment") == "jobs.payment"
    assert job_topic_suffix("send-email_v2") == "jobs.send-email_v2"
    escaped = job_topic_suffix("io.camunda:http-json:1")
    assert escaped == "jobs.io.x2Ecamunda.x3Ahttp-json.x3A1"
    # "a.b" and "a_b" and "a:b" must never share a topic.
    names = {job_topic_suffix(t) for t in ("a.b", "a_b", "a:b", "a-b", "a.x2Eb")}
    assert len(names) == 5
    with pytest.raises(TopicError):
        job_topic_suffix("")
    with pytest.raises(TopicError, match="too long"):
        job_topic_suffix("x" * 300)


def test_settings_follow_the_replication_factor() -> None:
    three = TopicSettings(replication_factor=3, partitions=6)
    assert three.min_insync_replicas == 2
    specs = {s.name: s for s in three.core_topics()}
    assert set(specs) == {"honeyflow.commands", "honeyflow.events", "honeyflow.responses"}
    assert all(s.partitions == 6 and s.replication_factor == 3 for s in specs.values())
    assert specs["honeyflow.events"].configs["retention.ms"] == "-1"
    assert TopicSettings(replication_factor=1).min_insync_replicas == 1
    with pytest.raises(TopicError):
        TopicSettings(partitions=0)
    with pytest.raises(TopicError):
        TopicSettings(prefix="bad prefix ")


def test_the_responses_topic_may_have_more_partitions_never_fewer() -> None:
    specs = {s.name: s for s in TopicSettings(partitions=3, response_partitions=8).core_topics()}
    assert specs["honeyflow.responses"].partitions == 8
    assert specs["honeyflow.commands"].partitions == specs["honeyflow.events"].partitions == 3
    assert TopicSettings(partitions=3).reply_partitions == 3
    with pytest.raises(TopicError, match="at least as many partitions as the others"):
        TopicSettings(partitions=3, response_partitions=2)


def test_one_default_replication_factor_follows_the_brokers() -> None:
    assert [default_replication_factor(n) for n in (1, 2, 3, 5)] == [1, 2, 3, 3]
    assert TopicSettings(replication_factor=default_replication_factor(3)).min_insync_replicas == 2


def test_a_mismatch_is_one_line_with_the_flag_that_fixes_it() -> None:
    report = TopicReport(
        "honeyflow.commands",
        "mismatch",
        ("has replication factor 3, expected 1",),
        ("--replication-factor 3",),
    )
    assert report.describe() == (
        "MISMATCH honeyflow.commands: has replication factor 3, expected 1"
        " (to use the topic as it is, pass --replication-factor 3)"
    )


def _found(spec: TopicSpec, partitions: int) -> tuple[list[str], list[str]]:
    """What `spec` differs in from a topic of `partitions` partitions, its configs as asked."""
    replicas = [0] * spec.replication_factor
    metadata = SimpleNamespace(
        partitions={p: SimpleNamespace(replicas=replicas) for p in range(partitions)}
    )
    configs = {k: SimpleNamespace(value=v) for k, v in spec.configs.items()}
    return differences(spec, metadata, configs)


def test_a_responses_topic_mismatch_names_the_response_partitions_flag() -> None:
    settings = TopicSettings(partitions=3, response_partitions=8)
    commands, _, responses = settings.core_topics()
    assert _found(commands, 2) == (["has 2 partitions, expected 3"], ["--partitions 2"])
    # More than the others: `--response-partitions` uses it as it is, `--partitions` would not.
    assert _found(responses, 6) == (["has 6 partitions, expected 8"], ["--response-partitions 6"])
    # Fewer than the others: no flag makes it usable; the message says how to grow it.
    found, fixes = _found(TopicSettings(partitions=3).core_topics()[2], 2)
    assert fixes == []
    assert found == [
        "has 2 partitions, expected 3",
        "it needs at least as many partitions as the other topics (3): add partitions to it"
        " (kafka-topics.sh --alter --topic honeyflow.responses --partitions 3)",
    ]
    report = TopicReport("honeyflow.responses", "mismatch", tuple(found), tuple(fixes))
    assert "--partitions 2" not in report.describe()


def test_client_config_sources_in_order(tmp_path: Path) -> None:
    props = tmp_path / "client.properties"
    props.write_text("# security\nsecurity.protocol=SASL_SSL\nsasl.mechanism: SCRAM-SHA-256\n")
    env = {"HONEYFLOW_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512", "OTHER": "x"}
    config = client_config("h:1", config_file=props, overrides={"client.id": "me"}, environ=env)
    assert config == {
        "bootstrap.servers": "h:1",
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": "SCRAM-SHA-512",
        "client.id": "me",
    }
    assert from_environment({"HONEYFLOW_KAFKA_SSL_CA_LOCATION": "/ca"}) == {
        "ssl.ca.location": "/ca"
    }
    # Honeyflow's own variables in the namespace are not client settings.
    own = {"HONEYFLOW_KAFKA_HEAP": "-Xmx1g", "HONEYFLOW_KAFKA_SCENARIOS": "all"}
    assert from_environment(own) == {}
    bad = tmp_path / "bad.properties"
    bad.write_text("ssl.key.password=\\uZZ12\n")
    with pytest.raises(BrokerError, match=r"bad\.properties: invalid escape '\\\\uZZ12'"):
        read_properties(bad)


def test_properties_read_as_java_reads_them(tmp_path: Path) -> None:
    """A line ending in a backslash continues on the next (leading blanks dropped), a blank
    separates key and value, escapes are decoded and a key alone has an empty value."""
    props = tmp_path / "client.properties"
    props.write_text(
        "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\\n"
        '    username="engine" \\\n'
        '    password="s3cret";\n'
        "security.protocol SASL_SSL\n"
        "ssl.ca.location=/etc/ca\\u0020dir/ca.pem\n"
        "! a comment \\\n"
        "client.id\n"
    )
    assert read_properties(props) == {
        "sasl.jaas.config": "org.apache.kafka.common.security.scram.ScramLoginModule required "
        'username="engine" password="s3cret";',
        "security.protocol": "SASL_SSL",
        "ssl.ca.location": "/etc/ca dir/ca.pem",
        "client.id": "",
    }


@pytest.mark.kafka
def test_create_twice_is_a_no_op(kafka_bootstrap: str, unique_name: str) -> None:
    settings = TopicSettings(prefix=f"{unique_name}.", partitions=2, replication_factor=1)
    config = {"bootstrap.servers": kafka_bootstrap}
    specs = [*settings.core_topics(), settings.job_topic("payment")]
    first = ensure_topics(config, specs)
    assert [r.outcome for r in first] == ["created"] * 4
    second = ensure_topics(config, specs)
    assert [r.outcome for r in second] == ["exists"] * 4
    metadata = AdminClient(config).list_topics(timeout=10).topics
    assert len(metadata[f"{unique_name}.jobs.payment"].partitions) == 2


@pytest.mark.kafka
def test_mismatched_topic_is_reported(kafka_bootstrap: str, unique_name: str) -> None:
    config = {"bootstrap.servers": kafka_bootstrap}
    ensure_topics(config, TopicSettings(prefix=f"{unique_name}.", partitions=2).core_topics())
    other = TopicSettings(prefix=f"{unique_name}.", partitions=4, events_retention_ms=86400000)
    reports = {r.name: r for r in ensure_topics(config, other.core_topics())}
    events = reports[f"{unique_name}.events"]
    assert events.outcome == "mismatch"
    assert "has 2 partitions, expected 4" in events.differences
    assert "retention.ms=-1, expected 86400000" in events.differences


@pytest.mark.kafka
def test_cli_creates_then_reports_mismatch(kafka_bootstrap: str, unique_name: str) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "clients.cli.main",
                "topics",
                "create",
                "--bootstrap",
                kafka_bootstrap,
                "--prefix",
                f"{unique_name}.",
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )

    first = cli("--partitions", "2", "--job-type", "payment")
    assert first.returncode == 0, first.stderr
    assert f"created  {unique_name}.commands" in first.stdout
    assert f"created  {unique_name}.jobs.payment" in first.stdout
    again = cli("--partitions", "2")
    assert again.returncode == 0 and f"exists   {unique_name}.events" in again.stdout
    wrong = cli("--partitions", "5")
    assert wrong.returncode == 1
    assert f"MISMATCH {unique_name}.commands: has 2 partitions, expected 5" in wrong.stdout
    assert "Traceback" not in wrong.stderr


def engine_cli(bootstrap: str, prefix: str, data_dir: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "clients.cli.main",
            "engine",
            "--bootstrap",
            bootstrap,
            "--prefix",
            prefix,
            "--data-dir",
            str(data_dir),
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.kafka
def test_an_engine_whose_topics_differ_says_so_in_one_line(
    kafka_bootstrap: str, unique_name: str, tmp_path: Path
) -> None:
    prefix = f"{unique_name}."
    ensure_topics(
        {"bootstrap.servers": kafka_bootstrap},
        TopicSettings(prefix=prefix, partitions=2).core_topics(),
    )
    engine = engine_cli(kafka_bootstrap, prefix, tmp_path / "e", "--partitions", "3")
    _, stderr = engine.communicate(timeout=120)
    assert engine.returncode == 1
    assert "Traceback" not in stderr
    [line] = stderr.strip().splitlines()
    assert line.startswith(f"Error: MISMATCH {prefix}commands: has 2 partitions, expected 3")
    assert "pass --partitions 2" in line
