"""A picture of every application table's rows, to show that a refused request wrote nothing."""

from __future__ import annotations

from typing import Any

from core.database import fetch

# Server-side sessions change on every request (flash messages, the visit day, rotation):
# they are the caller's own state, not an effect of the request on the application.
IGNORED_TABLES = {"core_session"}
State = dict[str, list[tuple[Any, ...]]]


def _tables() -> list[str]:
    from piccolo.apps.migrations.tables import Migration

    from piccolo_conf import APP_REGISTRY

    return [
        table._meta.tablename
        for config in APP_REGISTRY.app_configs.values()
        for table in config.table_classes
        if table is not Migration and table._meta.tablename not in IGNORED_TABLES
    ]


async def database_state() -> State:
    """{table: its rows, each as a sorted tuple of (column, value), in a stable order}."""
    state = {}
    for table in _tables():
        rows = await fetch(f'SELECT * FROM "{table}"')
        state[table] = sorted((tuple(sorted(dict(row).items())) for row in rows), key=repr)
    return state


def differences(before: State, after: State) -> list[str]:
    """The tables whose rows differ, with the row counts."""
    return [
        f"{table} ({len(before[table])} -> {len(after.get(table, []))} rows)"
        for table in before
        if before[table] != after.get(table)
    ]
