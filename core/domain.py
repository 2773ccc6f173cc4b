"""What the kernel brings to every app: health, the favicon, static files, the outbox's
delivery job, and the sweeps that keep the job queue and the session store clean."""

from __future__ import annotations

from litestar.static_files import create_static_files_router

from core.health import HealthController, favicon
from core.jobs import cron, sweep_stale_jobs
from core.mail import deliver_email
from core.settings import ROOT
from core.stores import purge_expired_sessions
from core.wiring import Domain

STATIC = create_static_files_router(
    path="/static",
    directories=[ROOT / "static"],
    include_in_schema=False,
    send_as_attachment=False,
)

DOMAIN = Domain(
    name="core",
    routes=(HealthController, favicon, STATIC),
    jobs=(deliver_email, purge_expired_sessions),
    crons=(
        cron(sweep_stale_jobs, minute=set(range(60))),
        cron(purge_expired_sessions, minute={17}),
    ),
)
