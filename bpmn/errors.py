"""The exception tree of the `bpmn` package, and the `Problem` value that validation reports.

BpmnError                  base of everything this package raises on purpose
├── BpmnParseError         the bytes are not a readable BPMN 2.0 document (malformed XML,
│                          too large, a DOCTYPE, not BPMN at all); carries one message
└── BpmnValidationError    a readable document that Honeyflow cannot deploy; carries
                           every `Problem` found, never only the first
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a document cannot be deployed, located as precisely as the XML allows.

    `element_path` reads like `process 'order' > subProcess 'pay' > serviceTask 'charge'`;
    `line` is the line of the element in the file (None when the problem concerns the file).
    """

    file: str
    element_id: str | None
    element_path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        if self.element_path:
            return f"{where}: {self.element_path}: {self.message}"
        return f"{where}: {self.message}"


class BpmnError(Exception):
    """Base of every error raised on purpose by the `bpmn` package."""


class BpmnParseError(BpmnError):
    """The bytes could not be read as a BPMN 2.0 document at all."""

    def __init__(self, source_name: str, message: str, line: int | None = None) -> None:
        self.source_name = source_name
        self.message = message
        self.line = line
        where = f"{source_name}:{line}" if line is not None else source_name
        super().__init__(f"{where}: {message}")

    def as_problem(self) -> Problem:
        return Problem(self.source_name, None, "", self.line, self.message)


class BpmnValidationError(BpmnError):
    """A readable document that cannot be deployed; `problems` lists every reason found."""

    def __init__(self, source_name: str, problems: list[Problem]) -> None:
        self.source_name = source_name
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source_name}: {len(problems)} problem(s) prevent deployment:\n{lines}")
