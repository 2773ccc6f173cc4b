"""Jobs of events: the lottery draw (every minute) and the reminders (every five minutes).

Reminders go to confirmed registrants 24 hours and 1 hour before the start. Each event's
reminder is claimed (`reminded_24h_at`, `reminded_1h_at`) in the transaction that writes the
emails to the outbox, so a cron that runs twice, or on two workers at once, sends each once.
An event that is already within the hour gets only the 1-hour reminder.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from core.database import transaction
from core.jobs import cron
from core.timeutil import utcnow
from events.emails import registrants, send_event_email
from events.locking import lock_event
from events.lottery import draw_lottery, due_lotteries
from events.tables import Event, EventStatus, RegistrationStatus

log = logging.getLogger(__name__)

DAY = timedelta(hours=24)
HOUR = timedelta(hours=1)


async def send_reminders(event_id: int) -> str | None:
    """Send the reminder that is due for one event, once; which one ("24h", "1h") or None."""
    async with transaction():
        event = await lock_event(event_id)
        now = utcnow()
        if event["status"] != EventStatus.published.value or event["starts_at"] <= now:
            return None
        left = event["starts_at"] - now
        if left <= HOUR and event["reminded_1h_at"] is None:
            which = "1h"
            claim: dict[Any, Any] = {Event.reminded_1h_at: now}
            if event["reminded_24h_at"] is None:
                claim[Event.reminded_24h_at] = now  # too late for the day-before reminder
        elif HOUR < left <= DAY and event["reminded_24h_at"] is None:
            which = "24h"
            claim = {Event.reminded_24h_at: now}
        else:
            return None
        await Event.update(claim).where(Event.id == event_id)
        for row in await registrants(event_id, (RegistrationStatus.confirmed.value,)):
            await send_event_email(f"reminder_{which}", event, row)
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
    """Every five minutes: each event with a reminder due, in its own transaction."""
    sent = 0
    for event_id in await due_reminder_ids():
        if await send_reminders(event_id):
            sent += 1
    return sent


async def sweep_lotteries(ctx: dict[str, Any]) -> int:
    """Every minute: draw each lottery whose draw time has passed."""
    drawn = 0
    for event_id in await due_lotteries():
        if await draw_lottery(event_id):
            drawn += 1
    return drawn


cron(sweep_reminders, minute=set(range(0, 60, 5)))
cron(sweep_lotteries, minute=set(range(60)))
