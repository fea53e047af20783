"""A throwaway PostgreSQL server for tests: `initdb` + `pg_ctl` in a temporary directory on
a free loopback port, trust authentication, fsync off; stopped and deleted afterwards.
As root (CI, these machines) the server runs as the `postgres` user, which initdb requires.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

USER = "honeyflow"


class PostgresUnavailable(Exception):
    """No PostgreSQL server binaries on this machine."""


def find_bindir() -> Path:
    """The directory of `initdb` and `pg_ctl`: $PG_BINDIR, PATH, or Debian's layout."""
    candidates = [os.environ.get("PG_BINDIR", "")]
    found = shutil.which("initdb")
    if found:
        candidates.append(str(Path(found).resolve().parent))
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user() -> tuple[list[str], str | None]:
    """initdb refuses to run as root: run the server as `postgres` then."""
    if os.geteuid() != 0:
        return [], None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresUnavailable("running as root and there is no `postgres` user") from None
    return ["runuser", "-u", "postgres", "--"], "postgres"


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Yield the URL of a new server's `postgres` database (user `honeyflow`, no password)."""
    bindir = find_bindir()
    prefix, owner = _as_server_user()
    # Not under pytest's basetemp: the server user must be able to enter the directory.
    base = Path(tempfile.mkdtemp(prefix="honeyflow-pg-"))
    if owner is not None:
        shutil.chown(base, owner)
    data, port = base / "data", _free_port()
    try:
        initdb = [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", USER]
        _run([*prefix, *initdb, "-E", "UTF8", "--no-sync"])
        options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
        pg_ctl = [*prefix, str(bindir / "pg_ctl"), "-D", str(data)]
        _run([*pg_ctl, "-l", str(base / "server.log"), "-w", "-t", "60", "-o", options, "start"])
        try:
            yield f"postgresql://{USER}@127.0.0.1:{port}/postgres"
        finally:
            _run([*pg_ctl, "-m", "immediate", "-w", "stop"])
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _run(command: list[str]) -> None:
    out = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{out.stdout}\n{out.stderr}")
