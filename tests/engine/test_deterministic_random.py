"""Replay determinism of what is random in a model: FEEL's `uuid()` and `random number()` draw
from a generator seeded by the partition and the command's position, so the same commands give
byte-identical records, while every command still draws values of its own."""

from __future__ import annotations

import uuid

from broker.protocol import encode_record
from clients.client import Client
from clients.memory_transport import MemoryTransport
from tests.engine.conftest import scenario, variables_of

START_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z


def _run(partitions: int) -> tuple[list[bytes], Client, list[int]]:
    client = Client(MemoryTransport(partitions, start_ms=START_MS))
    client.deploy(scenario("random_values.bpmn"))
    keys = [client.create_instance("random_values") for _ in range(4)]
    for job in client.activate_jobs("work", max_jobs=10, timeout=60):
        client.complete_job(job.key)
    runtime = client.transport.runtime  # type: ignore[attr-defined]
    log = [encode_record(r) for p in sorted(runtime.logs) for r in runtime.logs[p]]
    return log, client, keys


def test_the_same_commands_give_byte_identical_records_with_uuid_and_random() -> None:
    for partitions in (1, 3):
        first, client, keys = _run(partitions)
        second, _, _ = _run(partitions)
        assert first == second
        drawn = [variables_of(client, key) for key in keys]
        ids = [d["drawn"]["id"] for d in drawn] + [i for d in drawn for i in d["drawn"]["ids"]]
        ids += [d["receipt"] for d in drawn]
        assert len(set(ids)) == len(ids) == 4 * 5  # each draw its own value
        assert all(uuid.UUID(i).version == 4 for i in ids)
        dice = [d["drawn"]["dice"] for d in drawn]
        assert len(set(dice)) == 4 and all(0 <= x < 1 for x in dice)


def test_the_generator_starts_over_at_each_command_and_again_when_restarted() -> None:
    """The engine's generator seeds itself from the command being processed at its first
    draw: a command's draws are those of its own seed, whatever the commands before drew, and
    a command processed again after a restart draws the same values again."""
    from random import Random

    from bpmn.feel.builtins.clock import SeededRandom

    position = [5]
    dice = SeededRandom(lambda: position[0])
    first = [dice.random(), dice.getrandbits(64)]
    fives = Random(5)
    assert first == [fives.random(), fives.getrandbits(64)]
    position[0] = 6
    assert dice.random() == Random(6).random()
    position[0] = 5
    assert dice.random() == first[0]
    dice.restart(lambda: position[0])  # the same command again (a batch processed again)
    assert dice.random() == first[0]
