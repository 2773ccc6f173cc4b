"""Registration: register, cancel, waitlist promotion, staff add/remove, the lottery draw.

Every change takes the event row lock first (PostgreSQL `SELECT … FOR UPDATE`; SQLite's
BEGIN IMMEDIATE already serialises writers), then counts: capacity never overbooks, a
double click finds the first registration, and a cancellation promotes the first waitlisted
registrant (lowest `queue_order`) in the same transaction.

First come: confirmed while seats are left, else waitlisted with the next `queue_order`.
Lottery: `applied` until the draw (events.registration.lottery); after the draw, late
registrations are first come.

Staff add people from the roster through the same allocation (no window or audience check:
staff decide), or with "over capacity" confirmed even when the event is full.
"""

from __future__ import annotations

from typing import Any

from accounts.tables import Member
from core.database import fetch
from core.errors import DomainError, Forbidden, NotFound
from core.i18n import N_, gettext
from core.templating import localtime
from core.timeutil import utcnow
from engagement.signals import NewSignal, SignalKind, Subject, SubjectType, record_signals
from events.calendar import next_sequence
from events.emails import queue_event_email, registration_row
from events.locking import locked_event
from events.registration.audience import in_audience
from events.registration.codes import unique_code
from events.registration.policies import policy_of
from events.rows import EventRow, RegistrationRow
from events.rules import (
    ACTIVE,
    cancellation_closes,
    count_status,
    registration_closes,
    require_staff,
)
from events.tables import Event, EventStatus, Registration, RegistrationStatus

NOT_REGISTERED = N_("You are not registered for this event.")


# --- reading -----------------------------------------------------------------------------


async def active_registration(event_id: int, member_id: int) -> RegistrationRow | None:
    row = (
        await Registration.select()
        .where(
            (Registration.event == event_id)
            & (Registration.member == member_id)
            & Registration.status.is_in(list(ACTIVE))
        )
        .first()
    )
    return RegistrationRow.of(row) if row is not None else None


async def my_registration(event_id: int, member_id: int) -> RegistrationRow | None:
    """The member's active registration, else their latest cancelled one, with its
    waitlist position."""
    mine = await active_registration(event_id, member_id)
    if mine is None:
        row = (
            await Registration.select()
            .where((Registration.event == event_id) & (Registration.member == member_id))
            .order_by(Registration.id, ascending=False)
            .first()
        )
        if row is None:
            return None
        mine = RegistrationRow.of(row)
    return mine.replace(waitlist_position=await waitlist_position(mine))


async def waitlist_position(row: RegistrationRow) -> int | None:
    """Rank among the event's waitlisted registrations by queue order (1 = next in line)."""
    if row.status != RegistrationStatus.waitlisted.value:
        return None
    rows = await fetch(
        "SELECT COUNT(*) AS n FROM events_registration WHERE event = {} AND status = {} "
        "AND (queue_order < {} OR (queue_order = {} AND id <= {}))",
        row.event,
        RegistrationStatus.waitlisted.value,
        row.queue_order,
        row.queue_order,
        row.id,
    )
    return int(rows[0]["n"])


# --- allocation (inside a transaction holding the event lock) ----------------------------


async def _next_queue_order(event_id: int) -> int:
    rows = await fetch(
        "SELECT COALESCE(MAX(queue_order), 0) AS q FROM events_registration WHERE event = {}",
        event_id,
    )
    return int(rows[0]["q"]) + 1


async def _allocate(
    event: EventRow,
    member_id: int,
    account_id: int | None,
    *,
    added_by: int | None = None,
    over_capacity: bool = False,
) -> RegistrationRow:
    now = utcnow()
    event_id = event.id
    values: dict[str, Any] = {"queue_order": 0, "checkin_code": "", "confirmed_at": None}
    confirmed = await count_status(event_id, RegistrationStatus.confirmed.value)
    has_seat = event.capacity is None or confirmed < event.capacity
    status = policy_of(event).new_status(event, has_seat=has_seat, over_capacity=over_capacity)
    if status == RegistrationStatus.confirmed.value:
        values.update(checkin_code=await unique_code(event_id), confirmed_at=now)
    elif status == RegistrationStatus.waitlisted.value:
        values["queue_order"] = await _next_queue_order(event_id)
    registration = Registration(
        event=event_id,
        member=member_id,
        account=account_id,
        status=status,
        added_by=added_by,
        registered_at=now,
        **values,
    )
    await registration.save()
    await record_signals(
        NewSignal(
            SignalKind.event_registered,
            account_id,
            member_id,
            Subject(SubjectType.registration, int(registration.id)),
            now,
        )
    )
    row = await registration_row(int(registration.id))
    row = row.replace(waitlist_position=await waitlist_position(row))
    await queue_event_email(status, row.id, position=row.waitlist_position)
    return row


async def _promote(event: EventRow, registration_id: int) -> None:
    await Registration.update(
        {
            Registration.status: RegistrationStatus.confirmed.value,
            Registration.confirmed_at: utcnow(),
            Registration.checkin_code: await unique_code(event.id),
        }
    ).where(Registration.id == registration_id)
    await queue_event_email("promoted", registration_id)


