"""Jobs of the forum: the notification email, sent at most once per notification."""

from __future__ import annotations

from typing import Any

from accounts.unsubscribe import unsubscribe_headers, unsubscribe_url
from community.tables import Notification
from community.visibility import can_read
from core.database import transaction
from core.mail import send_email
from core.settings import CoreSettings
from core.timeutil import utcnow


async def email_notification(ctx: dict[str, Any], notification_id: int) -> None:
    """Email one notification, unless the member opted out or can no longer read the topic.

    The notification is claimed (emailed_at) in the transaction that writes the email to the
    outbox, so a retried or duplicated job sends nothing twice.
    """
    settings: CoreSettings = ctx["settings"]
    async with transaction():
        row = await _load(notification_id)
        if row is None or not _should_send(row):
            return
        claimed = (
            await Notification.update({Notification.emailed_at: utcnow()})
            .where((Notification.id == notification_id) & Notification.emailed_at.is_null())
            .returning(Notification.id)
        )
        if not claimed:
            return
        anchor = f"#post-{row['post_number']}" if row["post_number"] else ""
        await send_email(
            row["email"],
            "emails/community_notification.html",
            row["locale"] or settings.default_locale,
            kind=row["kind"],
            actor=row["actor_name"] or "",
            topic_title=row["topic_title"],
            link=f"{settings.base_url}/community/t/{row['topic_id']}{anchor}",
            settings_link=f"{settings.base_url}/settings",
            unsubscribe_link=unsubscribe_url(settings, row["recipient_id"], "notifications"),
            headers=unsubscribe_headers(settings, row["recipient_id"], "notifications"),
        )


async def _load(notification_id: int) -> dict[str, Any] | None:
    return (
        await Notification.select(
            Notification.kind,
            Notification.emailed_at,
            Notification.recipient.id.as_alias("recipient_id"),
            Notification.recipient.email.as_alias("email"),
            Notification.recipient.locale.as_alias("locale"),
            Notification.recipient.role.as_alias("role"),
            Notification.recipient.account.as_alias("account"),
            Notification.recipient.active.as_alias("active"),
            Notification.recipient.email_notifications.as_alias("email_notifications"),
            Notification.topic.id.as_alias("topic_id"),
            Notification.topic.title.as_alias("topic_title"),
            Notification.topic.hidden.as_alias("topic_hidden"),
            Notification.topic._.category._.visibility.as_alias("visibility"),
            Notification.topic._.category._.account.as_alias("category_account"),
            Notification.post.number.as_alias("post_number"),
            Notification.actor.display_name.as_alias("actor_name"),
        )
        .where(Notification.id == notification_id)
        .first()
    )


def _should_send(row: dict[str, Any]) -> bool:
    if row["emailed_at"] is not None or not row["active"] or not row["email_notifications"]:
        return False
    return can_read(
        row["role"], row["account"], row["visibility"], row["category_account"], row["topic_hidden"]
    )
