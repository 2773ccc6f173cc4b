"""/healthz: database and Redis reachability, 503 when Redis is down."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from litestar import Litestar

from core.settings import Settings
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
