"""Test setup: the environment is fixed here, before the app is imported.

KIZUNA_TEST_BACKEND=sqlite (default): SQLite file + in-process jobs.
KIZUNA_TEST_BACKEND=postgres: PostgreSQL (KIZUNA_TEST_DATABASE_URL) + Redis + a burst arq worker.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

BACKEND = os.environ.get("KIZUNA_TEST_BACKEND", "sqlite")
_VAR = Path(tempfile.mkdtemp(prefix="kizuna-test-"))
os.environ.update(
    ENVIRONMENT="test",
    VAR_DIR=str(_VAR),
    LOAD_DEMO_DATA="false",
    MIGRATE_ON_START="false",
    SECRET_KEY="test-secret-key-not-for-production",
    BASE_URL="http://testserver.local",
    JOB_DEBOUNCE_SECONDS="0.05",  # a burst still costs one recompute; tests need not wait
    # Near-free argon2 (refused outside ENVIRONMENT=test): members are made and signed in
    # thousands of times; tests/accounts/test_signin.py checks the standard profile itself.
    PASSWORD_HASHING="test",
)
for name in ("DATABASE_URL", "REDIS_URL", "SMTP_HOST"):
    os.environ.pop(name, None)
if BACKEND == "postgres":
    os.environ["DATABASE_URL"] = os.environ.get(
        "KIZUNA_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/kizuna_test"
    )
    os.environ["REDIS_URL"] = os.environ.get("KIZUNA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
elif BACKEND != "sqlite":
    raise RuntimeError(f"unknown KIZUNA_TEST_BACKEND {BACKEND!r}")

from collections.abc import AsyncIterator  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402
import pytest  # noqa: E402
from litestar import Litestar  # noqa: E402

from core.security import use_password_hashing  # noqa: E402
from settings import Settings, get_settings  # noqa: E402
from tests.support import FormClient, Mailbox, start_smtp_sink  # noqa: E402

IS_POSTGRES = BACKEND == "postgres"
use_password_hashing("test")  # the factories hash before any app is made


@pytest.fixture(scope="session")
def smtp_sink() -> Any:
    """A real SMTP server on loopback (aiosmtpd) that every test's email goes to."""
    controller, mailbox = start_smtp_sink()
    yield mailbox
    controller.stop()


@pytest.fixture(scope="session")
async def migrated(smtp_sink: Mailbox) -> Settings:
    from core import database

    settings = get_settings()
    if IS_POSTGRES:
        await database.prepare(settings)
        await database.migrate()
        await database.close()
    else:
        await database.migrate()
    return settings


async def fresh_settings(migrated: Settings, smtp_sink: Mailbox, **update: Any) -> Settings:
    """A clean database (and Redis), email to the SMTP sink, and `update` on top."""
    from tests.support import reset_database, reset_redis

    smtp_sink.clear()
    await reset_database()
    if IS_POSTGRES:
        await reset_redis(migrated.redis_url or "")
    fresh = migrated.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_sink.port,
            "signin_limit_per_address": 5,
            "signin_limit_per_ip": 20,
            **update,
        }
    )
    return fresh


@pytest.fixture
async def settings(migrated: Settings, smtp_sink: Mailbox) -> Settings:
    """Fresh settings for one test, with email going to the SMTP sink and a clean database."""
    return await fresh_settings(migrated, smtp_sink)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Litestar]:
    """The app, started (lifespan) in the test's own event loop, so the test and the app share
    the database pool."""
    from tests.support import reused_app, running_app

    async with running_app(settings, application=reused_app(settings)) as application:
        yield application


def _http_client(app: Litestar) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver.local")


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[FormClient]:
    async with _http_client(app) as raw:
        yield FormClient(raw, app)


@pytest.fixture
async def other_client(app: Litestar, client: FormClient) -> AsyncIterator[FormClient]:
    """A second browser against the same running app (different cookies)."""
    async with _http_client(app) as raw:
        yield FormClient(raw, app)


@pytest.fixture
def run_jobs(app: Litestar, settings: Settings) -> Any:
    """Run every queued job to completion: in-process drain, or a burst arq worker on Redis."""

    async def run() -> None:
        if IS_POSTGRES:
            from tests.support import run_arq_burst

            await run_arq_burst(settings, app.state.wiring)
        else:
            await app.state.jobs.drain()

    return run


@pytest.fixture
def receiver() -> Any:
    """A local HTTP server that records webhook deliveries (tests/crm/servers.py)."""
    from tests.crm.servers import WebhookReceiver

    server = WebhookReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(smtp_sink: Mailbox) -> Mailbox:
    return smtp_sink


def link_in(text: str, path: str) -> str:
    """The first link in `text` whose path starts with `path`, as a path+query."""
    match = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"[^\s\"'<>]*)", text)
    assert match, f"no link to {path} in:\n{text}"
    return match.group(1)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Everything under tests/e2e/ drives a browser: mark it so `-m e2e` selects it.

    Tests marked `production_stack` are about PostgreSQL + Redis + arq (Redis outages, row
    locks across connections): the SQLite run deselects them, the PostgreSQL run holds them.
    """
    for item in items:
        if "/tests/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)
    if not IS_POSTGRES:
        kept = [item for item in items if item.get_closest_marker("production_stack") is None]
        if len(kept) != len(items):
            config.hook.pytest_deselected(items=[i for i in items if i not in kept])
            items[:] = kept
