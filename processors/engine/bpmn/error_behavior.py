"""Throwing BPMN errors: find the nearest catching event (a boundary event of the element or
of an enclosing activity, or an error start event of an event subprocess) by error code, or a
catch-all. Returns False when nothing catches it (the caller raises UNHANDLED_ERROR_EVENT)."""

from __future__ import annotations

from typing import Any

from processors.engine.bpmn.element_call import ElementCall


def throw_error(call: ElementCall, code: str, message: str, variables: dict[str, Any]) -> bool:
    # Error catching is not implemented yet (docs/engine.md): every error is unhandled.
    return False
