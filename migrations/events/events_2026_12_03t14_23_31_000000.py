"""Each event's calendar SEQUENCE continues from the one its invitations already carried.

Before this column, SEQUENCE was the seconds between an event's creation and its last edit. A
calendar ignores an update whose SEQUENCE is lower than one it holds, so existing events start
the counter there.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-03T14:23:31:000000"
VERSION = "1.38.0"
DESCRIPTION = "calendar_sequence from the earlier edit-time sequence"

POSTGRES = (
    "UPDATE events_event SET calendar_sequence = "
    "GREATEST(0, CAST(EXTRACT(EPOCH FROM (updated_at - created_at)) AS INTEGER))"
)
SQLITE = (
    "UPDATE events_event SET calendar_sequence = "
    "MAX(0, CAST((julianday(updated_at) - julianday(created_at)) * 86400 AS INTEGER))"
)


async def _forwards_raw() -> None:
    engine = engine_finder()
    assert engine is not None
    statement = POSTGRES if engine.engine_type == "postgres" else SQLITE
    await engine.run_querystring(QueryString(statement))


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)
    manager.add_raw(_forwards_raw)
    return manager
