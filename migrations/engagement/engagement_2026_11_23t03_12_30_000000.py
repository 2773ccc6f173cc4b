"""Indexes the table definitions cannot say: unique pairs and keyset/list orders (both engines).

- scores by (updated_at, account): the CRM pull API's keyset order;
- one snapshot per account and day, and snapshots by day (portfolio averages);
- one re-engagement email per member and inactivity period;
- signals by (account, occurred_at): an account's recompute and its recent signals.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.querystring import QueryString

ID = "2026-11-23T03:12:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "engagement keyset, unique-pair and list indexes"

UP = [
    "CREATE INDEX engagement_account_score_keyset "
    "ON engagement_account_score (updated_at, account)",
    "CREATE UNIQUE INDEX engagement_score_snapshot_day "
    "ON engagement_score_snapshot (account, day)",
    "CREATE INDEX engagement_score_snapshot_by_day ON engagement_score_snapshot (day)",
    "CREATE UNIQUE INDEX engagement_reengagement_period "
    "ON engagement_reengagement_email (member, inactive_since)",
    "CREATE INDEX engagement_signal_account_time ON engagement_signal (account, occurred_at)",
]
DOWN = [
    "DROP INDEX IF EXISTS engagement_account_score_keyset",
    "DROP INDEX IF EXISTS engagement_score_snapshot_day",
    "DROP INDEX IF EXISTS engagement_score_snapshot_by_day",
    "DROP INDEX IF EXISTS engagement_reengagement_period",
    "DROP INDEX IF EXISTS engagement_signal_account_time",
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
    manager = MigrationManager(migration_id=ID, app_name="engagement", description=DESCRIPTION)
    manager.add_raw(_forwards_raw)
    manager.add_raw_backwards(_backwards_raw)
    return manager
