"""Notifications: a reply to your topic, a mention, your answer accepted — in the app and by email.

They are written in the transaction of their cause; the email is a job queued in that same
transaction (community.jobs), unless the member turned notification emails off.
"""

from __future__ import annotations

from typing import Any

from accounts.tables import Member
from community.jobs import email_notification
from community.rows import TopicAudience
from community.tables import Notification, NotificationKind
from community.visibility import can_read, category_filter
from core.errors import NotFound
from core.i18n import N_
from core.jobs import enqueue
from core.timeutil import utcnow


async def notify(
    recipient_ids: set[int],
    kind: NotificationKind,
    *,
    topic: TopicAudience,
    post_id: int,
    actor_id: int,
) -> list[int]:
    """Write one notification per recipient who may read the topic; queue their emails.

    Returns who was notified.
    """
    recipient_ids = {rid for rid in recipient_ids if rid != actor_id}
    if not recipient_ids:
        return []
    rows = await Member.select(
        Member.id, Member.role, Member.account, Member.email_notifications
    ).where(Member.id.is_in(sorted(recipient_ids)) & Member.active.eq(True))
    notified = []
    for row in rows:
        if not can_read(
            row["role"],
            row["account"],
            topic.visibility,
            topic.category_account,
            topic.hidden,
        ):
            continue
        key = f"{kind.value}:{post_id}:{row['id']}"
        inserted = (
            await Notification.insert(
                Notification(
                    recipient=row["id"],
                    kind=kind.value,
                    topic=topic.id,
                    post=post_id,
                    actor=actor_id,
                    dedupe_key=key,
                )
            )
            .on_conflict(target=Notification.dedupe_key, action="DO NOTHING")
            .returning(Notification.id)
        )
        if not inserted:
            continue
        notified.append(row["id"])
        if row["email_notifications"]:
            await _queue_email(inserted[0]["id"])
    return notified


async def _queue_email(notification_id: int) -> None:
    await enqueue(email_notification, notification_id, job_id=f"community-email:{notification_id}")


async def list_notifications(member: Member, limit: int = 50) -> list[dict[str, Any]]:
    """The member's newest notifications about topics they can still read."""
    query = Notification.select(
        Notification.id,
        Notification.kind,
        Notification.created_at,
        Notification.read_at,
        Notification.topic.id.as_alias("topic_id"),
        Notification.topic.title.as_alias("topic_title"),
        Notification.post.id.as_alias("post_id"),
        Notification.post.number.as_alias("post_number"),
        Notification.actor.display_name.as_alias("actor_name"),
    ).where(Notification.recipient == member.id)
    visible = category_filter(member, Notification.topic.category)
    if visible is not None:
        query = query.where(visible & Notification.topic._.hidden.eq(False))
    return await query.order_by(Notification.id, ascending=False).limit(limit)


async def unread_count(member: Member) -> int:
    query = Notification.count().where(
        (Notification.recipient == member.id) & Notification.read_at.is_null()
    )
    visible = category_filter(member, Notification.topic.category)
    if visible is not None:
        query = query.where(visible & Notification.topic._.hidden.eq(False))
    return await query


async def open_notification(member: Member, notification_id: int) -> tuple[int, int | None]:
    """Mark one of the member's notifications read; (topic id, post number) to go to."""
    row = (
        await Notification.select(
            Notification.topic, Notification.post.number.as_alias("post_number")
        )
        .where((Notification.id == notification_id) & (Notification.recipient == member.id))
        .first()
    )
    if row is None:
        raise NotFound(N_("This notification does not exist."))
    await Notification.update({Notification.read_at: utcnow()}).where(
        (Notification.id == notification_id) & Notification.read_at.is_null()
    )
    return row["topic"], row["post_number"]


async def mark_all_read(member: Member) -> None:
    await Notification.update({Notification.read_at: utcnow()}).where(
        (Notification.recipient == member.id) & Notification.read_at.is_null()
    )


async def mark_topic_read(member_id: int, topic_id: int) -> None:
    """Reading a topic settles the notifications that pointed to it."""
    await Notification.update({Notification.read_at: utcnow()}).where(
        (Notification.recipient == member_id)
        & (Notification.topic == topic_id)
        & Notification.read_at.is_null()
    )
