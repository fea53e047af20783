"""`honeyflow validate FILE…`: check BPMN, DMN and form files the way deployment will, without
a broker (a `.dmn` file is read and checked by `bpmn.dmn.parse_dmn`, a `.form` file by
`bpmn.forms.read_form`, each on its own).

Exit 0 when every file would deploy (each alone, or with --together all in one deployment);
exit 1 and one line per problem otherwise. Unreadable
input (a directory, binary junk, an empty file, malformed XML) is a problem like any other,
never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import click

from bpmn.dmn import parse_dmn
from bpmn.errors import BpmnError, BpmnParseError, BpmnValidationError, Problem
from bpmn.forms import FormDocumentError, is_form_name, read_form
from bpmn.loader import validate_deployment
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


def _is_dmn(name: str) -> bool:
    return name.lower().endswith(".dmn")


def _decision_ids(files: list[tuple[str, bytes]], max_bytes: int) -> set[str]:
    ids: set[str] = set()
    for name, data in files:
        try:
            ids.update(d.id for d in parse_dmn(data, name, max_bytes=max_bytes).decisions)
        except BpmnError:
            continue  # reported as the file's own problem
    return ids


def _dmn_problems(name: str, data: bytes, max_bytes: int) -> list[Problem]:
    try:
        parse_dmn(data, name, max_bytes=max_bytes)
    except BpmnValidationError as error:
        return list(error.problems)
    except BpmnParseError as error:
        return [error.as_problem()]
    return []


def _form_problems(name: str, data: bytes) -> list[Problem]:
    try:
        read_form(data)
    except FormDocumentError as error:
        return [Problem(name, None, "", None, str(error))]
    return []


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
@click.option(
    "--together",
    is_flag=True,
    help="Check the files as one deployment (unique process ids, calls bound to the deployment).",
)
def validate(files: tuple[Path, ...], max_bytes: int, quiet: bool, together: bool) -> None:
    """Check BPMN and DMN files against Zeebe's deployment rules; exit 1 if any would be
    rejected.

    Each file is checked as a deployment of its own (`client.deploy(FILE)`), or with
    --together all as one (`client.deploy(FILE, ...)`), by the rules the engine applies."""
    problems: dict[str, list[Problem]] = {str(path): [] for path in files}
    readable: list[tuple[str, bytes]] = []
    for path in files:
        data = _read(path, max_bytes)
        if isinstance(data, Problem):
            problems[str(path)].append(data)
        else:
            readable.append((str(path), data))
    decisions = [(name, data) for name, data in readable if _is_dmn(name)]
    for name, data in readable:
        if is_form_name(name):
            problems[name].extend(_form_problems(name, data))
    readable = [(n, d) for n, d in readable if not _is_dmn(n) and not is_form_name(n)]
    for name, data in decisions:
        problems[name].extend(_dmn_problems(name, data, max_bytes))
    deployments = [readable] if together else [[resource] for resource in readable]
    # a business rule task bound to its deployment finds the decisions of the DMN files
    # validated together with it
    decision_ids = _decision_ids(decisions, max_bytes) if together else set()
    for deployment in deployments:
        for problem in validate_deployment(
            deployment, max_bytes=max_bytes, decision_ids=decision_ids
        ):
            problems.setdefault(problem.file, []).append(problem)
    failed = 0
    for path in files:
        found = problems[str(path)]
        if found:
            failed += 1
            click.echo(f"{path}: {len(found)} problem(s)", err=False)
            for problem in found:
                click.echo(f"  {problem}")
        elif not quiet:
            click.echo(f"{path}: OK")
    if failed:
        click.echo(f"{failed} of {len(files)} file(s) cannot be deployed", err=True)
        raise SystemExit(1)
