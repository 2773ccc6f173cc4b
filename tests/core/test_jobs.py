"""The durable job queue on both backends: run, dedupe, rerun, retry, failure, sweeper."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from core.database import transaction
from core.jobs import enqueue, get_backend, set_backend, sweep_stale_jobs
from core.tables import QueuedJob
from core.timeutil import utcnow
from core.wiring import Domain
from domains import DOMAINS
from settings import Settings
from tests.support import running_app

# The jobs below run in this process on both backends (the burst arq worker of run_jobs too),
# so a list in the module sees every run. The app of these tests has them as one more domain.
seen_runs: list[tuple[Any, ...]] = []
STARTED = asyncio.Event()
RELEASE = asyncio.Event()


async def note_run(ctx: dict[str, Any], tag: str) -> None:
    seen_runs.append(("note_run", tag, ctx["settings"].base_url))


async def wait_for_release(ctx: dict[str, Any], tag: str) -> None:
    seen_runs.append(("wait_for_release", tag))
    STARTED.set()
    await RELEASE.wait()


async def always_fails(ctx: dict[str, Any], tag: str) -> None:
    seen_runs.append(("always_fails", tag))
    raise RuntimeError(f"boom {tag}")


TEST_JOBS = Domain(name="test-jobs", jobs=(note_run, wait_for_release, always_fails))


class UnreachableBackend:
    """A queue that is down: every push raises, as arq does when Redis is unreachable."""

    def __init__(self, jobs: Any) -> None:
        self.jobs = jobs
        self.debounce_seconds = 0.0

    async def push(self, key: str, name: str, defer_seconds: float) -> None:
        raise ConnectionError("queue unreachable")

    async def ping(self) -> None:
        raise ConnectionError("queue unreachable")

    async def close(self) -> None:
        return None


@pytest.fixture
async def settings(settings: Settings) -> Settings:
    """Two attempts per job, so the failure test reaches the limit after one retry."""
    return settings.model_copy(update={"job_retry_limit": 2})


@pytest.fixture
async def app(settings: Settings) -> Any:
    async with running_app(settings, (*DOMAINS, TEST_JOBS)) as application:
        yield application


@pytest.fixture(autouse=True)
def clean_runs() -> None:
    seen_runs.clear()
    STARTED.clear()
    RELEASE.clear()


async def queued() -> list[dict[str, Any]]:
    return await QueuedJob.select().order_by(QueuedJob.id).output(load_json=True)


async def test_job_enqueued_in_a_transaction_runs_after_commit(app, settings, run_jobs):
    async with transaction():
        key = await enqueue(note_run, "a")
        assert [row["key"] for row in await queued()] == [key]
    await run_jobs()
    assert seen_runs == [("note_run", "a", settings.base_url)]
    assert await queued() == []


async def test_rolled_back_transaction_queues_nothing(app, run_jobs):
    with pytest.raises(RuntimeError):
        async with transaction():
            await enqueue(note_run, "never")
            raise RuntimeError("the cause failed")
    await run_jobs()
    assert seen_runs == []
    assert await queued() == []


async def test_unregistered_function_is_refused(app):
    async def not_a_job(ctx: dict[str, Any]) -> None:
        return None

    with pytest.raises(ValueError, match="not declared"):
        await enqueue(not_a_job)


async def test_same_job_id_runs_once(app, run_jobs):
    # Debounced: the second request joins the first while it waits.
    for _ in range(2):
        async with transaction():
            await enqueue(note_run, "dedupe", job_id="note:dedupe", defer_by=1.0)
    assert len(await queued()) == 1
    await run_jobs()
    assert [tag for _, tag, _ in seen_runs] == ["dedupe"]
    assert await queued() == []


async def test_job_requested_while_running_runs_again(app, run_jobs):
    async with transaction():
        await enqueue(wait_for_release, "x", job_id="wait:x")
    async with asyncio.timeout(60):
        runner = asyncio.create_task(run_jobs())
        await STARTED.wait()
        async with transaction():
            await enqueue(wait_for_release, "x", job_id="wait:x")
        RELEASE.set()
        await runner
    assert seen_runs == [("wait_for_release", "x"), ("wait_for_release", "x")]
    assert await queued() == []


async def test_failing_job_retries_then_is_kept_as_failed(app, settings, run_jobs):
    async with transaction():
        key = await enqueue(always_fails, "f")
    await run_jobs()
    assert seen_runs == [("always_fails", "f")] * settings.job_retry_limit
    [row] = await queued()
    assert row["key"] == key
    assert row["attempts"] == settings.job_retry_limit
    assert row["failed_at"] is not None
    assert "boom f" in row["last_error"]
    # A failed job is left for inspection: the sweeper does not push it again.
    await QueuedJob.update({QueuedJob.run_at: utcnow() - timedelta(hours=1)}).where(
        QueuedJob.key == key
    )
    assert await sweep_stale_jobs({"settings": settings}) == 0


async def test_sweeper_pushes_a_job_whose_push_was_lost(app, settings, run_jobs):
    working = get_backend()
    set_backend(UnreachableBackend(working.jobs))
    try:
        async with transaction():
            key = await enqueue(note_run, "lost")
    finally:
        set_backend(working)
    await run_jobs()
    assert seen_runs == []  # the push failed: nothing ran, but the row is there
    assert [row["key"] for row in await queued()] == [key]

    # Not yet late: the sweeper leaves it alone.
    assert await sweep_stale_jobs({"settings": settings}) == 0
    late = utcnow() - timedelta(seconds=settings.job_stale_after_seconds + 60)
    await QueuedJob.update({QueuedJob.run_at: late}).where(QueuedJob.key == key)
    assert await sweep_stale_jobs({"settings": settings}) == 1
    await run_jobs()
    assert [tag for _, tag, _ in seen_runs] == ["lost"]
    assert await queued() == []
