"""A batch's progress file: JSON lines, one per item's outcome (`{"key": K, "outcome":
"done"}` or `"refused: …"`), appended as each comes, so a batch stopped half-way — the
process killed, the machine restarted — goes on where it was: a later run skips the keys
the file says are done. `honeyflow batch --progress FILE` and the web console's batches
(under `honeyflow web --state-dir`) write the same format; the web's files start with a line
describing the batch (`{"batch": {...}}`), which the CLI skips."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DONE = "done"


def read_lines(path: Path) -> list[dict[str, Any]]:
    """The file's entries; a line cut short by a crash (the last one) is left out."""
    if not path.exists():
        return []
    entries: list[dict[str, Any]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            entries.append(entry)
    return entries


def done_keys(path: Path) -> set[int]:
    return {int(e["key"]) for e in read_lines(path) if e.get("outcome") == DONE and "key" in e}


def append(path: Path, entry: dict[str, Any]) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")
        f.flush()
