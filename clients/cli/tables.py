"""Rich tables of the CLI whose key columns never shrink: a 16-digit key cut to `45035…` on
an 80-column terminal cannot be copied into the next command."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table


def key_column(table: Table, header: str, keys: Iterable[object]) -> None:
    """Add a column as wide as its widest key (or header), never wrapped nor cut; the other
    columns give up the room."""
    width = max((len(str(k)) for k in keys), default=0)
    table.add_column(header, no_wrap=True, min_width=max(width, len(header)))
