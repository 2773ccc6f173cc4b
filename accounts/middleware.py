"""Puts the signed-in member (or None) in the scope and sets the request's locale and time zone."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import MethodNotAllowedException, NotFoundException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from accounts.services import get_active_member
from accounts.settings import AccountsSettings
from core import i18n
from core.templating import set_timezone

LOCALE_COOKIE = "kizuna_locale"


class CurrentMemberMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)
    should_bypass_for_scope = staticmethod(
        lambda scope: scope["path"].startswith(("/static/", "/healthz"))
    )

    def __init__(self, settings: AccountsSettings) -> None:
        self.settings = settings

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        await identify(scope, scope.get("session"), self.settings)
        await next_app(scope, receive, send)


async def identify(scope: Scope, session: Any, settings: AccountsSettings) -> None:
    """Put the session's member (or None) in the scope; set the locale and time zone."""
    member = None
    if isinstance(session, dict) and session.get("member_id"):
        member = await get_active_member(int(session["member_id"]))
        if member is None:
            session.clear()  # deactivated or deleted: the session ends
    scope["user"] = member
    headers = dict(scope["headers"])
    cookie_locale = _cookie(headers.get(b"cookie", b"").decode("latin-1"), LOCALE_COOKIE)
    preferred = member.locale if member is not None and member.locale else cookie_locale
    i18n.set_locale(
        i18n.negotiate(
            preferred,
            headers.get(b"accept-language", b"").decode("latin-1"),
            settings.default_locale,
        )
    )
    set_timezone(
        member.timezone if member is not None and member.timezone else settings.default_timezone
    )


class ViewerOfRouterErrors:
    """An `after_exception` hook: the router's own 404 and 405 come before any middleware, so
    the error page would show a signed-out header in the default language. This reads the
    session (without writing it) and identifies the viewer as the middleware would."""

    def __init__(self, settings: AccountsSettings, session_config: Any) -> None:
        self.settings = settings
        self.backend = session_config._backend_class(config=session_config)

    async def __call__(self, exc: Exception, scope: Scope) -> None:
        if "user" in scope or scope.get("type") != ScopeType.HTTP:
            return
        if not isinstance(exc, NotFoundException | MethodNotAllowedException):
            return
        try:
            session = await self.backend.load_from_connection(ASGIConnection(scope))
        except Exception:
            session = None
        await identify(scope, session, self.settings)


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None
