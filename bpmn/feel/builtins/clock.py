"""The clock and the dice behind `now()`, `today()`, `random number()` and `uuid()`: the engine
core has neither, so it sets the time of the command being processed (`use_clock`) and a
seeded generator (`use_random`) here; outside them, the real UTC clock and system randomness.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_current_time: ContextVar[dt.datetime | None] = ContextVar("feel_current_time", default=None)


def current_time() -> dt.datetime:
    """The aware date-time FEEL sees as now (the command timestamp when one is set)."""
    value = _current_time.get()
    if value is None:
        return dt.datetime.now(dt.UTC)
    return value


@contextmanager
def use_clock(now: dt.datetime) -> Iterator[None]:
    """Evaluate FEEL inside this block as if the time were `now` (must be timezone-aware)."""
    if now.tzinfo is None:
        raise ValueError("the FEEL clock needs an aware date-time")
    token = _current_time.set(now)
    try:
        yield
    finally:
        _current_time.reset(token)


_random: ContextVar[random.Random | None] = ContextVar("feel_random", default=None)
_system_random = random.SystemRandom()


def random_source() -> random.Random:
    """The randomness behind `random number()` and `uuid()`: a seeded generator the engine
    sets per command (`use_random`) so a replay gives the same values; else the system's."""
    return _random.get() or _system_random


class SeededRandom(random.Random):
    """A generator that seeds itself from `seed` on first use: the engine gives every command
    one (seeded by its partition and position) and most commands draw nothing, so seeding
    (~10 µs) is paid only by those that do. `reseed` moves it on to the next command."""

    def __init__(self, seed: int = 0) -> None:  # no super().__init__(): it would seed now
        self._seed = seed
        self._seeded = False

    def reseed(self, seed: int) -> None:
        self._seed = seed
        self._seeded = False

    def random(self) -> float:
        if not self._seeded:
            self._seed_now()
        return super().random()

    def getrandbits(self, k: int, /) -> int:
        if not self._seeded:
            self._seed_now()
        return super().getrandbits(k)

    def _seed_now(self) -> None:
        random.Random.seed(self, self._seed)
        self._seeded = True


@contextmanager
def use_random(source: random.Random) -> Iterator[None]:
    token = _random.set(source)
    try:
        yield
    finally:
        _random.reset(token)
