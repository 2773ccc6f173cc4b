"""Indexes the table definitions cannot say (both engines): one progress row per member and
item (the arbiter of concurrent done clicks), unique audience pairs."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-07T16:39:57:000000"
VERSION = "1.38.0"
DESCRIPTION = "content unique pairs"

UP = [
    "CREATE UNIQUE INDEX content_progress_pair ON content_progress (member, item)",
    "CREATE UNIQUE INDEX content_audience_pair ON content_audience_account (item, account)",
]
DOWN = [
    "DROP INDEX IF EXISTS content_progress_pair",
    "DROP INDEX IF EXISTS content_audience_pair",
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
    manager = MigrationManager(migration_id=ID, app_name="content", description=DESCRIPTION)
    manager.add_raw(_forwards_raw)
    manager.add_raw_backwards(_backwards_raw)
    return manager
