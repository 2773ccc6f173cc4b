"""Indexes the table definitions cannot say (both engines): unique participant, staff and
homework rows, one match row per playbook and account (the arbiter between two evaluations),
one import per calendar meeting and account, one touch per submitted form."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-07T16:48:39:000000"
VERSION = "1.38.0"
DESCRIPTION = "success unique pairs"

UP = [
    "CREATE UNIQUE INDEX success_participant_pair ON success_touch_participant (touch, member)",
    "CREATE UNIQUE INDEX success_staff_pair ON success_touch_staff (touch, member)",
    "CREATE UNIQUE INDEX success_homework_one ON success_homework (touch, member, item)",
    "CREATE INDEX success_homework_open ON success_homework (member, item) "
    "WHERE completed_at IS NULL",
    "CREATE UNIQUE INDEX success_match_pair ON success_playbook_match (playbook, account)",
    "CREATE UNIQUE INDEX success_touch_ics ON success_touch (account, ics_uid) "
    "WHERE ics_uid IS NOT NULL",
    "CREATE INDEX success_task_playbook ON success_task (playbook, account, status)",
    "CREATE UNIQUE INDEX success_touch_submission ON success_touch (submission_key) "
    "WHERE submission_key IS NOT NULL",
]
DOWN = [
    "DROP INDEX IF EXISTS success_participant_pair",
    "DROP INDEX IF EXISTS success_staff_pair",
    "DROP INDEX IF EXISTS success_homework_one",
    "DROP INDEX IF EXISTS success_homework_open",
    "DROP INDEX IF EXISTS success_match_pair",
    "DROP INDEX IF EXISTS success_touch_ics",
    "DROP INDEX IF EXISTS success_task_playbook",
    "DROP INDEX IF EXISTS success_touch_submission",
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
    manager = MigrationManager(migration_id=ID, app_name="success", description=DESCRIPTION)
    manager.add_raw(_forwards_raw)
    manager.add_raw_backwards(_backwards_raw)
    return manager
