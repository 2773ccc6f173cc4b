"""Search and integrity indexes the table definitions cannot say, per engine.

PostgreSQL: pg_trgm GIN indexes on the normalised search columns (LIKE '%q%' uses them for
queries of three or more characters). SQLite: FTS5 trigram tables kept in step by triggers.
Both: unique pairs (one like per member and post, one read state per member and topic, one
flag per member and post, one number per post in a topic) and the keyset-list indexes.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.querystring import QueryString

ID = "2026-11-23T01:49:35:000000"
VERSION = "1.38.0"
DESCRIPTION = "search indexes (pg_trgm / FTS5 trigram), unique pairs, list indexes"

COMMON = [
    "CREATE UNIQUE INDEX community_post_like_pair ON community_post_like (post, member)",
    "CREATE UNIQUE INDEX community_topic_read_pair ON community_topic_read (member, topic)",
    "CREATE UNIQUE INDEX community_flag_pair ON community_flag (post, member)",
    "CREATE UNIQUE INDEX community_post_number ON community_post (topic, number)",
    "CREATE INDEX community_topic_activity ON community_topic (last_activity_at, id)",
    "CREATE INDEX community_topic_category_activity "
    "ON community_topic (category, last_activity_at, id)",
    "CREATE INDEX community_notification_inbox ON community_notification (recipient, read_at)",
]
COMMON_DOWN = [
    "DROP INDEX IF EXISTS community_post_like_pair",
    "DROP INDEX IF EXISTS community_topic_read_pair",
    "DROP INDEX IF EXISTS community_flag_pair",
    "DROP INDEX IF EXISTS community_post_number",
    "DROP INDEX IF EXISTS community_topic_activity",
    "DROP INDEX IF EXISTS community_topic_category_activity",
    "DROP INDEX IF EXISTS community_notification_inbox",
]

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX community_topic_search_trgm "
    "ON community_topic USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX community_post_search_trgm ON community_post USING gin (search_text gin_trgm_ops)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS community_topic_search_trgm",
    "DROP INDEX IF EXISTS community_post_search_trgm",
]


def _sqlite_fts(table: str) -> list[str]:
    fts = f"{table}_fts"
    delete_old = (
        f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text);"
    )
    insert_new = f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text);"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5(search_text, content='{table}', "
        "content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {insert_new} END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {delete_old} END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF search_text ON {table} "
        f"BEGIN {delete_old} {insert_new} END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def _sqlite_fts_down(table: str) -> list[str]:
    fts = f"{table}_fts"
    return [
        f"DROP TRIGGER IF EXISTS {fts}_ai",
        f"DROP TRIGGER IF EXISTS {fts}_ad",
        f"DROP TRIGGER IF EXISTS {fts}_au",
        f"DROP TABLE IF EXISTS {fts}",
    ]


async def _run(statements: list[str]) -> None:
    engine = engine_finder()
    assert engine is not None
    for statement in statements:
        await engine.run_querystring(QueryString(statement))


async def _forwards_raw() -> None:
    engine = engine_finder()
    assert engine is not None
    if engine.engine_type == "postgres":
        await _run(POSTGRES + COMMON)
    else:
        await _run(COMMON + _sqlite_fts("community_topic") + _sqlite_fts("community_post"))


async def _backwards_raw() -> None:
    engine = engine_finder()
    assert engine is not None
    if engine.engine_type == "postgres":
        await _run(POSTGRES_DOWN + COMMON_DOWN)
    else:
        await _run(
            _sqlite_fts_down("community_topic") + _sqlite_fts_down("community_post") + COMMON_DOWN
        )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="community", description=DESCRIPTION)
    manager.add_raw(_forwards_raw)
    manager.add_raw_backwards(_backwards_raw)
    return manager
