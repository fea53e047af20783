"""`honeyflow validate FILE…`: check BPMN files the way deployment will, without a broker.

Exit 0 when every file would deploy; exit 1 and one line per problem otherwise. Unreadable
input (a directory, binary junk, an empty file, malformed XML) is a problem like any other,
never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import click

from bpmn.errors import Problem
from bpmn.loader import validate as validate_bpmn
from bpmn.xml_reader import DEFAULT_MAX_BYTES


def _read(path: Path, max_bytes: int) -> bytes | Problem:
    name = str(path)
    try:
        if path.is_dir():
            return Problem(name, None, "", None, "Is a directory, not a BPMN file")
        size = path.stat().st_size
        if size > max_bytes:
            return Problem(
                name, None, "", None, f"File is {size} bytes, larger than the limit of {max_bytes}"
            )
        return path.read_bytes()
    except FileNotFoundError:
        return Problem(name, None, "", None, "No such file")
    except OSError as exc:
        return Problem(name, None, "", None, f"Cannot read the file: {exc.strerror or exc}")


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--max-size",
    "max_bytes",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_BYTES,
    show_default=True,
    help="Largest file accepted, in bytes.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print problems only, no per-file OK lines.")
def validate(files: tuple[Path, ...], max_bytes: int, quiet: bool) -> None:
    """Check BPMN files against Zeebe's deployment rules; exit 1 if any would be rejected."""
    failed = 0
    for path in files:
        data = _read(path, max_bytes)
        problems = (
            [data]
            if isinstance(data, Problem)
            else validate_bpmn(data, source_name=str(path), max_bytes=max_bytes)
        )
        if problems:
            failed += 1
            click.echo(f"{path}: {len(problems)} problem(s)", err=False)
            for problem in problems:
                click.echo(f"  {problem}")
        elif not quiet:
            click.echo(f"{path}: OK")
    if failed:
        click.echo(f"{failed} of {len(files)} file(s) cannot be deployed", err=True)
        raise SystemExit(1)
