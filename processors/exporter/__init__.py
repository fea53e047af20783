"""The exporter: a consumer of the audit log (`<prefix>events`) that projects its records
into a query store (SQLite or PostgreSQL), and the read-only queries over that store that the
CLI and the web page use (docs/visibility.md). It depends on `broker` only, never on the core.
"""
