"""Daily-visit middleware: a signed-in member's first request of the day is a signal."""

from __future__ import annotations

from typing import Any

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from accounts.tables import Member
from core.database import transaction
from core.settings import CoreSettings
from core.timeutil import to_zone, utcnow
from engagement.signals import NewSignal, SignalKind, Subject, SubjectType, record_signals

VISIT_DAY_KEY = "visit_day"


class DailyVisitMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)
    should_bypass_for_scope = staticmethod(
        lambda scope: scope["path"].startswith(("/static/", "/healthz", "/api/"))
    )

    def __init__(self, settings: CoreSettings) -> None:
        self.settings = settings

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        member: Any = scope.get("user")
        session: Any = scope.get("session")
        if member is not None and isinstance(session, dict) and scope.get("method") == "GET":
            now = utcnow()
            day = to_zone(now, self.settings.default_timezone).date().isoformat()
            if session.get(VISIT_DAY_KEY) != day:
                await record_visit(member.id, member.account, day)
                session[VISIT_DAY_KEY] = day
        await next_app(scope, receive, send)


async def record_visit(member_id: int, account_id: int | None, day: str) -> None:
    """Mark the member seen and, for customers, record the day's visit signal once."""
    async with transaction():
        await Member.update({Member.last_seen_at: utcnow()}).where(Member.id == member_id)
        await record_signals(
            NewSignal(
                SignalKind.daily_visit,
                account_id,
                member_id,
                Subject(SubjectType.member, member_id),
                detail=day,  # one a day
            )
        )
