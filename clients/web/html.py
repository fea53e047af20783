"""Safe HTML building without a template engine: `html(template, **values)` escapes every
value unless it is already `Markup` (built by this module), so text from the store (element
ids, variable values, error messages) can never become markup.
"""

from __future__ import annotations

import html as _stdlib_html
from collections.abc import Iterable
from urllib.parse import quote, urlencode


class Markup(str):
    """A string that is HTML already; everything else is text and gets escaped."""

    __slots__ = ()


def escape(value: object) -> Markup:
    if isinstance(value, Markup):
        return value
    return Markup(_stdlib_html.escape(str(value), quote=True))


def html(template: str, **values: object) -> Markup:
    """`template` is a constant of our code, never data; `{name}` fields get `values`, escaped."""
    return Markup(template.format(**{k: escape(v) for k, v in values.items()}))


def join(parts: Iterable[Markup]) -> Markup:
    return Markup("".join(escape(p) for p in parts))


def url(path: str, *segments: object, **query: object) -> str:
    """`path` followed by percent-encoded segments and a query string without empty values."""
    text = path + "".join("/" + quote(str(s), safe="") for s in segments)
    pairs = {k: str(v) for k, v in query.items() if v is not None and v != ""}
    return f"{text}?{urlencode(pairs)}" if pairs else text
