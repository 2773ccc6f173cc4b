"""Write transactions: a caller cancelled while it waits for the lock must not keep it.

On SQLite the wait is BEGIN IMMEDIATE in aiosqlite's thread, which a cancellation cannot stop:
before core.database shielded it, the BEGIN later succeeded on a connection nobody closed, and
every writer after it waited out the 30-second busy timeout. On PostgreSQL the wait is the row
lock, and the cancelled query must leave the connection rolled back and back in the pool.
"""

from __future__ import annotations

import asyncio

from core.database import is_postgres, transaction
from core.tables import QueuedJob

KEY = "lock-probe"


async def take_the_lock() -> None:
    """SQLite: BEGIN IMMEDIATE already holds it. PostgreSQL: lock the probe row."""
    if is_postgres():
        await QueuedJob.select(QueuedJob.id).where(QueuedJob.key == KEY).lock_rows("UPDATE")


async def test_a_cancelled_waiter_does_not_keep_the_write_lock(app) -> None:
    await QueuedJob.insert(QueuedJob(key=KEY, name="probe"))
    holding, release = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with transaction():
            await take_the_lock()
            holding.set()
            await release.wait()

    async def wait_then_write() -> None:
        async with transaction():
            await take_the_lock()
            await QueuedJob.update({QueuedJob.attempts: 99}).where(QueuedJob.key == KEY)

    holder = asyncio.create_task(hold())
    await holding.wait()
    waiters = [asyncio.create_task(wait_then_write()) for _ in range(3)]
    await asyncio.sleep(0.3)  # every waiter is now waiting for the lock
    assert not any(w.done() for w in waiters)
    for waiter in waiters:
        waiter.cancel()
    # Kept until the end, as a log record or an error reporter may keep them: their tracebacks
    # hold the waiters' frames, so the lock must not wait for the garbage collector either.
    outcomes = await asyncio.gather(*waiters, return_exceptions=True)
    assert all(isinstance(o, asyncio.CancelledError) for o in outcomes)
    release.set()
    await holder
    await asyncio.sleep(0.5)  # SQLite: the abandoned BEGINs retry and one takes the lock

    # The next writer gets the lock at once, not after a busy timeout.
    async with asyncio.timeout(5):
        async with transaction():
            await take_the_lock()
            await QueuedJob.update({QueuedJob.attempts: 1}).where(QueuedJob.key == KEY)
    rows = await QueuedJob.select(QueuedJob.attempts).where(QueuedJob.key == KEY)
    assert rows == [{"attempts": 1}]  # no cancelled waiter wrote
    assert len(outcomes) == 3
