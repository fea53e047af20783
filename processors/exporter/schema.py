"""The query store's tables and indexes, in SQL both SQLite and PostgreSQL accept.

Times are epoch milliseconds from the records' `timestamp` (the engine's clock), keys are the
records' 64-bit keys. `exporter_positions` holds, per partition, the last applied record: it
is written in the same transaction as the projection, which makes the exporter idempotent.
"""

from __future__ import annotations

from processors.exporter import decision_projection, user_task_projection
from processors.exporter.errors import StoreError
from processors.exporter.store import Store

SCHEMA_VERSION = 2
"""2: `tenant_id` on definitions, instances, incidents, jobs and user tasks (docs/tenants.md)."""

TENANT_TABLES = ("process_definitions", "process_instances", "incidents", "jobs", "user_tasks")
"""The tables with a `tenant_id` column, which a store of version 1 gets on opening."""

TABLES = (
    """CREATE TABLE IF NOT EXISTS store_meta (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS exporter_positions (
        partition_id INTEGER PRIMARY KEY,
        position BIGINT NOT NULL,
        next_offset BIGINT NOT NULL,
        end_offset BIGINT NOT NULL,
        record_timestamp BIGINT NOT NULL,
        updated_at BIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS process_definitions (
        process_definition_key BIGINT PRIMARY KEY,
        bpmn_process_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        version_tag TEXT NOT NULL,
        resource_name TEXT NOT NULL,
        deployment_key BIGINT NOT NULL,
        bpmn_xml TEXT NOT NULL,
        deployed_at BIGINT NOT NULL,
        tenant_id TEXT NOT NULL DEFAULT '<default>')""",
    """CREATE TABLE IF NOT EXISTS process_instances (
        process_instance_key BIGINT PRIMARY KEY,
        process_definition_key BIGINT NOT NULL,
        bpmn_process_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        state TEXT NOT NULL,
        start_time BIGINT NOT NULL,
        end_time BIGINT,
        duration_ms BIGINT,
        partition_id INTEGER NOT NULL,
        parent_process_instance_key BIGINT NOT NULL,
        tenant_id TEXT NOT NULL DEFAULT '<default>')""",
    """CREATE TABLE IF NOT EXISTS element_instances (
        element_instance_key BIGINT PRIMARY KEY,
        process_instance_key BIGINT NOT NULL,
        flow_scope_key BIGINT NOT NULL,
        element_id TEXT NOT NULL,
        bpmn_element_type TEXT NOT NULL,
        state TEXT NOT NULL,
        start_time BIGINT NOT NULL,
        end_time BIGINT,
        position BIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS incidents (
        incident_key BIGINT PRIMARY KEY,
        process_instance_key BIGINT NOT NULL,
        process_definition_key BIGINT NOT NULL,
        bpmn_process_id TEXT NOT NULL,
        element_id TEXT NOT NULL,
        element_instance_key BIGINT NOT NULL,
        job_key BIGINT NOT NULL,
        error_type TEXT NOT NULL,
        error_message TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        resolved_at BIGINT,
        tenant_id TEXT NOT NULL DEFAULT '<default>')""",
    """CREATE TABLE IF NOT EXISTS variables (
        scope_key BIGINT NOT NULL,
        name TEXT NOT NULL,
        process_instance_key BIGINT NOT NULL,
        variable_key BIGINT NOT NULL,
        value TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (scope_key, name))""",
    """CREATE TABLE IF NOT EXISTS jobs (
        job_key BIGINT PRIMARY KEY,
        process_instance_key BIGINT NOT NULL,
        element_instance_key BIGINT NOT NULL,
        element_id TEXT NOT NULL,
        job_type TEXT NOT NULL,
        worker TEXT NOT NULL,
        retries INTEGER NOT NULL,
        state TEXT NOT NULL,
        error_message TEXT NOT NULL,
        deadline BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        tenant_id TEXT NOT NULL DEFAULT '<default>')""",
    # Events and rejections of an instance, without their value: (partition, position)
    # points at the full record in the audit log.
    """CREATE TABLE IF NOT EXISTS audit_records (
        partition_id INTEGER NOT NULL,
        position BIGINT NOT NULL,
        process_instance_key BIGINT NOT NULL,
        record_timestamp BIGINT NOT NULL,
        record_type TEXT NOT NULL,
        value_type TEXT NOT NULL,
        intent TEXT NOT NULL,
        record_key BIGINT NOT NULL,
        element_id TEXT NOT NULL,
        rejection_reason TEXT NOT NULL,
        PRIMARY KEY (partition_id, position))""",
)

