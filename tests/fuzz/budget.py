"""How long each fuzz target runs, and the per-input deadline that turns a hang into a failure.

`make test` runs every target briefly (`SHORT_EXAMPLES` inputs each, a few seconds);
`make fuzz MINUTES=N` (tests/fuzz/run.py) sets HONEYFLOW_FUZZ_SECONDS for each target, and
`fuzz()` then runs the target's Hypothesis test again and again, each round with a new random
seed, until that time is up. A failure stops the target: Hypothesis shrinks the input and
prints it ("Falsifying example"), which is what a regression test then keeps.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from hypothesis import HealthCheck, settings

SHORT_EXAMPLES = int(os.environ.get("HONEYFLOW_FUZZ_EXAMPLES", "150"))
"""Inputs per target in `make test` (4 s for all targets on a quiet machine)."""

ROUND_EXAMPLES = 500
"""Inputs per round of a long run (each round draws a fresh seed)."""

INPUT_DEADLINE_S = float(os.environ.get("HONEYFLOW_FUZZ_DEADLINE", "20"))
"""One input may take this long (wall clock, on a loaded 2-core machine) before it counts as a
hang. FEEL's evaluation budget is about a second; everything else is far below it."""


def long_run_seconds() -> float:
    """The time a long run (`make fuzz`) gives the target being run; 0 in `make test`."""
    return float(os.environ.get("HONEYFLOW_FUZZ_SECONDS", "0"))


def fuzz_settings(examples: int | None = None) -> settings:
    return settings(
        max_examples=examples or (ROUND_EXAMPLES if long_run_seconds() else SHORT_EXAMPLES),
        deadline=None,  # the SIGALRM deadline below is the one that counts (loaded machine)
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        derandomize=not long_run_seconds(),  # `make test` is reproducible; long runs explore
        database=None,  # the regressions live as plain tests in test_fuzz_regressions.py
        print_blob=True,
    )


def fuzz(target: Callable[[], None]) -> None:
    """Run a @given test once (make test) or in rounds until HONEYFLOW_FUZZ_SECONDS ran out,
    printing how many rounds ran."""
    seconds = long_run_seconds()
    if not seconds:
        target()
        return
    end = time.monotonic() + seconds
    rounds = 0
    while time.monotonic() < end:
        target()
        rounds += 1
    print(f"fuzz: {rounds} rounds of {ROUND_EXAMPLES} inputs in {seconds:.0f} s, no failure")


class Hang(BaseException):
    """An input ran past INPUT_DEADLINE_S. A BaseException, so that the code under test's
    `except Exception` safety nets cannot swallow it."""


@contextmanager
def deadline(seconds: float = INPUT_DEADLINE_S) -> Iterator[None]:
    """Raise Hang in the main thread when the block runs longer than `seconds`; the timer
    and handler it found (pytest-timeout's) are put back afterwards."""

    def expired(signum: int, frame: FrameType | None) -> Any:
        raise Hang(f"input ran longer than {seconds} s")

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, expired)
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:
            left = outer - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))
