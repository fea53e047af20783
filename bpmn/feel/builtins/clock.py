"""The clock and the dice behind `now()`, `today()`, `random number()` and `uuid()`: the engine
core has neither, so it sets the time of the command being processed (`use_clock`) and a
seeded generator (`use_random`) here; outside them, the real UTC clock and system randomness.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

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
    """A generator seeded per command: `seed_of()` gives the seed of the command being
    processed, and the first draw under a seed other than the last one drawn under seeds the
    generator (~10 µs), so the commands that draw nothing (most) pay nothing, not even a
    reseed call. The engine gives it the partition and the command's position; `restart`
    forgets the last seed (a command processed again draws the same values again)."""

    def __init__(self, seed_of: Callable[[], int] = lambda: 0) -> None:
        # no super().__init__(): it would seed now
        self.seed_of = seed_of
        self._seeded_with: int | None = None

    def restart(self, seed_of: Callable[[], int]) -> None:
        self.seed_of = seed_of
        self._seeded_with = None

    def random(self) -> float:
        seed = self.seed_of()
        if seed != self._seeded_with:
            self._seed_now(seed)
        return super().random()

    def getrandbits(self, k: int, /) -> int:
        seed = self.seed_of()
        if seed != self._seeded_with:
            self._seed_now(seed)
        return super().getrandbits(k)

    def _seed_now(self, seed: int) -> None:
        random.Random.seed(self, seed)
        self._seeded_with = seed


class RandomScope:
    """`with scope:` evaluates FEEL inside the block with `source` as its randomness (as
    `use_random`, as an object kept and entered again: the engine enters one per batch, and a
    generator-based context manager costs several calls each time). Not reentrant."""

    __slots__ = ("_token", "source")

    def __init__(self, source: random.Random) -> None:
        self.source = source
        self._token: Token[random.Random | None] | None = None

    def __enter__(self) -> None:
        self._token = _random.set(self.source)

    def __exit__(self, *_exc: object) -> None:
        if self._token is not None:
            _random.reset(self._token)
            self._token = None


@contextmanager
def use_random(source: random.Random) -> Iterator[None]:
    token = _random.set(source)
    try:
        yield
    finally:
        _random.reset(token)
