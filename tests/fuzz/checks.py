"""What counts as a crash: the exception a target may raise, and the safety nets' messages.

The libraries turn an unexpected exception into their documented error so that a defect never
stops a partition (`internal error: TypeError: ...`, `an unexpected error occurred`, ...). For
the fuzzer those are crashes all the same: the safety net caught a defect."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bpmn.feel import FeelError

SAFETY_NET_MESSAGES = (
    "internal error",  # bpmn.feel evaluate, bpmn.dmn evaluate_decision
    "cannot compile the expression: ",  # bpmn.feel compile_expression
    "cannot compile the unary tests: ",
    "Cannot validate: ",  # bpmn.loader validate_deployment
    "an unexpected error occurred",  # processors.engine
    "undecodable: ",  # processors.kafka.command_intake
)


def assert_not_a_defect(message: str) -> None:
    for net in SAFETY_NET_MESSAGES:
        assert net not in message, f"a safety net caught a defect: {message}"


def assert_feel_error(error: FeelError) -> None:
    assert_not_a_defect(error.message)
    cause = error.__cause__
    assert cause is None or isinstance(cause, FeelError), f"{error!r} from {cause!r}"


def keep_failing_input(target: str, data: bytes | str) -> str:
    """Write a failing input to $HONEYFLOW_FUZZ_OUT (default .fuzz-found/) and return its path:
    Hypothesis runs the shrunk example last, so the file left is the minimized input."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    folder = Path(os.environ.get("HONEYFLOW_FUZZ_OUT", ".fuzz-found"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{target}-last.bin"
    path.write_bytes(raw)
    return str(path)


@contextmanager
def saving(target: str, data: bytes | str) -> Iterator[None]:
    """Keep `data` (keep_failing_input) when the block fails, then let the failure through."""
    try:
        yield
    except BaseException:
        keep_failing_input(target, data)
        raise
