"""Shared helpers for the BPMN tests: read a fixture, parse it, list its problems."""

from __future__ import annotations

from pathlib import Path

import pytest

import bpmn
from bpmn.errors import Problem

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def load_fixture(name: str) -> bpmn.Definitions:
    return bpmn.load(fixture_bytes(name), source_name=name)


def problems_of(name: str) -> list[Problem]:
    return bpmn.validate(fixture_bytes(name), source_name=name)


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
