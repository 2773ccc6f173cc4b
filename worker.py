"""arq worker: every job and cron of every domain (run `arq worker.WorkerSettings`)."""

from __future__ import annotations

from typing import Any

import community.jobs  # noqa: F401
import core.mail
import core.stores  # noqa: F401 - purge_expired_sessions
import crm.jobs  # noqa: F401 - webhook deliveries, CRM syncs
import engagement.jobs  # noqa: F401 - score recomputes, nightly pass
import events.jobs  # lottery draws, reminders
import events.noshow  # noqa: F401 - no-show marking after events
from core import database
from core.jobs import set_backend
from core.queue_backends import ArqBackend, arq_cron_jobs, arq_functions, redis_settings
from core.settings import get_settings

settings = get_settings()


async def startup(ctx: dict[str, Any]) -> None:
    await database.prepare(settings)
    set_backend(ArqBackend(settings, pool=ctx["redis"]))
    ctx["settings"] = settings


async def shutdown(ctx: dict[str, Any]) -> None:
    set_backend(None)
    await database.close()


class WorkerSettings:
    """Run with `arq worker.WorkerSettings` (REDIS_URL and DATABASE_URL set)."""

    functions = arq_functions(settings)
    cron_jobs = arq_cron_jobs()
    redis_settings = redis_settings(settings.redis_url) if settings.redis_url else None
    on_startup = startup
    on_shutdown = shutdown
    max_jobs = 20
    job_timeout = settings.job_timeout_seconds
    keep_result = 0
    poll_delay = 0.2
