"""The entry points: bytes in, a validated frozen `Definitions` out, or every problem found.

parse_bpmn(data, source_name=...) -> ParseResult     never raises for a bad model; raises
                                                     BpmnParseError for unreadable bytes
validate(data, source_name=...)   -> list[Problem]   never raises: unreadable bytes are a
                                                     problem too; the file's own rules and
                                                     those of deploying it alone
validate_deployment([(name, data), ...])             the same for files deployed together
                                  -> list[Problem]   (what `honeyflow validate` prints)
load(data, source_name=...)       -> Definitions     raises BpmnParseError or
                                                     BpmnValidationError
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from lxml import etree

from bpmn.build_context import BuildContext
from bpmn.build_process import ProcessBuilder
from bpmn.deployment_rules import deployment_problems
from bpmn.diagram import read_diagram
from bpmn.document import Document, attribute, line_of, zeebe_extensions
from bpmn.errors import BpmnParseError, BpmnValidationError, Problem
from bpmn.expressions import ExpressionCompiler, FeelCompiler, default_feel_compiler
from bpmn.model import (
    CodedInfo,
    Definitions,
    ExecutableProcess,
    MessageInfo,
    ProcessSummary,
    SignalInfo,
    frozen_map,
)
from bpmn.problems import ProblemCollector
from bpmn.rules_graph import check_process
from bpmn.xml_reader import DEFAULT_MAX_BYTES, read_xml


@dataclass(frozen=True, slots=True)
class ParseResult:
    """`definitions` is set exactly when `problems` is empty."""

    source_name: str
    definitions: Definitions | None
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _is_executable(process: etree._Element) -> bool:
    return (process.get("isExecutable") or "").strip().lower() == "true"


def parse_bpmn(
    data: bytes,
    *,
    source_name: str = "<bytes>",
    max_bytes: int = DEFAULT_MAX_BYTES,
    feel_compiler: FeelCompiler | None = None,
) -> ParseResult:
    root = read_xml(data, source_name, max_bytes=max_bytes)
    document = Document(root, source_name)
    problems = ProblemCollector(source_name)
    ctx = BuildContext(
        document, problems, ExpressionCompiler(feel_compiler or default_feel_compiler())
    )
    executable = [p for p in document.processes if _is_executable(p)]
    if not executable:
        problems.add(root, "Must contain at least one executable process")
    processes: list[ExecutableProcess] = []
    for process in executable:
        if not process.get("id"):
            problems.add(process, "Attribute 'id' must be present and not empty")
            continue
        built = ProcessBuilder(ctx, process).build()
        check_process(built, problems)
        processes.append(built)
    _report_duplicate_ids(document, executable, problems)
    if problems:
        return ParseResult(source_name, None, tuple(problems.sorted()))
    return ParseResult(source_name, _definitions(document, processes), ())


def _report_duplicate_ids(
    document: Document, executable: list[etree._Element], problems: ProblemCollector
) -> None:
    roots = set(executable)
    for element, first in document.duplicate_ids:
        # Only duplicates that touch a deployable process matter to Honeyflow.
        if any(
            a in roots for a in (element, *element.iterancestors(), first, *first.iterancestors())
        ):
            problems.add(
                element,
                f"Duplicate id '{element.get('id')}': already used at line {line_of(first)}",
            )


def _definitions(document: Document, processes: list[ExecutableProcess]) -> Definitions:
    root = document.root

    def subscription_key(message: etree._Element) -> str | None:
        found = zeebe_extensions(message, "subscription")
        return found[0].get("correlationKey") if found else None

    return Definitions(
        source_name=document.source_name,
        id=root.get("id"),
        target_namespace=root.get("targetNamespace"),
        exporter=root.get("exporter"),
        exporter_version=root.get("exporterVersion"),
        processes=tuple(processes),
        other_processes=tuple(
            ProcessSummary(p.get("id", ""), p.get("name"), line_of(p))
            for p in document.processes
            if not _is_executable(p)
        ),
        messages=frozen_map(
            {
                i: MessageInfo(i, attribute(m, "name"), subscription_key(m))
                for i, m in document.messages.items()
            }
        ),
        errors=frozen_map(
            {i: CodedInfo(i, e.get("name"), e.get("errorCode")) for i, e in document.errors.items()}
        ),
        escalations=frozen_map(
            {
                i: CodedInfo(i, e.get("name"), e.get("escalationCode"))
                for i, e in document.escalations.items()
            }
        ),
        signals=frozen_map({i: SignalInfo(i, s.get("name")) for i, s in document.signals.items()}),
        diagram=read_diagram(root),
    )


def validate(
    data: bytes,
    *,
    source_name: str = "<bytes>",
    max_bytes: int = DEFAULT_MAX_BYTES,
    feel_compiler: FeelCompiler | None = None,
) -> list[Problem]:
    return validate_deployment(
        [(source_name, data)], max_bytes=max_bytes, feel_compiler=feel_compiler
    )


def validate_deployment(
    resources: Sequence[tuple[str, bytes]],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    feel_compiler: FeelCompiler | None = None,
    decision_ids: Collection[str] = (),
) -> list[Problem]:
    """Every problem of deploying these (name, bytes) together, as the engine's deployment
    finds them: each file's, then those across the files (bpmn.deployment_rules);
    `decision_ids` are those of the DMN files deployed with them. Never raises."""
    problems: list[Problem] = []
    loaded: list[tuple[str, Definitions]] = []
    for source_name, data in resources:
        try:
            result = parse_bpmn(
                data, source_name=source_name, max_bytes=max_bytes, feel_compiler=feel_compiler
            )
        except BpmnParseError as exc:
            problems.append(exc.as_problem())
            continue
        except Exception as exc:  # a defect: validation reports every input, it never raises
            problems.append(
                Problem(
                    source_name, None, "", None, f"Cannot validate: {type(exc).__name__}: {exc}"
                )
            )
            continue
        problems.extend(result.problems)
        if result.definitions is not None:
            loaded.append((source_name, result.definitions))
    if not problems:
        problems.extend(deployment_problems(loaded, decision_ids=decision_ids))
    return problems


def load(
    data: bytes,
    *,
    source_name: str = "<bytes>",
    max_bytes: int = DEFAULT_MAX_BYTES,
    feel_compiler: FeelCompiler | None = None,
) -> Definitions:
    result = parse_bpmn(
        data, source_name=source_name, max_bytes=max_bytes, feel_compiler=feel_compiler
    )
    if result.definitions is None:
        raise BpmnValidationError(source_name, list(result.problems))
    return result.definitions
