"""The query store: one SQL database (SQLite, embedded, or PostgreSQL) behind a small
connection wrapper. SQL is written once with `?` placeholders and the common subset of both
dialects (`INSERT ... ON CONFLICT`); PostgreSQL gets `%s` placeholders from `_postgres_sql`.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

from processors.exporter.errors import StoreError

DEFAULT_STORE = "honeyflow-visibility.db"
"""The SQLite file the exporter and the CLI use when no `--store` is given (working directory)."""

Dialect = Literal["sqlite", "postgresql"]
Params = Sequence[Any]
Row = tuple[Any, ...]

_PLACEHOLDER = re.compile(r"\?")


class _Cursor(Protocol):
    def execute(self, sql: Any, params: Any = ..., /) -> Any: ...
    def executemany(self, sql: Any, params: Any, /) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class Store:
    """A connection to the query store. Writes happen only inside `transaction()`; reads
    (`query`) run in their own short transaction so a reader never holds the writer up."""

    def __init__(self, url: str, dialect: Dialect, connection: Any) -> None:
        self.url = url
        self.dialect: Dialect = dialect
        self._connection = connection
        self._sql_cache: dict[str, str] = {}

    def _sql(self, sql: str) -> str:
        if self.dialect == "sqlite":
            return sql
        converted = self._sql_cache.get(sql)
        if converted is None:
            # No SQL of ours contains a literal `?` or `%`; values are always parameters.
            converted = _PLACEHOLDER.sub("%s", sql)
            self._sql_cache[sql] = converted
        return converted

    def query(self, sql: str, params: Params = ()) -> list[Row]:
        with self._cursor() as cursor:
            cursor.execute(self._sql(sql), tuple(params))
            rows = [tuple(row) for row in cursor.fetchall()]
        self._connection.commit()
        return rows

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Everything written through the yielded `Transaction` commits together or not at all."""
        with self._cursor() as cursor:
            try:
                yield Transaction(self, cursor)
            except BaseException:
                self._connection.rollback()
                raise
            self._connection.commit()

    @contextmanager
    def _cursor(self) -> Iterator[_Cursor]:
        cursor = self._connection.cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    def rollback(self) -> None:
        self._connection.rollback()

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Transaction:
    """Writes of one transaction; `execute_many` sends a batch of rows with one statement."""

    def __init__(self, store: Store, cursor: _Cursor) -> None:
        self._store = store
        self._cursor = cursor

    def execute(self, sql: str, params: Params = ()) -> None:
        self._cursor.execute(self._store._sql(sql), tuple(params))

    def execute_many(self, sql: str, rows: Sequence[Params]) -> None:
        if rows:
            self._cursor.executemany(self._store._sql(sql), [tuple(r) for r in rows])

    def query(self, sql: str, params: Params = ()) -> list[Row]:
        self._cursor.execute(self._store._sql(sql), tuple(params))
        return [tuple(row) for row in self._cursor.fetchall()]


def open_store(url: str | None = None, *, create: bool = True) -> Store:
    """Open the store at `url`: `postgresql://…`, `sqlite:///path`, or a path. A missing
    SQLite file is created unless `create` is False (readers must not leave empty files).
    `processors.exporter.schema.create_schema` creates the tables."""
    url = url or DEFAULT_STORE
    scheme = urlsplit(url).scheme
    if scheme in ("postgresql", "postgres"):
        return Store(url, "postgresql", _connect_postgres(url))
    if scheme == "sqlite":
        # As SQLAlchemy: sqlite:///relative.db, sqlite:////absolute/path.db
        path = url[len("sqlite://") :]
        path = path[1:] if path.startswith("/") else path
        return Store(url, "sqlite", _connect_sqlite(Path(path or DEFAULT_STORE), create))
    if scheme and len(scheme) > 1:
        raise StoreError(f"unsupported store URL '{url}': use postgresql://… or a SQLite path")
    return Store(url, "sqlite", _connect_sqlite(Path(url), create))


def _connect_sqlite(path: Path, create: bool) -> sqlite3.Connection:
    if not create and not path.exists():
        raise StoreError(f"no query store at {path}: start `honeyflow exporter` or pass --store")
    try:
        # One thread at a time uses a Store, but not always the one that opened it (the
        # exporter may be built on one thread and run on another).
        connection = sqlite3.connect(
            path, timeout=30.0, isolation_level="DEFERRED", check_same_thread=False
        )
        # WAL: the CLI reads while the exporter writes; NORMAL sync is durable at checkpoints
        # and the exporter re-reads from its stored positions after a crash anyway.
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.Error as e:
        raise StoreError(f"cannot open SQLite store {path}: {e}") from e
    return connection


def _connect_postgres(url: str) -> Any:
    try:
        import psycopg
    except ImportError as e:  # pragma: no cover - depends on the installation
        raise StoreError(
            "a postgresql:// store needs psycopg: pip install 'psycopg[binary]'"
        ) from e
    try:
        return psycopg.connect(url)
    except psycopg.Error as e:
        raise StoreError(f"cannot connect to PostgreSQL store {_redacted(url)}: {e}") from e


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url
