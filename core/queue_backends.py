"""Where queued jobs run: arq workers on Redis, or an in-process runner for the embedded default."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any

from arq import Retry, create_pool
from arq.connections import ArqRedis, RedisSettings
from arq.cron import CronJob
from arq.cron import cron as arq_cron
from arq.worker import Function, func

from core.jobs import Cron, JobFunction, run_queued_job
from core.settings import CoreSettings
from core.timeutil import utcnow

log = logging.getLogger(__name__)

PUSH_RETRY_AFTER_SECONDS = 3.0


def redis_settings(url: str) -> RedisSettings:
    settings = RedisSettings.from_dsn(url)
    # Fail fast when Redis is down: the job row stays and the sweeper pushes it later.
    settings.conn_timeout = 2
    settings.conn_retries = 0
    return settings


class ArqBackend:
    """Pushes job keys to arq; `arq worker.WorkerSettings` runs them."""

    def __init__(
        self, settings: CoreSettings, jobs: Mapping[str, JobFunction], pool: ArqRedis | None = None
    ) -> None:
        assert settings.redis_url
        self._settings = settings
        self.jobs = jobs
        self._pool = pool
        self._owns_pool = pool is None
        self._down_until = 0.0

    @property
    def debounce_seconds(self) -> float:
        return self._settings.job_debounce_seconds

    async def pool(self) -> ArqRedis:
        if self._pool is None:
            self._pool = await create_pool(redis_settings(self._settings.redis_url or ""))
        return self._pool

    async def push(self, key: str, name: str, defer_seconds: float) -> None:
        # After a failure, skip Redis for a few seconds instead of making every request wait
        # for a connect timeout: the job row is already committed and the sweeper pushes it.
        if time.monotonic() < self._down_until:
            raise ConnectionError("Redis was unreachable moments ago")
        try:
            pool = await self.pool()
            await pool.enqueue_job(name, key, _job_id=key, _defer_by=defer_seconds or None)
        except Exception:
            self._down_until = time.monotonic() + PUSH_RETRY_AFTER_SECONDS
            raise

    async def ping(self) -> None:
        pool = await self.pool()
        await asyncio.wait_for(pool.ping(), timeout=2)

    async def close(self) -> None:
        if self._pool is not None and self._owns_pool:
            await self._pool.aclose()
        self._pool = None


def arq_functions(settings: CoreSettings, jobs: Mapping[str, JobFunction]) -> list[Function]:
    """One arq function per job; each runs the durable job row it is given."""

    def entry_for(name: str) -> Any:
        async def entry(ctx: dict[str, Any], key: str) -> None:
            outcome = await run_queued_job(
                ctx, key, jobs=jobs, retry_limit=settings.job_retry_limit
            )
            if outcome.again_in is not None:
                raise Retry(defer=outcome.again_in)

        entry.__qualname__ = entry.__name__ = name
        return entry

    return [
        func(entry_for(name), name=name, keep_result=0, max_tries=100_000) for name in sorted(jobs)
    ]


def arq_cron_jobs(crons: Sequence[Cron]) -> list[CronJob]:
    return [
        arq_cron(
            spec.function,  # type: ignore[arg-type]
            name=f"cron:{spec.job_name}",
            hour=set(spec.hour) if spec.hour is not None else None,
            minute=set(spec.minute) if spec.minute is not None else None,
            second=spec.second,
            unique=True,
            run_at_startup=False,
        )
        for spec in crons
    ]


class InProcessBackend:
    """Runs jobs as asyncio tasks in this process (embedded default and SQLite tests)."""

    def __init__(
        self,
        settings: CoreSettings,
        ctx: dict[str, Any],
        jobs: Mapping[str, JobFunction],
        crons: Sequence[Cron] = (),
    ) -> None:
        self._settings = settings
        self._ctx = ctx
        self.jobs = jobs
        self._crons = tuple(crons)
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._cron_task: asyncio.Task[None] | None = None

    @property
    def debounce_seconds(self) -> float:
        return self._settings.job_debounce_seconds

    async def push(self, key: str, name: str, defer_seconds: float) -> None:
        if key in self._tasks:
            return  # waiting or running; a request made meanwhile is seen by run_queued_job
        self._tasks[key] = asyncio.get_running_loop().create_task(self._run(key, defer_seconds))

    async def _run(self, key: str, delay: float) -> None:
        try:
            while True:
                if delay > 0:
                    await asyncio.sleep(delay)
                outcome = await run_queued_job(
                    self._ctx, key, jobs=self.jobs, retry_limit=self._settings.job_retry_limit
                )
                if outcome.again_in is None:
                    return
                delay = outcome.again_in
        except Exception:
            log.exception("in-process job %s crashed", key)
        finally:
            self._tasks.pop(key, None)

    async def drain(self, within: float = 60) -> None:
        """Wait until every pushed job (and the jobs they push) has finished."""
        async with asyncio.timeout(within):
            while self._tasks:
                await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    def start_crons(self) -> None:
        self._cron_task = asyncio.get_running_loop().create_task(self._cron_loop())

    async def _cron_loop(self) -> None:
        last_minute = None
        while True:
            await asyncio.sleep(1)
            now = utcnow()
            minute = now.replace(second=0, microsecond=0)
            if minute == last_minute:
                continue
            last_minute = minute
            for spec in self._crons:
                if _cron_due(spec, now.hour, now.minute):
                    try:
                        await spec.function(self._ctx)
                    except Exception:
                        log.exception("cron %s failed", spec.job_name)

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        if self._cron_task is not None:
            self._cron_task.cancel()
        for task in list(self._tasks.values()):
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)


def _cron_due(spec: Cron, hour: int, minute: int) -> bool:
    return (spec.hour is None or hour in spec.hour) and (
        spec.minute is None or minute in spec.minute
    )
