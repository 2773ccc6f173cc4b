"""The arq worker's composition root: every job and cron of every domain (`domains.DOMAINS`),
run with `arq worker.WorkerSettings` (REDIS_URL and DATABASE_URL set)."""

from __future__ import annotations

from typing import Any

from core import database
from core.jobs import set_backend
from core.queue_backends import ArqBackend, arq_cron_jobs, arq_functions, redis_settings
from core.wiring import Wiring
from domains import DOMAINS
from settings import Settings, get_settings


def worker_settings(settings: Settings, wiring: Wiring) -> type:
    """arq's settings class for a worker running `wiring`'s jobs with `settings`."""

    async def startup(ctx: dict[str, Any]) -> None:
        await database.prepare(settings)
        set_backend(ArqBackend(settings, wiring.jobs, pool=ctx["redis"]))
        ctx["settings"] = settings
        ctx["wiring"] = wiring

    async def shutdown(ctx: dict[str, Any]) -> None:
        set_backend(None)
        await database.close()

    class WorkerSettings:
        functions = arq_functions(settings, wiring.jobs)
        cron_jobs = arq_cron_jobs(wiring.crons)
        redis_settings = redis_settings(settings.redis_url) if settings.redis_url else None
        on_startup = startup
        on_shutdown = shutdown
        max_jobs = 20
        job_timeout = settings.job_timeout_seconds
        keep_result = 0
        poll_delay = 0.2

    return WorkerSettings


# What `arq worker.WorkerSettings` reads: the settings of this process's environment.
WorkerSettings = worker_settings(get_settings(), Wiring.of(DOMAINS))
