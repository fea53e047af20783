"""What a job type may be: a non-empty string whose worker topic name Kafka can hold.

Workers of type `t` read `<prefix>jobs.<t escaped>` (docs/jobs-on-kafka.md), so a type is
usable only if its escaped form fits in a Kafka topic name. The rule and the escaping live
here, in the layer every other one may import: the BPMN validation (static types), the engine
core (types from expressions, an incident when unusable) and `broker.topics` (the topic names)
all use this one definition.
"""

from __future__ import annotations

import re
from typing import Final

# Kafka allows [A-Za-z0-9._-] in topic names, at most 249 characters. A job topic's name is
# `<prefix>jobs.<escaped type>`: 195 characters for the type leave 49 to the prefix.
MAX_ESCAPED_JOB_TYPE: Final = 195
_UNSAFE: Final = re.compile(r"[^A-Za-z0-9_-]")


def escape_job_type(job_type: str) -> str:
    """`job_type` with every character Kafka does not allow in names escaped as `.xHH` (its
    UTF-8 bytes). Dots are escaped too, so two types never map to one topic:
    `io.camunda:http-json:1` becomes `io.x2Ecamunda.x3Ahttp-json.x3A1`."""
    return _UNSAFE.sub(lambda m: "".join(f".x{b:02X}" for b in m.group().encode()), job_type)


def job_type_problem(job_type: object) -> str | None:
    """Why `job_type` cannot be a job type, or None when it can."""
    if not isinstance(job_type, str):
        return f"a job type must be a string, not {type(job_type).__name__}"
    if not job_type:
        return "a job type must not be empty"
    try:
        job_type.encode()
    except UnicodeEncodeError:  # records refuse one (decode_record), a library caller may not
        return "a job type must be Unicode text, not hold a lone surrogate (\\ud800-\\udfff)"
    escaped = len(escape_job_type(job_type))
    if escaped > MAX_ESCAPED_JOB_TYPE:
        return (
            f"job type of {len(job_type)} characters is too long for its worker topic name:"
            f" it needs {escaped} characters there, at most {MAX_ESCAPED_JOB_TYPE} fit (a"
            " character other than a letter, digit, '_' or '-' takes 4)"
        )
    return None
