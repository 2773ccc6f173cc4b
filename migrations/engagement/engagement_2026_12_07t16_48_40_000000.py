"""Signals by subject: a staff correction withdraws the signals of one touch or homework, and
the account timeline names subjects (both engines)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-07T16:48:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "signals indexed by subject"


async def _forwards_raw() -> None:
    engine = engine_finder()
    assert engine is not None
    await engine.run_querystring(
        QueryString(
            "CREATE INDEX engagement_signal_subject ON engagement_signal (subject_type, subject_id)"
        )
    )


async def _backwards_raw() -> None:
    engine = engine_finder()
    assert engine is not None
    await engine.run_querystring(QueryString("DROP INDEX IF EXISTS engagement_signal_subject"))


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="engagement", description=DESCRIPTION)
    manager.add_raw(_forwards_raw)
    manager.add_raw_backwards(_backwards_raw)
    return manager
