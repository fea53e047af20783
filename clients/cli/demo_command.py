"""`honeyflow demo`: a local Kafka, Honeyflow's topics, one record sent and read back.

This is the first rung of `make demo`: it proves the ground the engine stands on (a real
Kafka in KRaft mode, the topics, the record format) and tells the newcomer how to look at it.
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from confluent_kafka import Consumer, KafkaError, Message, Producer, TopicPartition

from broker.errors import BrokerError
from broker.kafka_cluster import DEFAULT_BASE_PORT, LocalCluster
from broker.protocol import Record, decode_record, encode_record
from broker.protocol.intents import MessageIntent
from broker.protocol.values.message import MessageRecordValue
from broker.topics import TopicSettings, ensure_topics
from clients.cli.kafka_commands import DEFAULT_DIR


@click.command()
@click.option("--nodes", type=click.Choice(["1", "3"]), default="1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_BASE_PORT, show_default=True)
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_DIR,
    show_default=True,
)
def demo(nodes: str, port: int, directory: Path) -> None:
    """Start a local Kafka, create the topics, send a record and read it back."""
    try:
        click.echo(f"Starting Kafka ({nodes} node(s)) in {directory} ...")
        spec = LocalCluster(directory).up(int(nodes), base_port=port)
        bootstrap = spec.bootstrap
        click.echo(f"Kafka is up at {bootstrap}")
        settings = TopicSettings(replication_factor=spec.replication_factor)
        for report in ensure_topics({"bootstrap.servers": bootstrap}, settings.core_topics()):
            click.echo(f"  {report.describe()}")
    except BrokerError as e:
        raise click.ClickException(str(e)) from e

    command = Record.command(
        MessageIntent.PUBLISH,
        MessageRecordValue(
            name="order-placed",
            correlation_key="order-4711",
            time_to_live=60_000,
            variables={"orderId": 4711, "amount": 129.5},
        ),
        timestamp=int(time.time() * 1000),
    )
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    delivered: list[Message] = []

    def on_delivery(err: KafkaError | None, msg: Message) -> None:
        if err is None:
            delivered.append(msg)

    producer.produce(
        settings.commands, encode_record(command), key=b"order-4711", on_delivery=on_delivery
    )
    if producer.flush(30) != 0 or not delivered:
        raise click.ClickException(f"could not write to {settings.commands}")
    partition, offset = delivered[0].partition() or 0, delivered[0].offset() or 0
    click.echo(f"Sent a MESSAGE PUBLISH command to {settings.commands} [{partition}] @ {offset}")

    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "honeyflow-demo"})
    consumer.assign([TopicPartition(settings.commands, partition, offset)])
    message = consumer.poll(30)
    consumer.close()
    if message is None or message.error() is not None:
        raise click.ClickException("the record did not come back from Kafka")
    value = message.value()
    assert value is not None
    record = decode_record(value)
    click.echo(f"Read it back: {record.value_type.name} {record.intent.name} {value.decode()}")
    click.echo(
        "\nLook around:\n"
        f"  kcat -b {bootstrap} -L                               # brokers and topics\n"
        f"  kcat -b {bootstrap} -C -t {settings.commands} -e     # the commands topic\n"
        f"  honeyflow kafka tool console-consumer --bootstrap-server {bootstrap} "
        f"--topic {settings.commands} --from-beginning\n"
        f"  honeyflow kafka status --dir {directory}\n"
        f"Stop it with: honeyflow kafka down --dir {directory}"
    )
