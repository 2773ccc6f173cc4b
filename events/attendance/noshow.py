"""No-shows: after an event (end + 1 hour grace), confirmed registrants with no attendance.

The cron `sweep_no_shows` runs every 15 minutes and marks each ended event once
(`no_shows_marked_at`), in one transaction per event: the registrations become `no_show`
and each records event_no_show (dedupe key `no_show:{registration_id}`). Running it again,
or twice at once, changes nothing.

A report imported later still counts: attendance from the report (or a staff check-in)
overrides `no_show`. The event_no_show signal already recorded stays — the ledger is
append-only — and the attendance signal is added next to it.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from core.database import transaction
from core.timeutil import utcnow
from engagement.signals import NewSignal, SignalKind, Subject, SubjectType, record_signals
from events.locking import lock_event
from events.tables import Attendance, Event, EventStatus, Registration, RegistrationStatus

log = logging.getLogger(__name__)

GRACE = timedelta(hours=1)
BATCH = 100


async def mark_event_no_shows(event_id: int) -> int | None:
    """Mark one ended event's no-shows; None when it was already marked (or is not due)."""
    async with transaction():
        event = await lock_event(event_id, registrations_may_join=True)
        if event.no_shows_marked_at is not None or event.ends_at + GRACE > utcnow():
            return None
        if event.status not in (EventStatus.published.value, EventStatus.finished.value):
            return None
        now = utcnow()
        absent = await Registration.select(
            Registration.id, Registration.member, Registration.account
        ).where(
            (Registration.event == event_id)
            & (Registration.status == RegistrationStatus.confirmed.value)
            & (Registration.attendance == Attendance.unknown.value)
        )
        if absent:
            await Registration.update({Registration.attendance: Attendance.no_show.value}).where(
                Registration.id.is_in([row["id"] for row in absent])
                & (Registration.attendance == Attendance.unknown.value)
            )
        await record_signals(
            *(
                NewSignal(
                    SignalKind.event_no_show,
                    row["account"],
                    row["member"],
                    Subject(SubjectType.registration, row["id"]),
                    event.ends_at,
                )
                for row in absent
            )
        )
        await Event.update({Event.no_shows_marked_at: now}).where(Event.id == event_id)
        return len(absent)


async def mark_no_shows(ctx: dict[str, Any], event_id: int) -> None:
    """Mark one event's no-shows (queued by staff, or run by the sweep)."""
    marked = await mark_event_no_shows(event_id)
    if marked is not None:
        log.info("event %s: %s no-shows", event_id, marked)


async def due_event_ids(limit: int = BATCH) -> list[int]:
    """Events that ended more than the grace ago and are not marked yet, oldest first."""
    rows = (
        await Event.select(Event.id)
        .where(
            Event.no_shows_marked_at.is_null()
            & (Event.ends_at < utcnow() - GRACE)
            & Event.status.is_in([EventStatus.published.value, EventStatus.finished.value])
        )
        .order_by(Event.ends_at)
        .limit(limit)
    )
    return [row["id"] for row in rows]


async def sweep_no_shows(ctx: dict[str, Any]) -> int:
    """Every 15 minutes: mark every event that is due (each in its own transaction)."""
    done = 0
    for event_id in await due_event_ids():
        if await mark_event_no_shows(event_id) is not None:
            done += 1
    return done
