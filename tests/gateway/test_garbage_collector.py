"""The gateway process leaves what it built at start out of garbage collection and collects
its youngest generation less often (clients/gateway/server.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from clients.gateway.server import settle_garbage_collector


@pytest.fixture
def restored() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("restored")
def test_objects_from_start_are_frozen_and_young_ones_collected_less_often() -> None:
    before = gc.get_threshold()
    settle_garbage_collector()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (20_000, before[1], before[2])
