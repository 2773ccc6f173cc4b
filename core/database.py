"""The database engine (SQLite or PostgreSQL), transactions with after-commit hooks, migrations."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import io
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from core.settings import CoreSettings

log = logging.getLogger(__name__)

AfterCommit = Callable[[], Awaitable[None]]
_after_commit: ContextVar[list[AfterCommit] | None] = ContextVar(
    "kizuna_after_commit", default=None
)


def create_engine(settings: CoreSettings) -> Engine:
    """PostgreSQL when DATABASE_URL is set, else the SQLite file under VAR_DIR."""
    if settings.database_url:
        return PostgresEngine(
            config={
                "dsn": settings.database_url,
                "command_timeout": settings.db_command_timeout_seconds,
            },
            extensions=("pg_trgm",),
            log_queries=False,
        )
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    # timeout is sqlite3's busy timeout: writers queue instead of failing under contention.
    return SQLiteEngine(path=str(settings.sqlite_path), timeout=30)


def get_engine() -> Engine:
    """The engine configured in piccolo_conf (the one every table uses)."""
    engine = engine_finder()
    if engine is None:
        raise RuntimeError("piccolo_conf.DB is not configured")
    return engine


def is_postgres(engine: Engine | None = None) -> bool:
    return isinstance(engine or get_engine(), PostgresEngine)


@asynccontextmanager
async def transaction() -> AsyncIterator[None]:
    """One write transaction; work registered with `on_commit` runs after it commits.

    SQLite takes the write lock at BEGIN (IMMEDIATE), so a read-count-write inside cannot
    race another writer; PostgreSQL callers lock rows explicitly (`lock_rows`). Nested
    calls join the outer transaction.
    """
    if _after_commit.get() is not None:
        yield
        return
    engine = get_engine()
    callbacks: list[AfterCommit] = []
    token = _after_commit.set(callbacks)
    try:
        if isinstance(engine, SQLiteEngine):
            async with _sqlite_write_transaction(engine):
                yield
        else:
            async with engine.transaction():
                yield
    finally:
        _after_commit.reset(token)
    for callback in callbacks:
        try:
            await callback()
        except Exception:
            # The change is committed; anything after it must be repairable (job sweeper).
            log.exception("after-commit callback failed")


_abandoned: set[asyncio.Task[None]] = set()


@asynccontextmanager
async def _sqlite_write_transaction(engine: SQLiteEngine) -> AsyncIterator[None]:
    """Piccolo's SQLite transaction, entered so that cancelling the caller cannot leak the lock.

    BEGIN IMMEDIATE waits for the write lock in aiosqlite's thread (up to the busy timeout).
    Cancelling the caller meanwhile does not stop that thread: BEGIN later succeeds on a
    connection nobody will commit, roll back or close, and every writer then waits out its busy
    timeout (seen at app shutdown as 30-second stalls, and as "database is locked" after). So
    the BEGIN runs shielded, and a cancelled caller leaves a task behind that rolls back and
    closes the connection once BEGIN is done.
    """
    tx = engine.transaction(transaction_type=TransactionType.immediate)
    if engine.current_transaction.get() is not None:  # inside Piccolo's own transaction
        async with tx:
            yield
        return

    async def begin() -> None:
        tx.connection = await tx.get_connection()
        await tx.begin()

    beginning = asyncio.ensure_future(begin())
    try:
        await asyncio.shield(beginning)
    except asyncio.CancelledError:
        cleanup = asyncio.ensure_future(_give_back(tx, beginning))
        _abandoned.add(cleanup)
        cleanup.add_done_callback(_abandoned.discard)
        raise
    tx.context = engine.current_transaction.set(tx)
    try:
        yield
    except BaseException as exc:
        await tx.__aexit__(type(exc), exc, exc.__traceback__)
        raise
    await tx.__aexit__(None, None, None)


async def _give_back(tx: Any, beginning: asyncio.Future[None]) -> None:
    """Roll back and close the connection of a BEGIN whose caller was cancelled."""
    try:
        await beginning
        await tx.rollback()
    except BaseException:  # the BEGIN failed (busy timeout): nothing to roll back
        log.debug("abandoned BEGIN did not take the lock", exc_info=True)
    finally:
        connection = getattr(tx, "connection", None)
        if connection is not None:
            await connection.close()


async def on_commit(callback: AfterCommit) -> None:
    """Run `callback` once the current transaction commits (now, outside one)."""
    callbacks = _after_commit.get()
    if callbacks is None:
        await callback()
    else:
        callbacks.append(callback)


async def fetch(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Run a raw query with positional `{}` placeholders (Piccolo's QueryString style)."""
    from piccolo.querystring import QueryString

    rows = await get_engine().run_querystring(QueryString(sql, *args))
    # asyncpg gives Records, sqlite dicts: callers always get dicts.
    return [dict(row) for row in rows]


