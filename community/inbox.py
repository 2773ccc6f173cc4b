"""The notification inbox page, and the forum's section of the member's home page."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from accounts.tables import Member
from community.notifications import (
    list_notifications,
    mark_all_read,
    open_notification,
    unread_count,
)
from community.reading import list_topics, post_url
from core.guards import requires_member
from core.ids import PathId
from core.web import redirect


class NotificationController(Controller):
    """A member's notifications."""

    path = "/notifications"
    guards = [requires_member]
    include_in_schema = False

    @get("/")
    async def inbox(self, request: Request[Any, Any, Any]) -> Template:
        """Newest notifications first; unread ones stand out."""
        return Template(
            "community/notifications.html",
            context={"notifications": await list_notifications(request.user)},
        )

    @get("/{notification_id:int}")
    async def open(self, request: Request[Any, Any, Any], notification_id: PathId) -> Redirect:
        """Mark a notification read and go to what it is about."""
        topic_id, number = await open_notification(request.user, notification_id)
        return redirect(post_url(topic_id, number) if number else f"/community/t/{topic_id}")

    @post("/read")
    async def read_all(self, request: Request[Any, Any, Any]) -> Redirect:
        """Mark every notification read."""
        await mark_all_read(request.user)
        return redirect("/notifications")


async def home_section(member: Member) -> tuple[str, dict[str, Any]] | None:
    """Recent topics and unread notifications, for the home page."""
    recent = await list_topics(member, limit=5)
    notifications = [n for n in await list_notifications(member, limit=20) if n["read_at"] is None]
    return (
        "community/home_section.html",
        {
            "topics": recent.topics,
            "notifications": notifications[:5],
            "unread": await unread_count(member),
        },
    )
