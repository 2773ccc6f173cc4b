"""Composition root: `create_app(settings)` builds the Litestar app; `python app.py` serves it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.logging import LoggingConfig
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.stores.redis import RedisStore
from litestar.stores.registry import StoreRegistry

from accounts.middleware import CurrentMemberMiddleware, ViewerOfRouterErrors
from core import database, i18n, openapi
from core.allow import AllowHeader
from core.api_tokens import TokenAwareCSRFMiddleware
from core.errors import EXCEPTION_HANDLERS
from core.jobs import set_backend
from core.nul import refuse_nul
from core.queue_backends import ArqBackend, InProcessBackend
from core.ratelimit import RateLimiter, WriteRateLimitMiddleware
from core.security import use_password_hashing
from core.security_headers import SecurityHeaders
from core.sessions import SessionConfig
from core.stores import DatabaseStore
from core.templating import template_config
from core.web import page_handlers_answering_json
from core.wiring import Domain, Wiring
from crm.pull.auth import SESSION_COOKIE, BearerTokenMiddleware
from domains import DOMAINS
from engagement.visits import DailyVisitMiddleware
from settings import Settings, get_settings

log = logging.getLogger("kizuna")

CSRF_COOKIE = "kizuna_csrf"  # Piccolo Admin's "csrftoken" must not collide with ours


def create_app(settings: Settings | None = None, domains: Sequence[Domain] = DOMAINS) -> Litestar:
    """The whole application for `settings` (read from the environment when omitted): every
    domain of `domains` (`domains.DOMAINS`), its routes, plugins, jobs and crons."""
    settings = settings or get_settings()
    use_password_hashing(settings.password_hashing)
    i18n.load_catalogs()
    wiring = Wiring.of(domains)
    redis_client = _redis_client(settings)
    limiter = RateLimiter(redis_client)
    session_config = _session_config(settings)
    app = Litestar(
        route_handlers=wiring.routes,
        lifespan=[_lifespan(settings, wiring, redis_client)],
        before_send=[SecurityHeaders(settings), AllowHeader()],
        before_request=refuse_nul,
        after_exception=[ViewerOfRouterErrors(settings, session_config)],
        plugins=wiring.plugins,
        dependencies={
            "settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False),
            "limiter": Provide(lambda: limiter, use_cache=True, sync_to_thread=False),
        },
        middleware=[
            session_config.middleware,
            CurrentMemberMiddleware(settings),
            BearerTokenMiddleware(settings, limiter),
            WriteRateLimitMiddleware(settings, limiter),
            DailyVisitMiddleware(settings),
            # Litestar's CSRF check (not its csrf_config, which would run it before the token
            # is known): last, so that a request a valid token made skips it.
            DefineMiddleware(TokenAwareCSRFMiddleware, config=_csrf_config(settings)),
        ],
        stores=_stores(settings, redis_client),
        template_config=template_config(),
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=_openapi_config(),
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024),
        request_max_body_size=settings.max_request_body_bytes,
        logging_config=_logging_config(),
        debug=False,
    )
    openapi.install(app)
    _refuse_untyped_pages(app)
    app.state.settings = settings
    app.state.limiter = limiter
    app.state.wiring = wiring
    return app


def _lifespan(
    settings: Settings, wiring: Wiring, redis_client: Any
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """Database, job backend (arq on Redis, else in-process with its crons), the demo data."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await database.prepare(settings)
        jobs_ctx: dict[str, Any] = {"settings": settings, "wiring": wiring}
        if settings.uses_redis:
            backend: Any = ArqBackend(settings, wiring.jobs)
        else:
            backend = InProcessBackend(settings, jobs_ctx, wiring.jobs, wiring.crons)
        set_backend(backend)
        app.state.jobs = backend
        # Never in production: the demo logins share a password printed in the README.
        if settings.load_demo_data and settings.environment != "production":
            async with database.startup_lock(settings):
                await _load_demo(settings, wiring)
        if isinstance(backend, InProcessBackend) and settings.environment != "test":
            backend.start_crons()
        try:
            yield
        finally:
            await backend.close()
            set_backend(None)
            if redis_client is not None:
                await redis_client.aclose()
            await database.close()

    return lifespan


async def _load_demo(settings: Settings, wiring: Wiring) -> None:
    """Each domain's demo data in the domains' order, until one says it is already there."""
    for load in wiring.demo_loaders:
        if await load(settings) is False:
            return


def _refuse_untyped_pages(app: Litestar) -> None:
    faults = page_handlers_answering_json(app)
    if faults:
        raise RuntimeError("page handlers must not return Any: " + "; ".join(faults))


def _csrf_config(settings: Settings) -> CSRFConfig:
    return CSRFConfig(
        secret=settings.resolved_secret_key(),
        cookie_name=CSRF_COOKIE,
        header_name="x-csrf-token",
        cookie_secure=settings.cookie_secure,
        cookie_samesite="lax",
    )


def _openapi_config() -> OpenAPIConfig:
    # One per app: plugins add their security schemes to it (crm.cli.CrmPlugin).
    return OpenAPIConfig(
        title="Kizuna API", version="1.0.0", path="/schema", render_plugins=[SwaggerRenderPlugin()]
    )


def _logging_config() -> LoggingConfig:
    return LoggingConfig(
        root={"level": "INFO", "handlers": ["queue_listener"]},
        log_exceptions="debug",
        disable_stack_trace={404, 401, 403, 400, 409, 429},
    )


def _session_config(settings: Settings) -> SessionConfig:
    return SessionConfig(
        key=SESSION_COOKIE,
        store="sessions",
        max_age=settings.session_max_age_seconds,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )


def _stores(settings: Settings, redis_client: Any) -> StoreRegistry:
    (settings.var_dir / "store").mkdir(parents=True, exist_ok=True)

    def store_for(name: str) -> Store:
        # Sessions stay in the database on PostgreSQL: a Redis outage must not sign anyone out.
        if name == "sessions" and settings.database_url:
            return DatabaseStore(f"kizuna:{name}")
        if redis_client is not None:
            return RedisStore(redis_client, namespace=f"kizuna:{name}")
        return FileStore(settings.var_dir / "store" / name, create_directories=True)

    return StoreRegistry(default_factory=store_for)


def _redis_client(settings: Settings) -> Any:
    if not settings.redis_url:
        return None
    from redis.asyncio import Redis

    return Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=5)


def main(argv: list[str] | None = None) -> None:
    """`python app.py [--host H] [--port P]`: serve the app (HOST and PORT by default)."""
    import argparse

    import uvicorn

    settings = get_settings()
    parser = argparse.ArgumentParser(description="Serve Kizuna (the embedded default: SQLite).")
    parser.add_argument("--host", default=settings.host, help=f"default {settings.host} (HOST)")
    parser.add_argument(
        "--port", type=int, default=settings.port, help=f"default {settings.port} (PORT)"
    )
    args = parser.parse_args(argv)
    uvicorn.run(
        "app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        log_level="info",
        proxy_headers=False,
    )


if __name__ == "__main__":
    main()
