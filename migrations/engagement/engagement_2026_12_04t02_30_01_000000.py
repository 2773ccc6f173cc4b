"""The subject columns of the signals already written, read from their dedupe keys (every
producer's key was `<namespace>:<subject id>[:detail]`)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.querystring import QueryString

ID = "2026-12-04T02:30:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "signal subjects filled from the dedupe keys"

# Each kind's subject, and the namespace its dedupe keys start with (engagement.kinds.KINDS on
# the day of this migration: a migration does not import the code that changes after it).
SUBJECTS = {
    "topic_created": ("topic", "topic_created"),
    "reply_created": ("post", "reply_created"),
    "answer_accepted": ("post", "answer_accepted"),
    "reaction_received": ("post", "reaction_received"),
    "event_registered": ("registration", "event_registered"),
    "webinar_attended": ("registration", "attended"),
    "mokumoku_attended": ("registration", "attended"),
    "event_no_show": ("registration", "no_show"),
    "daily_visit": ("member", "daily_visit"),
}


async def _backfill() -> None:
    engine = engine_finder()
    assert engine is not None
    postgres = isinstance(engine, PostgresEngine)
    for kind, (subject, namespace) in SUBJECTS.items():
        rest = f"substr(dedupe_key, {len(namespace) + 2})"  # after "<namespace>:"
        if postgres:
            subject_id = f"split_part({rest}, ':', 1)::bigint"
        else:
            subject_id = (
                f"CAST(CASE WHEN instr({rest}, ':') > 0 "
                f"THEN substr({rest}, 1, instr({rest}, ':') - 1) ELSE {rest} END AS INTEGER)"
            )
        await engine.run_querystring(
            QueryString(
                f"UPDATE engagement_signal SET subject_type = {{}}, subject_id = {subject_id} "
                "WHERE kind = {} AND subject_id IS NULL AND dedupe_key LIKE {}",
                subject,
                kind,
                f"{namespace}:%",
            )
        )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="engagement", description=DESCRIPTION)
    manager.add_raw(_backfill)
    return manager
