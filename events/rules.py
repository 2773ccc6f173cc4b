"""The event rules every room of events stands on: who may manage events, which registrations
hold or wait for a seat, when registration and self-cancellation close, how long one must be
present to count as attended (and the signal that records), and loading an event (`get_event`;
`events.locking` loads one under its lock). Nothing here imports another events module but
the tables and the lock."""

from __future__ import annotations

from datetime import datetime

from accounts.tables import Member
from core.errors import Forbidden, NotFound
from core.i18n import N_
from engagement.kinds import SignalKind
from events.locking import EVENT_NOT_FOUND
from events.rows import EventRow
from events.tables import Event, EventStatus, Registration, RegistrationStatus

__all__ = ["EVENT_NOT_FOUND"]

STAFF_ONLY = N_("Only staff can manage events.")
ATTENDANCE_STAFF_ONLY = N_("Only staff can manage attendance.")
ACTIVE = (
    RegistrationStatus.confirmed.value,
    RegistrationStatus.waitlisted.value,
    RegistrationStatus.applied.value,
)


def require_staff(member: Member, refusal: str = STAFF_ONLY) -> None:
    """Only staff go on: Forbidden with `refusal` (events by default) for anyone else."""
    if not member.is_staff:
        raise Forbidden(refusal)


async def get_event(event_id: int) -> EventRow:
    row = await Event.select().where(Event.id == event_id).first()
    if row is None:
        raise NotFound(EVENT_NOT_FOUND)
    return EventRow.of(row)


async def count_status(event_id: int, status: str) -> int:
    return await Registration.count().where(
        (Registration.event == event_id) & (Registration.status == status)
    )


def is_open_status(event: EventRow) -> bool:
    return bool(event.status == EventStatus.published.value)


def registration_closes(event: EventRow) -> datetime:
    """When registration closes: the set time, else the start."""
    return event.registration_closes_at or event.starts_at


def cancellation_closes(event: EventRow) -> datetime:
    """Until when members may cancel themselves: the deadline, else the start."""
    return event.cancellation_deadline or event.starts_at


# --- attendance ----------------------------------------------------------------------

DEFAULT_THRESHOLD_MINUTES = 10.0


def duration_minutes(event: EventRow) -> float:
    """The event's scheduled length in minutes."""
    return max((event.ends_at - event.starts_at).total_seconds() / 60, 0.0)


def threshold_minutes(event: EventRow) -> float:
    """Minutes a person must be present to count as attended: the event's own setting, else
    10 minutes, or half the event when that is shorter."""
    if event.attendance_threshold_minutes is not None:
        return float(event.attendance_threshold_minutes)
    return min(DEFAULT_THRESHOLD_MINUTES, duration_minutes(event) / 2)


def attended_signal_kind(event: EventRow) -> SignalKind:
    """The signal an attendance records: mokumoku_attended or webinar_attended."""
    if event.kind == "mokumoku":
        return SignalKind.mokumoku_attended
    return SignalKind.webinar_attended
