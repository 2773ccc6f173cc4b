"""Redis stopped while members sign in and post: pages keep working, nothing is lost, and once
Redis is back every email and every score update happens exactly once.

A Redis server of its own (a real redis-server process on a free port) is stopped and started
again by the test; the suite's shared Redis is not touched.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest

from community.tables import Notification
from core.jobs import sweep_stale_jobs
from core.queue_backends import PUSH_RETRY_AFTER_SECONDS
from core.tables import QueuedJob, StoredSession
from engagement.tables import AccountScore, Signal
from settings import Settings
from tests.community.helpers import World, make_topic
from tests.factories import PASSWORD
from tests.support import FormClient, Mailbox, run_arq_burst, running_app

pytestmark = pytest.mark.production_stack

SLOW_SECONDS = 3.0  # a request that waits on a dead Redis connect would take longer


class RedisProcess:
    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        server = shutil.which("redis-server")
        assert server, "redis-server is not installed"
        self.process = subprocess.Popen(  # noqa: S603 - redis-server from PATH, fixed args
            [
                server,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def private_redis() -> Iterator[RedisProcess]:
    redis = RedisProcess()
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


async def _timed(call: Any) -> Any:
    started = time.monotonic()
    response = await call
    elapsed = time.monotonic() - started
    assert elapsed < SLOW_SECONDS, f"a request took {elapsed:.1f}s with Redis down"
    return response


async def test_redis_outage_loses_nothing(
    settings: Settings, private_redis: RedisProcess, mailbox: Mailbox
) -> None:
    import httpx

    config = settings.model_copy(update={"redis_url": private_redis.url})
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public, title="Redis 停止中の質問")

    async with running_app(config) as app:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as raw_bob,
            httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as raw_anna,
        ):
            bob, anna = FormClient(raw_bob, app), FormClient(raw_anna, app)
            await bob.login(world.bob.email, PASSWORD)
            # On PostgreSQL the session lives in the database, not in Redis.
            assert await StoredSession.count() == 1

            private_redis.stop()

            # Signing in, reading and posting all keep working.
            response = await _timed(
                anna.post_form("/login", {"email": world.anna.email, "password": PASSWORD})
            )
            assert response.status_code == 303, response.text
            assert (await _timed(bob.get(f"/community/t/{topic_id}"))).status_code == 200
            for n in range(3):
                response = await _timed(
                    bob.post_form(
                        f"/community/t/{topic_id}/reply",
                        {"body": f"停止中の返信 {n}: 設定を見直してください。"},
                    )
                )
                assert response.status_code == 303, response.text
            response = await _timed(
                anna.post_form(
                    "/community/new",
                    {
                        "category_id": str(world.public.id),
                        "kind": "discussion",
                        "title": "停止中に立てたトピック",
                        "body": "Redis が止まっていても書けます。",
                    },
                )
            )
            assert response.status_code == 303, response.text
            assert (await _timed(anna.get("/community/"))).status_code == 200

        # Nothing ran: the work waits in the job table.
        assert await QueuedJob.count() > 0
        assert mailbox.to(world.alice.email) == []

        private_redis.start()
        # The app's breaker skips Redis for a few seconds after a failure; then the sweeper
        # (a cron each minute in the worker) pushes what was never pushed.
        await asyncio.sleep(PUSH_RETRY_AFTER_SECONDS + 0.5)
        swept = await sweep_stale_jobs(
            {"settings": config.model_copy(update={"job_stale_after_seconds": 0})}
        )
        assert swept > 0
        await run_arq_burst(config)

        notifications = await Notification.select().where(Notification.recipient == world.alice.id)
        assert len(notifications) == 3
        assert all(row["emailed_at"] is not None for row in notifications)
        assert len(mailbox.to(world.alice.email)) == 3
        assert await QueuedJob.count() == 0
        scored = {row["account"] for row in await AccountScore.select(AccountScore.account)}
        assert {world.account_a.id, world.account_b.id} <= scored
        replies = await Signal.count().where(
            (Signal.kind == "reply_created") & (Signal.account == world.account_b.id)
        )
        assert replies == 3

        # Running the sweeper and a worker again changes nothing: each effect happened once.
        before = await AccountScore.select(AccountScore.account, AccountScore.computed_at)
        await sweep_stale_jobs(
            {"settings": config.model_copy(update={"job_stale_after_seconds": 0})}
        )
        await run_arq_burst(config)
        assert len(mailbox.to(world.alice.email)) == 3
        assert await AccountScore.select(AccountScore.account, AccountScore.computed_at) == before
