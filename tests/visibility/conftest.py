"""Stores for the visibility tests: a SQLite file per test, and a database per test on one
throwaway PostgreSQL server for the session (skipped where PostgreSQL is not installed,
except in CI, where that is a failure)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.postgres import PostgresUnavailable, throwaway_postgres


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    try:
        with throwaway_postgres() as url:
            yield url
    except PostgresUnavailable as e:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs PostgreSQL for the visibility tests: {e}")
        pytest.skip(str(e))


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A fresh, empty database on the session's server."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')  # a generated name, not user input
    return postgres_server.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "visibility.db")
    return str(request.getfixturevalue("postgres_url"))