# Each index serves a query of processors/exporter/queries.py (named in the comment).
INDEXES = (
    # status: counts per definition and state; duration percentiles in order
    "CREATE INDEX IF NOT EXISTS pi_definition_state"
    " ON process_instances (process_definition_key, state, duration_ms)",
    # status --window: completed instances that ended after a time
    "CREATE INDEX IF NOT EXISTS pi_state_end ON process_instances (state, end_time)",
    # instances [--process] [--state]: newest first
    "CREATE INDEX IF NOT EXISTS pi_process_start"
    " ON process_instances (bpmn_process_id, state, start_time)",
    "CREATE INDEX IF NOT EXISTS pi_start ON process_instances (start_time)",
    # the web page's instances of one process, any state, newest first, page by page
    "CREATE INDEX IF NOT EXISTS pi_process_any_start"
    " ON process_instances (bpmn_process_id, start_time)",
    # definitions by id and version (latest version, BPMN XML for the page)
    "CREATE INDEX IF NOT EXISTS pd_process_version"
    " ON process_definitions (bpmn_process_id, version)",
    # instance KEY: its path in order
    "CREATE INDEX IF NOT EXISTS ei_instance ON element_instances (process_instance_key, position)",
    # incidents [--state]; per-definition open counts; instance KEY: its incidents
    "CREATE INDEX IF NOT EXISTS inc_state ON incidents (state, created_at)",
    "CREATE INDEX IF NOT EXISTS inc_definition ON incidents (process_definition_key, state)",
    "CREATE INDEX IF NOT EXISTS inc_instance ON incidents (process_instance_key)",
    # instance KEY: its variables, jobs and audit records
    "CREATE INDEX IF NOT EXISTS var_instance ON variables (process_instance_key)",
    "CREATE INDEX IF NOT EXISTS job_instance ON jobs (process_instance_key)",
    "CREATE INDEX IF NOT EXISTS audit_instance"
    " ON audit_records (process_instance_key, partition_id, position)",
)


def create_schema(store: Store, topic: str) -> None:
    """Create what is missing; refuse a store that another topic's records were exported to
    (its positions would be meaningless here) or that a newer Honeyflow created."""
    with store.transaction() as tx:
        for statement in (
            TABLES
            + user_task_projection.TABLES
            + decision_projection.TABLES
            + INDEXES
            + user_task_projection.INDEXES
            + decision_projection.INDEXES
        ):
            tx.execute(statement)
        meta: dict[str, str] = dict(tx.query("SELECT name, value FROM store_meta"))
        version = int(meta.get("schema_version", SCHEMA_VERSION))
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"store {store.url} has schema version {version}; this Honeyflow knows"
                f" {SCHEMA_VERSION} (upgrade Honeyflow)"
            )
        exported = meta.get("topic")
        if exported is not None and exported != topic:
            raise StoreError(
                f"store {store.url} holds the records of topic {exported}, not {topic};"
                " use another store for another prefix"
            )
        if version < 2:  # made before tenants: everything in it is the default tenant's
            for table in TENANT_TABLES:
                tx.execute(
                    f"ALTER TABLE {table} ADD COLUMN tenant_id TEXT NOT NULL DEFAULT '<default>'"
                )
            tx.execute(
                "UPDATE store_meta SET value = ? WHERE name = ?",
                (str(SCHEMA_VERSION), "schema_version"),
            )
        tx.execute(
            "INSERT INTO store_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            ("schema_version", str(SCHEMA_VERSION)),
        )
        tx.execute(
            "INSERT INTO store_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            ("topic", topic),
        )


def check_schema(store: Store) -> None:
    """For readers: fail with a clear message unless the exporter has created the tables."""
    try:
        rows = store.query("SELECT value FROM store_meta WHERE name = ?", ("schema_version",))
    except Exception as e:  # sqlite3 and psycopg raise unrelated types for a missing table
        store.rollback()
        raise StoreError(f"{store.url} is not a Honeyflow query store (no tables): {e}") from e
    if rows and int(rows[0][0]) > SCHEMA_VERSION:
        raise StoreError(f"store {store.url} has a newer schema ({rows[0][0]}); upgrade Honeyflow")
