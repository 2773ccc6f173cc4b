"""Test helpers: a form-posting client with CSRF, the SMTP sink, database reset, arq burst."""

from __future__ import annotations

import contextlib
import email
import email.message
import socket
import threading
from email.message import Message
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from litestar import Litestar

CSRF_COOKIE = "kizuna_csrf"


class FormClient:
    """An HTTP client that behaves like a browser for forms: it sends the CSRF token."""

    def __init__(self, raw: httpx.AsyncClient, app: Litestar) -> None:
        self.raw = raw
        self.app = app

    async def csrf_token(self) -> str:
        token = self.raw.cookies.get(CSRF_COOKIE)
        if not token:
            await self.raw.get("/healthz")
            await self.raw.get("/login")
            token = self.raw.cookies.get(CSRF_COOKIE)
        assert token, "no CSRF cookie was set"
        return str(token)

    async def get(self, url: str, **kwargs: Any) -> Any:
        return await self.raw.get(url, **kwargs)

    async def post_form(
        self, url: str, data: dict[str, Any] | None = None, files: Any = None, **kwargs: Any
    ) -> Any:
        payload = dict(data or {})
        payload.setdefault("_csrf_token", await self.csrf_token())
        kwargs.setdefault("follow_redirects", False)
        return await self.raw.post(url, data=payload, files=files, **kwargs)

    async def api(self, method: str, url: str, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}) or {})
        if method.upper() not in {"GET", "HEAD", "OPTIONS"}:
            headers.setdefault("x-csrf-token", await self.csrf_token())
        return await self.raw.request(method, url, headers=headers, **kwargs)

    async def login(self, email: str, password: str) -> Any:
        response = await self.post_form("/login", {"email": email, "password": password})
        assert response.status_code in (200, 303), response.text
        return response


def assert_one_charset(response) -> None:
    """Issue 12 (RFC 6838: a parameter appears once): was `; charset=utf-8; charset=utf-8`."""
    header = response.headers["content-type"]
    message = email.message.Message()
    message["content-type"] = header
    assert header.lower().count("charset=") == 1, header
    assert message.get_content_charset() == "utf-8"


class Mailbox:
    """Messages received by the SMTP sink."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._messages: list[Message] = []
        self._lock = threading.Lock()

    def add(self, message: Message) -> None:
        with self._lock:
            self._messages.append(message)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    @property
    def messages(self) -> list[Message]:
        with self._lock:
            return list(self._messages)

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    @staticmethod
    def text_of(message: Message) -> str:
        parts = []
        for part in message.walk():
            if part.get_content_type() in {"text/plain", "text/html"}:
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes):
                    parts.append(payload.decode(part.get_content_charset() or "utf-8"))
        return "\n".join(parts)


class _Handler:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mailbox.add(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_smtp_sink() -> tuple[Controller, Mailbox]:
    port = free_port()
    mailbox = Mailbox(port)
    controller = Controller(_Handler(mailbox), hostname="127.0.0.1", port=port)
    controller.start()
    return controller, mailbox


async def reset_database() -> None:
    """Empty every application table (keeps the schema and the migration records)."""
    from piccolo.apps.migrations.tables import Migration

    from core.database import fetch, get_engine, is_postgres
    from piccolo_conf import APP_REGISTRY

    # Reverse registration order deletes referencing rows before the rows they reference.
    classes = [t for config in APP_REGISTRY.app_configs.values() for t in config.table_classes]
    tables = [t._meta.tablename for t in reversed(classes) if t is not Migration]
    engine = get_engine()
    if is_postgres(engine):
        pool = getattr(engine, "pool", None)
        if pool is None:
            await engine.start_connection_pool(min_size=1, max_size=2)  # type: ignore[attr-defined]
        await fetch("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
        if pool is None:
            await engine.close_connection_pool()  # type: ignore[attr-defined]
    else:
        for table in tables:
            await fetch(f'DELETE FROM "{table}"')
        with contextlib.suppress(Exception):  # absent until an AUTOINCREMENT table has rows
            await fetch("DELETE FROM sqlite_sequence")


async def reset_redis(url: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    try:
        await client.flushdb()
    finally:
        await client.aclose()


async def run_arq_burst(settings: Any, wiring: Any = None) -> None:
    """A real arq worker in burst mode: runs every queued job (and those they queue), then stops.

    It runs the jobs of `wiring` (the app's; every domain's when omitted)."""
    from arq.worker import Worker

    from core.queue_backends import arq_functions, redis_settings
    from core.wiring import Wiring
    from domains import DOMAINS

    wiring = wiring or Wiring.of(DOMAINS)
    worker = Worker(
        functions=arq_functions(settings, wiring.jobs),
        cron_jobs=[],
        redis_settings=redis_settings(settings.redis_url),
        burst=True,
        poll_delay=0.02,
        ctx={"settings": settings, "wiring": wiring},
        handle_signals=False,
        keep_result=0,
        max_jobs=20,
    )
    try:
        await worker.main()
    finally:
        await worker.close()


# Apps already built, by their settings: building one (about 420 route handlers) costs more than
# a second, and an app holds nothing between two runs of its lifespan but what `reused_app`
# clears. Only the `app` fixture reuses them; `running_app` called by a test builds its own.
_BUILT: dict[str, Litestar] = {}


def reused_app(settings: Any) -> Litestar:
    """The app for `settings` (every domain), built once per distinct settings, its in-process
    state cleared: the rate limiter's counts (the database, Redis, the SMTP sink are reset by the
    `settings` fixture, and the lifespan makes a new job backend each time)."""
    from app import create_app

    key = settings.model_dump_json()
    application = _BUILT.get(key)
    if application is None:
        application = _BUILT[key] = create_app(settings)
    application.state.limiter.clear()
    return application


@contextlib.asynccontextmanager
async def running_app(settings: Any, domains: Any = None, *, application: Any = None) -> Any:
    """`create_app(settings)` (or `application`) with its lifespan entered and left in one task
    of this loop (with `domains` instead of every domain, when given)."""
    import asyncio

    from app import create_app

    if application is None:
        application = create_app(settings) if domains is None else create_app(settings, domains)
    started, stop = asyncio.Event(), asyncio.Event()

    async def serve() -> None:
        # Litestar's lifespan holds an anyio task group: enter and exit it in one task.
        async with application.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(serve())
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiter.cancel()
        task.result()
    try:
        yield application
    finally:
        stop.set()
        await task


async def signed_in(client: FormClient, member: Any) -> FormClient:
    """`client` signed in as `member` (made with the factories' password)."""
    from tests.factories import PASSWORD

    await client.login(member.email, PASSWORD)
    return client


async def sign_in_as(
    client: FormClient, role: str = "admin", account: Any = None, **fields: Any
) -> Any:
    """A new member of `role`, signed in on `client`."""
    from tests.factories import PASSWORD, make_member

    member = await make_member(account, role=role, **fields)
    response = await client.post_form("/login", {"email": member.email, "password": PASSWORD})
    assert response.status_code == 303, response.text
    return member


def subject_of(message: Any) -> str:
    """The decoded Subject header (Japanese subjects arrive MIME-encoded)."""
    from email.header import decode_header, make_header

    return str(make_header(decode_header(str(message["Subject"]))))


def problem(response: Any) -> dict[str, Any]:
    """The body of an RFC 9457 problem answer (its content type checked)."""
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return response.json()
