"""Puts the signed-in member (or None) in the scope and sets the request's locale and time zone."""

from __future__ import annotations

from typing import Any

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from accounts.services import get_active_member
from core import i18n
from core.settings import Settings
from core.templating import set_timezone

LOCALE_COOKIE = "kizuna_locale"


class CurrentMemberMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)
    should_bypass_for_scope = staticmethod(
        lambda scope: scope["path"].startswith(("/static/", "/healthz"))
    )

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        session: Any = scope.get("session")
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
                self.settings.default_locale,
            )
        )
        set_timezone(
            member.timezone
            if member is not None and member.timezone
            else self.settings.default_timezone
        )
        await next_app(scope, receive, send)


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None
