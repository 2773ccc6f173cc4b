"""A worker killed (SIGKILL) in the middle of a job: the job runs again on another worker and its
effect happens once.

The job is the notification email: it claims the notification and writes the email to the
outbox in one transaction. The test holds a lock on the outbox table so the first worker stops
inside that transaction, kills the worker there, and lets a second worker take over.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar import Litestar

from community.tables import Notification
from core.tables import OutboundEmail, QueuedJob
from settings import Settings
from tests.community.helpers import World, make_reply, make_topic
from tests.support import Mailbox

pytestmark = pytest.mark.production_stack

ROOT = Path(__file__).resolve().parents[2]


def start_worker(settings: Settings, mailbox: Mailbox) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url or "",
        "REDIS_URL": settings.redis_url or "",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mailbox.port),
        "ENVIRONMENT": "test",
        "SECRET_KEY": "test-secret-key-not-for-production",
        "VAR_DIR": tempfile.mkdtemp(prefix="kizuna-worker-"),
        "JOB_TIMEOUT_SECONDS": "3",  # a dead worker's job is taken over 13 s later
    }
    return subprocess.Popen(
        [sys.executable, "-m", "arq", "worker.WorkerSettings"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def wait_for(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not await predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.2)


async def test_killed_worker_job_runs_again_once(
    app: Litestar, settings: Settings, mailbox: Mailbox
) -> None:
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public)
    await make_reply(world.bob, topic_id)  # notifies alice: an email_notification job

    locker = await asyncpg.connect(settings.database_url)
    lock = locker.transaction()
    await lock.start()
    await locker.execute("LOCK TABLE core_email IN EXCLUSIVE MODE")
    first = start_worker(settings, mailbox)
    try:

        async def blocked_on_outbox() -> bool:
            await locker.execute("SELECT pg_stat_clear_snapshot()")  # stats are per transaction
            return bool(
                await locker.fetchval(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND query ILIKE '%core_email%'"
                )
            )

        await wait_for(blocked_on_outbox, 30, "the worker to reach the outbox insert")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
        await lock.rollback()
        await locker.close()

    async def claim_undone() -> bool:
        rows = await Notification.select(Notification.emailed_at)
        return all(row["emailed_at"] is None for row in rows)

    # The killed worker's transaction never commits: the claim is undone, nothing was written.
    await wait_for(claim_undone, 10, "the dead worker's transaction to roll back")
    assert await OutboundEmail.count() == 0

    second = start_worker(settings, mailbox)
    try:

        async def delivered() -> bool:
            return len(mailbox.to(world.alice.email)) >= 1 and await QueuedJob.count() == 0

        await wait_for(delivered, 60, "the second worker to run the job again")
        await asyncio.sleep(2)  # any duplicate would arrive now
    finally:
        second.terminate()
        second.wait(timeout=20)

    assert len(mailbox.to(world.alice.email)) == 1
    assert await OutboundEmail.count().where(OutboundEmail.to_address == world.alice.email) == 1
    rows = await Notification.select(Notification.emailed_at)
    assert len(rows) == 1 and rows[0]["emailed_at"] is not None
