"""The `honeyflow` command line: one click group, each family of commands in its own module.

Commands never print a traceback for a user's mistake: they raise click.ClickException
(or exit with a code) carrying a message that names the cause.
"""

from __future__ import annotations

import click

from clients.cli.batch_command import batch
from clients.cli.decide_command import decide
from clients.cli.decision_verbs import evaluate
from clients.cli.demo_command import demo
from clients.cli.engine_command import engine
from clients.cli.exporter_command import exporter
from clients.cli.feel_command import feel
from clients.cli.gateway_command import gateway
from clients.cli.instance_verbs import (
    broadcast,
    cancel,
    create,
    deploy,
    publish,
    resolve,
    set_group,
)
from clients.cli.job_verbs import activate, complete, fail, throw, update
from clients.cli.kafka_commands import kafka
from clients.cli.migrate_verbs import migrate
from clients.cli.operation_verbs import delete, modify
from clients.cli.replay_command import replay
from clients.cli.status_commands import incident, incidents, instance, instances, status
from clients.cli.task_commands import task, tasks
from clients.cli.topics_commands import topics
from clients.cli.topology_command import topology
from clients.cli.validate_command import validate
from clients.cli.web_command import web


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="honeyflow")
def cli() -> None:
    """Honeyflow: BPMN process orchestration on Apache Kafka."""


cli.add_command(feel)
cli.add_command(decide)
cli.add_command(demo)
cli.add_command(engine)
cli.add_command(kafka)
cli.add_command(topics)
cli.add_command(validate)
cli.add_command(exporter)
cli.add_command(status)
cli.add_command(instances)
cli.add_command(instance)
cli.add_command(incidents)
cli.add_command(incident)
cli.add_command(tasks)
cli.add_command(task)
cli.add_command(web)
cli.add_command(gateway)
# The client verbs, in the shape of zbctl (docs/cli.md).
for verb in (deploy, create, cancel, publish, broadcast, set_group, resolve, topology):
    cli.add_command(verb)
for verb in (activate, complete, fail, throw, update):
    cli.add_command(verb)
# Further command families register here, one line each.
cli.add_command(evaluate)
cli.add_command(migrate)
cli.add_command(modify)
cli.add_command(delete)
cli.add_command(replay)
cli.add_command(batch)


def main() -> None:
    cli(prog_name="honeyflow")


if __name__ == "__main__":
    main()
