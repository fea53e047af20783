"""The loop guard: how far one external command may carry the engine before it stops.

A batch processes the follow-ups of one command in generations (the command, the commands it
wrote, the commands those wrote, ...). A model with an endless loop — a cycle of gateways, or a
cycle through a timer that is already due when it is created (`PT0S`) — makes the chain of
generations endless; wide work such as a multi-instance activity over 100,000 items makes one
generation large but the chain short. So the guard counts steps in a row (generations): after
`MAX_STEPS_IN_A_ROW` every element that would activate raises an incident instead, which stops
the chain where it is and names the element; resolving the incident goes on for another
`MAX_STEPS_IN_A_ROW` steps. Timers that are due when they are created are triggered in the
same batch (see `Engine.process`), so a timer cycle counts like any other. A batch that still
grows past `MAX_COMMANDS_PER_BATCH` commands (tokens doubling in a cycle of parallel gateways)
is cut off with a rejection, the last resort that keeps memory bounded.
"""

from __future__ import annotations

from typing import Final

MAX_STEPS_IN_A_ROW: Final = 10_000
"""Generations of follow-up commands one command may cause before elements stop activating."""

MAX_COMMANDS_PER_BATCH: Final = 250_000
"""Commands one batch may process in all; beyond, the rest is rejected and dropped (a batch
keeps its records in memory until it commits: about 10 KB per command, so ~2.5 GB here; a
parallel multi-instance activity over 100,000 items takes one command per item)."""


def endless_loop_message(element_id: str) -> str:
    return (
        f"Expected to activate element '{element_id}', but the process instance has taken"
        f" {MAX_STEPS_IN_A_ROW} steps in a row without waiting for anything (a job, a message,"
        " a timer that is not due yet): is there an endless loop, such as a cycle of gateways"
        " or of timers with a zero duration? Resolving the incident goes on for another"
        f" {MAX_STEPS_IN_A_ROW} steps."
    )
