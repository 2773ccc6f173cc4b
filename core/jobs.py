"""The job queue facade: `enqueue` writes a durable job row, a backend (arq or in-process) runs it.

Every job is a row in `core_job` written in the caller's transaction, then pushed to the
backend after commit. The row is deleted only when the job finishes, so a failed push, a
stopped Redis or a killed worker loses nothing: the sweeper cron pushes late rows again.
Jobs must be idempotent (they take ids and re-read state), since a push may run twice.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol
from uuid import uuid4

from core.database import on_commit
from core.tables import QueuedJob
from core.timeutil import utcnow

log = logging.getLogger(__name__)

JobFunction = Callable[..., Awaitable[Any]]
"""`async def name(ctx, *ids)`: a job runs by its function's name, which must be unique."""


@dataclass(frozen=True)
class Cron:
    """A periodic job: runs at the given minutes/hours (UTC); None means every."""

    function: JobFunction
    hour: frozenset[int] | None = None
    minute: frozenset[int] | None = None
    second: int = 0
    name: str = field(default="")

    @property
    def job_name(self) -> str:
        return self.name or self.function.__name__


def cron(
    function: JobFunction, *, hour: set[int] | None = None, minute: set[int] | None = None
) -> Cron:
    """The schedule a domain declares in its `Domain.crons` (core.wiring)."""
    return Cron(
        function,
        hour=frozenset(hour) if hour is not None else None,
        minute=frozenset(minute) if minute is not None else None,
    )


class Backend(Protocol):
    """Runs the job functions it was built with (`jobs`: every domain's, core.wiring)."""

    @property
    def jobs(self) -> Mapping[str, JobFunction]: ...

    @property
    def debounce_seconds(self) -> float: ...

    async def push(self, key: str, name: str, defer_seconds: float) -> None: ...

    async def close(self) -> None: ...

    async def ping(self) -> None: ...


_backend: Backend | None = None


def set_backend(backend: Backend | None) -> None:
    global _backend
    _backend = backend


def get_backend() -> Backend:
    if _backend is None:
        raise RuntimeError("the job backend is not configured (core.jobs.set_backend)")
    return _backend


async def enqueue(
    function: JobFunction,
    *args: Any,
    job_id: str | None = None,
    defer_by: float | timedelta | None = None,
    debounce: bool = False,
) -> str:
    """Ask for `function(ctx, *args)` to run once, after the current transaction commits.

    With `job_id`, requests are deduplicated: while a job of that id waits, further requests
    join it; a request made while it runs makes it run once more. `debounce` defers it by the
    backend's JOB_DEBOUNCE_SECONDS (instead of `defer_by`), so a burst of requests is one run.
    """
    name = function.__name__
    if _backend is not None and _backend.jobs.get(name) is not function:
        raise ValueError(f"job {name!r} is not declared in any domain's jobs (core.wiring)")
    key = job_id or f"{name}:{uuid4().hex}"
    if debounce:
        defer_by = _backend.debounce_seconds if _backend is not None else 0.0
    delay = defer_by.total_seconds() if isinstance(defer_by, timedelta) else float(defer_by or 0)
    now = utcnow()
    row = QueuedJob(
        key=key,
        name=name,
        args=list(args),
        run_at=now + timedelta(seconds=delay),
        requested_at=now,
    )
    await QueuedJob.insert(row).on_conflict(
        target=QueuedJob.key,
        action="DO UPDATE",
        values=[QueuedJob.requested_at, QueuedJob.args],
    )

    async def push() -> None:
        try:
            await get_backend().push(key, name, delay)
        except Exception:
            # The row stays; the sweeper pushes it again when the backend is back.
            log.warning("could not push job %s; the sweeper will retry", key, exc_info=True)

    await on_commit(push)
    return key


@dataclass
class RunOutcome:
    """What the backend should do after a run: nothing, or run again after `again_in` s."""

    again_in: float | None = None


async def run_queued_job(
    ctx: dict[str, Any], key: str, *, jobs: Mapping[str, JobFunction], retry_limit: int
) -> RunOutcome:
    """Run the job row `key` once with its function from `jobs`; delete the row when done,
    unless it was asked for again meanwhile."""
    row = await QueuedJob.objects().where(QueuedJob.key == key).output(load_json=True).first()
    if row is None or row.failed_at is not None:
        return RunOutcome()
    function = jobs.get(row.name)
    if function is None:
        log.error("job %s names unknown function %s", key, row.name)
        return RunOutcome()
    started = utcnow()
    attempts = row.attempts + 1
    await QueuedJob.update({QueuedJob.attempts: attempts}).where(QueuedJob.key == key)
    try:
        await function(ctx, *row.args)
    except Exception as exc:
        log.exception("job %s failed (attempt %s)", key, attempts)
        if attempts >= retry_limit:
            await QueuedJob.update(
                {QueuedJob.last_error: repr(exc)[:2000], QueuedJob.failed_at: utcnow()}
            ).where(QueuedJob.key == key)
            return RunOutcome()
        delay = min(3600.0, 2.0**attempts) * (0.5 + random.random())
        await QueuedJob.update(
            {
                QueuedJob.last_error: repr(exc)[:2000],
                QueuedJob.run_at: utcnow() + timedelta(seconds=delay),
            }
        ).where(QueuedJob.key == key)
        return RunOutcome(again_in=delay)
    await QueuedJob.delete().where((QueuedJob.key == key) & (QueuedJob.requested_at <= started))
    if await QueuedJob.exists().where(QueuedJob.key == key):
        # Asked for again while running: the new request must see this run's successor.
        await QueuedJob.update({QueuedJob.attempts: 0}).where(QueuedJob.key == key)
        return RunOutcome(again_in=0.0)
    return RunOutcome()


async def sweep_stale_jobs(ctx: dict[str, Any]) -> int:
    """Push again every job that should have finished by now (lost push, dead worker)."""
    settings = ctx["settings"]
    cutoff = utcnow() - timedelta(seconds=settings.job_stale_after_seconds)
    rows = await (
        QueuedJob.select(QueuedJob.key, QueuedJob.name)
        .where((QueuedJob.run_at < cutoff) & QueuedJob.failed_at.is_null())
        .limit(1000)
    )
    backend = get_backend()
    pushed = 0
    for row in rows:
        try:
            await backend.push(row["key"], row["name"], 0)
        except Exception:
            log.warning("sweeper: the queue does not answer; next sweep retries", exc_info=True)
            break
        await QueuedJob.update({QueuedJob.run_at: utcnow()}).where(QueuedJob.key == row["key"])
        pushed += 1
    return pushed
