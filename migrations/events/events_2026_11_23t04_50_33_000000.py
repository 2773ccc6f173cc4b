"""Indexes the table definitions cannot say (both engines).

- one registration per member and event that is not cancelled (partial unique index);
- check-in codes unique per event; the roster and waitlist orders;
- unique host and audience pairs; an attendance report applied once per event.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.querystring import QueryString

ID = "2026-11-23T04:50:33:000000"
VERSION = "1.38.0"
DESCRIPTION = "events unique pairs, partial unique registration and queue indexes"

UP = [
    "CREATE UNIQUE INDEX events_registration_active "
    "ON events_registration (event, member) WHERE status <> 'cancelled'",
    "CREATE UNIQUE INDEX events_registration_code "
    "ON events_registration (event, checkin_code) WHERE checkin_code <> ''",
    "CREATE INDEX events_registration_queue "
    "ON events_registration (event, status, queue_order)",
    "CREATE UNIQUE INDEX events_host_pair ON events_host (event, member)",
    "CREATE UNIQUE INDEX events_audience_pair ON events_audience_account (event, account)",
    "CREATE UNIQUE INDEX events_import_digest ON events_attendance_import (event, digest)",
]
DOWN = [
    "DROP INDEX IF EXISTS events_registration_active",
    "DROP INDEX IF EXISTS events_registration_code",
    "DROP INDEX IF EXISTS events_registration_queue",
    "DROP INDEX IF EXISTS events_host_pair",
    "DROP INDEX IF EXISTS events_audience_pair",
    "DROP INDEX IF EXISTS events_import_digest",
]


async def _run(statements: list[str]) -> None:
    engine = engine_finder()
    assert engine is not None
    for statement in statements:
        await engine.run_querystring(QueryString(statement))


async def _forwards_raw() -> None:
    await _run(UP)


async def _backwards_raw() -> None:
    await _run(DOWN)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)
    manager.add_raw(_forwards_raw)
    manager.add_raw_backwards(_backwards_raw)
    return manager
