"""/healthz: database and Redis reachability, 503 when Redis is down."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from litestar import Litestar

from settings import Settings
from tests.conftest import IS_POSTGRES
from tests.support import free_port


async def test_healthz_ok(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    if IS_POSTGRES:
        assert body["checks"]["redis"] == "ok"
    else:
        assert "redis" not in body["checks"]


@asynccontextmanager
async def started(application: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """The app's lifespan entered and exited in one task (it holds an anyio task group)."""
    ready, stop = asyncio.Event(), asyncio.Event()

    async def serve() -> None:
        async with application.lifespan():
            ready.set()
            await stop.wait()

    task = asyncio.create_task(serve())
    async with asyncio.timeout(30):
        while not ready.is_set():
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
    transport = httpx.ASGITransport(app=application, client=("127.0.0.1", 50000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
            yield c
    finally:
        stop.set()
        await task


async def test_healthz_reports_redis_down(settings: Settings):
    from app import create_app

    # A loopback port nobody listens on: connections are refused at once.
    down = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})
    async with started(create_app(down)) as client:
        response = await client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("error")


async def test_healthz_waits_out_a_busy_database_and_reports_a_lasting_fault(client, monkeypatch):
    """Issue 12: /healthz answered 503 ("OperationalError") in the first seconds of the
    embedded default, when SQLite answers "database is locked" to a new connection while the
    demo load and the jobs write. Busy is retried until the deadline; other errors are not."""
    from core import database

    real_fetch = database.fetch
    answers = iter(["database is locked", "database is busy"])

    async def contended(sql, *args):
        message = next(answers, None)
        if message is not None and sql.startswith("SELECT 1"):
            raise sqlite3.OperationalError(message)
        return await real_fetch(sql, *args)

    monkeypatch.setattr(database, "fetch", contended)
    response = await client.get("/healthz")
    assert response.status_code == 200 and response.json()["checks"]["database"] == "ok"

    async def broken(sql, *args):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(database, "fetch", broken)
    down = await client.get("/healthz")
    assert down.status_code == 503
    assert down.json()["checks"]["database"] == "error: OperationalError"


def test_the_first_start_reports_its_migrations_in_one_line(tmp_path):
    """Issue 12: a fresh database printed "2 migrations already complete", then "2 migrations
    not yet run", per app. The start now says one line; a second start says it is up to date."""
    import os
    import subprocess
    import sys

    from core.settings import ROOT

    script = (
        "import asyncio, logging\n"
        "logging.basicConfig(level=logging.INFO, format='%(name)s: %(message)s')\n"
        "from core import database\n"
        "from settings import get_settings\n"
        "asyncio.run(database.prepare(get_settings()))\n"
    )
    env = {**os.environ, "VAR_DIR": str(tmp_path), "MIGRATE_ON_START": "true"}
    env.pop("DATABASE_URL", None)
    outputs = []
    for _ in range(2):
        done = subprocess.run(  # noqa: S603 - this interpreter, fixed args
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout + done.stderr)
    first, second = outputs
    assert "not yet run" not in first and "already complete" not in first
    assert "core.database: database:" in first and "migrations applied" in first
    assert "core.database: database: up to date" in second
