"""The JSON examples in docs/record-format.md are real records: they decode and validate."""

from __future__ import annotations

import json
import re

import pytest

from broker.protocol import decode_record
from broker.protocol.schema_gen import RECORD_FORMAT_DOC

from .test_schema import record_validator

EXAMPLES = re.findall(
    r"```json\n(\{\"(?:position|recordType)\".*?)\n```",
    RECORD_FORMAT_DOC.read_text(encoding="utf-8"),
)


def test_the_doc_has_the_job_and_complete_examples() -> None:
    intents = [json.loads(example)["intent"] for example in EXAMPLES]
    assert intents == ["CREATED", "COMPLETE"]


@pytest.mark.parametrize("example", EXAMPLES)
def test_doc_example_decodes_and_validates(example: str) -> None:
    decode_record(example.encode())
    assert record_validator().is_valid(json.loads(example))
