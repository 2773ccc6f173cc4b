"""Jobs of events: the lottery draw and the reminders (both every minute).

Reminders go to confirmed registrants 24 hours and 1 hour before the start, at that time: the
sweep runs every minute and sends a reminder at most REMINDER_LATENESS after its moment. One
whose moment passed longer ago (the event was created, moved or published later than that, or
no scheduler ran) is marked done without sending: "1 hour before" never arrives 25 minutes
before. Each event's reminder is claimed (`reminded_24h_at`, `reminded_1h_at`) in the
transaction that writes the emails to the outbox, so a cron that runs twice, or on two workers
at once, sends each once.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from core.database import transaction
from core.settings import CoreSettings
from core.timeutil import utcnow
from events.emails import registrants, send_event_email
from events.locking import lock_event
from events.registration.lottery import draw_lottery, due_lotteries
from events.tables import Event, EventStatus, RegistrationStatus

log = logging.getLogger(__name__)

DAY = timedelta(hours=24)
HOUR = timedelta(hours=1)


REMINDER_LATENESS = timedelta(minutes=5)  # the sweep's granularity, with room to spare
# (name, how long before the start, claim column), the nearest first.
REMINDERS = (("1h", HOUR, Event.reminded_1h_at), ("24h", DAY, Event.reminded_24h_at))


async def send_reminders(settings: CoreSettings, event_id: int) -> str | None:
    """Send the reminder due now for one event, once; which one ("24h", "1h") or None. Every
    reminder whose moment has passed is claimed; only one on time is sent."""
    async with transaction():
        event = await lock_event(event_id)
        now = utcnow()
        if event.status != EventStatus.published.value or event.starts_at <= now:
            return None
        left = event.starts_at - now
        claim: dict[Any, Any] = {}
        which = None
        for name, before, column in REMINDERS:
            if getattr(event, column._meta.name) is None and left <= before:
                claim[column] = now
                if which is None and before - left <= REMINDER_LATENESS:
                    which = name
        if not claim:
            return None
        await Event.update(claim).where(Event.id == event_id)
        if which is None:
            return None
        for row in await registrants(event_id, (RegistrationStatus.confirmed.value,)):
            await send_event_email(settings, f"reminder_{which}", event, row)
        return which


async def due_reminder_ids() -> list[int]:
    now = utcnow()
    rows = await Event.select(Event.id).where(
        (Event.status == EventStatus.published.value)
        & (Event.starts_at > now)
        & (
            ((Event.starts_at <= now + DAY) & Event.reminded_24h_at.is_null())
            | ((Event.starts_at <= now + HOUR) & Event.reminded_1h_at.is_null())
        )
    )
    return [row["id"] for row in rows]


async def sweep_reminders(ctx: dict[str, Any]) -> int:
    """Every minute: each event with a reminder due, in its own transaction."""
    sent = 0
    for event_id in await due_reminder_ids():
        if await send_reminders(ctx["settings"], event_id):
            sent += 1
    return sent


async def sweep_lotteries(ctx: dict[str, Any]) -> int:
    """Every minute: draw each lottery whose draw time has passed."""
    drawn = 0
    for event_id in await due_lotteries():
        if await draw_lottery(event_id):
            drawn += 1
    return drawn
