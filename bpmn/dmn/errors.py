"""The error a DMN file that cannot run raises: a BpmnValidationError (so callers that handle
BPMN validation handle it too) carrying every Problem found, each with file, element and line.
"""

from __future__ import annotations

from bpmn.errors import BpmnValidationError, Problem


class DmnValidationError(BpmnValidationError):
    """A readable DMN file whose decisions cannot be evaluated; `problems` lists every reason."""

    def __init__(self, source_name: str, problems: list[Problem]) -> None:
        super().__init__(source_name, problems)