async def fill_seats(event_id: int) -> int:
    """Promote waitlisted registrants (lowest queue order first) into free seats; the caller
    holds the event lock. Returns how many were promoted."""
    row = await Event.select().where(Event.id == event_id).first()
    if row is None:
        return 0
    event = EventRow.of(row)
    if event.status != EventStatus.published.value:
        return 0
    if event.ends_at <= utcnow():
        return 0
    if not policy_of(event).fills_freed_seats(event):
        return 0
    query = (
        Registration.select(Registration.id)
        .where(
            (Registration.event == event_id)
            & (Registration.status == RegistrationStatus.waitlisted.value)
        )
        .order_by(Registration.queue_order)
        .order_by(Registration.id)
    )
    if event.capacity is not None:
        confirmed = await count_status(event_id, RegistrationStatus.confirmed.value)
        seats = event.capacity - confirmed
        if seats <= 0:
            return 0
        query = query.limit(seats)
    waiting = await query
    for row in waiting:
        await _promote(event, row["id"])
    return len(waiting)


# --- members -----------------------------------------------------------------------------


def _check_open(event: EventRow) -> None:
    if event.status == EventStatus.cancelled.value:
        raise DomainError(N_("This event was cancelled."))
    if event.status == EventStatus.finished.value:
        raise DomainError(N_("This event has finished."))
    if event.status != EventStatus.published.value:
        raise DomainError(N_("This event is not open for registration yet."))


async def register(member: Member, event_id: int) -> tuple[RegistrationRow, bool]:
    """Register `member` (a customer) in one click: (registration, whether it is new). A
    second click returns the registration the first one made."""
    if member.is_staff or member.account is None:
        raise Forbidden(
            N_("Staff members cannot register for events. Add customers from the roster.")
        )
    async with locked_event(event_id) as event:
        existing = await active_registration(event_id, member.id)
        if existing is not None:
            return existing.replace(waitlist_position=await waitlist_position(existing)), False
        if event.status == EventStatus.draft.value:
            raise NotFound(N_("This event does not exist, or you cannot see it."))
        _check_open(event)
        if not await in_audience(event, member.account):
            raise Forbidden(N_("This event is not open to your account."))
        now = utcnow()
        if event.registration_opens_at and now < event.registration_opens_at:
            raise DomainError(
                N_("Registration opens on %(time)s."),
                time=localtime(event.registration_opens_at),
            )
        if now >= registration_closes(event):
            raise DomainError(N_("Registration for this event has closed."))
        return await _allocate(event, member.id, member.account), True


async def _cancel_row(event: EventRow, row: RegistrationRow, by: int | None) -> None:
    values: dict[Any, Any] = {
        Registration.status: RegistrationStatus.cancelled.value,
        Registration.cancelled_at: utcnow(),
    }
    if by is not None:
        values[Registration.added_by] = by
    await Registration.update(values).where(Registration.id == row.id)
    # The member is told, and a seat they held leaves their calendar (METHOD:CANCEL).
    held_seat = row.status == RegistrationStatus.confirmed.value
    if held_seat:
        event = await next_sequence(event)
    await queue_event_email("registration_cancelled", row.id, held_seat=held_seat)
    if row.status == RegistrationStatus.confirmed.value:
        await fill_seats(event.id)


async def cancel(member: Member, event_id: int) -> RegistrationRow:
    """Cancel the member's registration before the deadline; a freed seat goes to the first
    waitlisted registrant. Returns the cancelled registration."""
    async with locked_event(event_id) as event:
        row = await active_registration(event_id, member.id)
        if row is None:
            raise NotFound(NOT_REGISTERED)
        if event.status != EventStatus.published.value:
            _check_open(event)
        if utcnow() >= cancellation_closes(event):
            raise DomainError(
                N_("The cancellation deadline (%(time)s) has passed. Please contact the host."),
                time=localtime(cancellation_closes(event)),
            )
        await _cancel_row(event, row, None)
        return row.replace(status=RegistrationStatus.cancelled.value)


# --- staff -------------------------------------------------------------------------------


async def add_registrant(
    actor: Member, event_id: int, email: str, over_capacity: bool = False
) -> tuple[RegistrationRow, bool]:
    """Staff add a customer by email: the same allocation as registering (first come,
    waitlist, lottery entry), or confirmed beyond the capacity when `over_capacity`."""
    require_staff(actor)
    address = email.strip().lower()
    member = await Member.select().where(Member.email == address).first()
    if member is None or not member["active"] or member["account"] is None:
        message = N_("No active customer member has the email address %(email)s.")
        raise DomainError(
            message, field_errors={"email": gettext(message, email=address)}, email=address
        )
    async with locked_event(event_id) as event:
        existing = await active_registration(event_id, member["id"])
        if existing is not None:
            return existing.replace(waitlist_position=await waitlist_position(existing)), False
        _check_open(event)
        row = await _allocate(
            event, member["id"], member["account"], added_by=actor.id, over_capacity=over_capacity
        )
        return row, True


async def remove_registrant(actor: Member, event_id: int, registration_id: int) -> None:
    """Staff take someone off the roster (any time); a freed seat is filled from the waitlist."""
    require_staff(actor)
    async with locked_event(event_id) as event:
        found = (
            await Registration.select()
            .where((Registration.id == registration_id) & (Registration.event == event_id))
            .first()
        )
        if found is None or found["status"] not in ACTIVE:
            raise NotFound(N_("This registration does not exist for this event."))
        await _cancel_row(event, RegistrationRow.of(found), actor.id)