BUSY_WORDS = ("locked", "busy")


async def ping(deadline: float = 3.0) -> None:
    """Raise unless the database answers within `deadline` seconds.

    SQLite answers "database is locked" / "busy" at once (no busy wait) to a connection that
    opens while another one resets the WAL or checkpoints — in the first seconds of the embedded
    default, the demo load and the in-process jobs write at the same time. That is contention,
    not an outage: the ping retries it until the deadline, and fails only if it lasts.
    """
    loop = asyncio.get_running_loop()
    until = loop.time() + deadline
    delay = 0.02
    while True:
        try:
            await fetch("SELECT 1 AS ok")
            return
        except Exception as exc:
            busy = any(word in str(exc).lower() for word in BUSY_WORDS)
            if not busy or loop.time() + delay > until:
                raise
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.5)


async def prepare(settings: CoreSettings) -> None:
    """Per-process start: SQLite pragmas or the PostgreSQL pool, then migrations if asked."""
    engine = get_engine()
    if isinstance(engine, SQLiteEngine):
        await fetch("PRAGMA journal_mode=WAL")
    else:
        assert isinstance(engine, PostgresEngine)
        await engine.start_connection_pool(min_size=1, max_size=settings.db_pool_max_size)
    if settings.should_migrate_on_start:
        async with startup_lock(settings):
            await migrate()


@asynccontextmanager
async def startup_lock(settings: CoreSettings) -> AsyncIterator[None]:
    """One process at a time: app processes started together (`--workers N`) would otherwise
    run the same migrations (or load the demo data) at once and fail on "already exists"."""
    if settings.database_url:
        import asyncpg

        connection = await asyncpg.connect(settings.database_url)
        try:
            await connection.execute("SELECT pg_advisory_lock(hashtext('kizuna:startup'))")
            yield
        finally:
            await connection.close()  # ends the session, which releases the lock
        return
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    with (settings.var_dir / "startup.lock").open("w") as handle:
        await asyncio.to_thread(fcntl.flock, handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


async def close() -> None:
    engine = get_engine()
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()


async def migrate() -> int:
    """Apply every pending migration of every app, in dependency order; returns how many.

    Piccolo prints a report per app ("2 migrations already complete", then "2 not yet run" on
    a fresh database: its count includes the ones of other apps). The start says one line
    instead; on failure Piccolo's report is logged whole.
    """
    from piccolo.apps.migrations.commands.forwards import run_forwards

    report = io.StringIO()
    with contextlib.redirect_stdout(report):
        result = await run_forwards("all")
    if not result.success:
        log.error("migration report:\n%s", report.getvalue())
        raise RuntimeError(f"migrations failed: {result.message}")
    applied = report.getvalue().count("[forwards]... ok")
    if applied:
        log.info("database: %s migrations applied", applied)
    else:
        log.info("database: up to date")
    return applied


async def insert_rows(
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    returning: Sequence[str] = (),
    conflict: str = "",
    casts: Mapping[str, str] | None = None,
    chunk: int = 500,
) -> list[dict[str, Any]]:
    """Insert many rows in statements of `chunk` rows, without building an ORM object per row
    (what a bulk write of thousands of rows spends its time on); `conflict` is an
    `ON CONFLICT …` clause, `casts` PostgreSQL casts by column (e.g. {"params": "jsonb"}).
    Returns the `returning` columns of the inserted rows."""
    casts = casts if is_postgres() and casts else {}
    slots = ", ".join("{}" + (f"::{casts[c]}" if c in casts else "") for c in columns)
    head = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES '  # noqa: S608 - names from code
    tail = (f" {conflict}" if conflict else "") + (
        f" RETURNING {', '.join(returning)}" if returning else ""
    )
    found: list[dict[str, Any]] = []
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        sql = head + ", ".join(f"({slots})" for _ in part) + tail
        found += await fetch(sql, *[value for row in part for value in row])
    return found
