"""Indexes the table definitions cannot say (both engines): one renewal per account and
renewal date (the arbiter of duplicate submissions and imports)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-07T21:01:37:000000"
VERSION = "1.38.0"
DESCRIPTION = "renewals unique period"

UP = [
    "CREATE UNIQUE INDEX renewals_renewal_period ON renewals_renewal (account, renewal_date)",
    "CREATE INDEX renewals_renewal_date ON renewals_renewal (renewal_date)",
]
DOWN = [
    "DROP INDEX IF EXISTS renewals_renewal_period",
    "DROP INDEX IF EXISTS renewals_renewal_date",
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
    manager = MigrationManager(migration_id=ID, app_name="renewals", description=DESCRIPTION)
    manager.add_raw(_forwards_raw)
    manager.add_raw_backwards(_backwards_raw)
    return manager
