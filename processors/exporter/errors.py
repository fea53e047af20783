"""The exporter's exception tree: every error it reports to a user is a `VisibilityError`."""

from __future__ import annotations


class VisibilityError(Exception):
    """Base of the exporter's and the query store's errors."""


class StoreError(VisibilityError):
    """The query store cannot be opened, is of another topic, or has a newer schema."""


class NotFoundError(VisibilityError):
    """A queried entity (instance, incident) is not in the store."""
