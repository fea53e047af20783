"""Camunda Forms documents (`.form` files): what the engine needs of one — its `id` and its
optional `versionTag` — and the problem with one that has neither, shared by deployment and
`honeyflow validate`."""

from __future__ import annotations

import json
from dataclasses import dataclass

FORM_SUFFIX = ".form"


class FormDocumentError(ValueError):
    """A `.form` resource that cannot be deployed; the message says why."""


@dataclass(frozen=True, slots=True)
class FormDocument:
    form_id: str
    version_tag: str


def is_form_name(resource_name: str) -> bool:
    return resource_name.lower().endswith(FORM_SUFFIX)


def read_form(data: bytes) -> FormDocument:
    """Raises FormDocumentError."""
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise FormDocumentError(f"Expected a form as JSON, but it is not: {error}") from None
    form_id = document.get("id") if isinstance(document, dict) else None
    if not isinstance(form_id, str) or not form_id.strip():
        raise FormDocumentError("Expected the form to have a non-empty string 'id'")
    tag = document.get("versionTag")
    return FormDocument(form_id, tag if isinstance(tag, str) else "")
