"""Files that hold secrets (keys, password hashes, SCRAM passwords): readable and writable by
their owner only."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def write_private(path: Path, content: str | bytes) -> None:
    """Write `content` to `path` with mode 0600, also when the file existed with another."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
    path.chmod(0o600)


def replace_private_json(path: Path, data: Any) -> None:
    """Write `data` as indented JSON to a 0600 file beside `path` and rename it over `path`, so
    that a reader sees the old file or the new one, never half of one."""
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=2)
        out.write("\n")
    os.replace(temporary, path)
