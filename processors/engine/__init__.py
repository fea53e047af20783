"""The engine core: a pure, deterministic state machine (no I/O, no clock, no randomness).

    engine = Engine(partition_id=1, partition_count=1)
    result = engine.process(command, now_ms)        # never raises
    result.records, result.responses, result.outbound
    engine.due_commands(now_ms)                     # TIMER TRIGGER, JOB TIME_OUT, ...

See docs/engine.md for the processing model and what is implemented.
"""

from processors.engine.engine import Engine
from processors.engine.kv_store import InMemoryKeyValueStore, KeyValueStore
from processors.engine.loop_guard import MAX_COMMANDS_PER_BATCH, MAX_STEPS_IN_A_ROW
from processors.engine.results import ProcessingResult

__all__ = [
    "MAX_COMMANDS_PER_BATCH",
    "MAX_STEPS_IN_A_ROW",
    "Engine",
    "InMemoryKeyValueStore",
    "KeyValueStore",
    "ProcessingResult",
]
