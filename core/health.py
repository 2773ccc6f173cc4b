"""/healthz: is the database reachable, and Redis when configured."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.response import Redirect

from core import database
from core.jobs import get_backend
from core.settings import CoreSettings


@get("/favicon.ico", include_in_schema=False, cache=86400)
async def favicon() -> Redirect:
    """Browsers ask for /favicon.ico whatever the page says: the icon is /static/favicon.svg."""
    return Redirect("/static/favicon.svg", status_code=301)


class HealthController(Controller):
    path = "/healthz"

    @get(exclude_from_auth=True, cache=False, include_in_schema=True, tags=["health"])
    async def healthz(self, settings: NamedDependency[CoreSettings]) -> Response[dict[str, Any]]:
        """Reachability of the database and Redis; 503 when one is down."""
        checks: dict[str, str] = {}
        try:
            await asyncio.wait_for(database.ping(deadline=3), timeout=4)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"error: {type(exc).__name__}"
        if settings.uses_redis:
            try:
                await asyncio.wait_for(get_backend().ping(), timeout=3)
                checks["redis"] = "ok"
            except Exception as exc:
                checks["redis"] = f"error: {type(exc).__name__}"
        healthy = all(value == "ok" for value in checks.values())
        return Response(
            {"status": "ok" if healthy else "unavailable", "checks": checks},
            status_code=200 if healthy else 503,
            headers={} if healthy else {"Retry-After": "5"},
        )
