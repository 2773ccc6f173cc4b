"""Check-in: staff from the roster (one click, undo), registrants with their code in the window.

A check-in sets `attendance = attended` and `checked_in_at`, and records webinar_attended or
mokumoku_attended (value = the event's length in minutes, dedupe key `attended:{id}`, the
same key an imported report would use, so a person is counted once). Undoing a check-in
clears it, but the signal stays: the ledger is append-only.

Registrants check themselves in from 30 minutes before the start until the end; staff may
check anyone in at any time (a forgotten check-in is fixed after the event).
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from typing import Any

from accounts.tables import Member
from core.database import fetch, transaction
from core.errors import Conflict, DomainError, NotFound
from core.i18n import N_, gettext
from core.timeutil import utcnow
from events.attendance.imports import record_attended
from events.locking import lock_event
from events.registration.codes import normalize_code, unique_code
from events.rows import EventRow
from events.rules import ATTENDANCE_STAFF_ONLY, duration_minutes, require_staff, threshold_minutes
from events.tables import Attendance, EventStatus, Registration, RegistrationStatus

OPENS_BEFORE = timedelta(minutes=30)
ROSTER_LIMIT = 500
REGISTRATION_NOT_FOUND = N_("This registration does not exist for this event.")
NOT_CONFIRMED = N_(
    "This person is not confirmed (waitlist or lottery entry). To check them in, confirm them "
    "beyond the capacity."
)
WRONG_CODE = N_("This check-in code is not right. Check the code shown on your event page.")


def checkin_window(event: EventRow) -> tuple[datetime, datetime]:
    """When registrants may check themselves in: 30 minutes before the start until the end."""
    return event.starts_at - OPENS_BEFORE, event.ends_at


async def _registration(event_id: int, registration_id: int) -> dict[str, Any]:
    row = (
        await Registration.select()
        .where((Registration.id == registration_id) & (Registration.event == event_id))
        .first()
    )
    if row is None or row["status"] == RegistrationStatus.cancelled.value:
        raise NotFound(REGISTRATION_NOT_FOUND)
    return row


class NotConfirmed(Conflict):
    """Checking in someone on the waitlist (or a lottery entry) needs the staff's choice."""

    default_message = NOT_CONFIRMED


async def _check_in(
    event: EventRow, registration: dict[str, Any], by: Member, confirm: bool = False
) -> bool:
    """Mark `registration` attended now; False when it was already checked in.

    Only a confirmed registration is checked in. Someone waiting for a seat who turns up is
    confirmed first when staff choose so (`confirm`, "confirm beyond the capacity and check
    in"): the seat counts then read the same as the roster, never 補欠 and 出席 at once.
    """
    if registration["checked_in_at"] is not None:
        return False
    now = utcnow()
    values: dict[Any, Any] = {
        Registration.attendance: Attendance.attended.value,
        Registration.checked_in_at: now,
        Registration.checked_in_by: by.id,
    }
    if registration["status"] != RegistrationStatus.confirmed.value:
        if not confirm:
            raise NotConfirmed()
        values[Registration.status] = RegistrationStatus.confirmed.value
        values[Registration.confirmed_at] = now
        values[Registration.queue_order] = 0
        if not registration["checkin_code"]:
            values[Registration.checkin_code] = await unique_code(event.id)
    await Registration.update(values).where(Registration.id == registration["id"])
    await record_attended(event, registration, duration_minutes(event), now)
    return True


async def staff_check_in(
    actor: Member, event_id: int, registration_id: int, confirm: bool = False
) -> bool:
    """Check a registrant in from the roster; False if they already were. A waitlisted or
    lottery registrant is refused (NotConfirmed) unless `confirm` seats them beyond capacity."""
    require_staff(actor, ATTENDANCE_STAFF_ONLY)
    async with transaction():
        event = await lock_event(event_id, registrations_may_join=True)
        registration = await _registration(event_id, registration_id)
        return await _check_in(event, registration, actor, confirm)


async def undo_check_in(actor: Member, event_id: int, registration_id: int) -> bool:
    """Take a check-in back (a wrong click); attendance stays if a report counted them."""
    require_staff(actor, ATTENDANCE_STAFF_ONLY)
    async with transaction():
        event = await lock_event(event_id, registrations_may_join=True)
        registration = await _registration(event_id, registration_id)
        if registration["checked_in_at"] is None:
            return False
        minutes = registration["attended_minutes"] or 0.0
        reported = minutes >= threshold_minutes(event) and minutes > 0
        await Registration.update(
            {
                Registration.attendance: Attendance.attended.value if reported else "",
                Registration.checked_in_at: None,
                Registration.checked_in_by: None,
            }
        ).where(Registration.id == registration["id"])
        return True


async def registration_for_code(event_id: int, code: str) -> dict[str, Any] | None:
    """The event's registration (not cancelled) holding `code`, with the member's name."""
    normalized = normalize_code(code)
    if not normalized:
        return None
    rows = await fetch(
        "SELECT r.*, m.display_name AS member_name, m.email AS member_email, "
        "a.name AS account_name FROM events_registration r "
        "JOIN accounts_member m ON m.id = r.member "
        "LEFT JOIN accounts_account a ON a.id = r.account "
        "WHERE r.event = {} AND r.checkin_code = {} AND r.status <> 'cancelled'",
        event_id,
        normalized,
    )
    return rows[0] if rows else None


async def check_in_with_code(member: Member, event_id: int, code: str | None) -> dict[str, Any]:
    """Check in by code: a registrant their own registration within the window, staff the
    registrant holding the code at any time. Returns the registration (with its name)."""
    normalized = normalize_code(code or "")
    if not normalized:
        raise _code_error(N_("Enter your check-in code."))
    async with transaction():
        event = await lock_event(event_id, registrations_may_join=True)
        if event.status in (EventStatus.draft.value, EventStatus.cancelled.value):
            raise DomainError(N_("Check-in is not open for this event."))
        if member.is_staff:
            registration = await registration_for_code(event_id, normalized)
            if registration is None:
                raise _code_error(WRONG_CODE)
        else:
            registration = await _own_registration(member, event, normalized)
        checked_in = await _check_in(event, registration, member)
        registration["newly_checked_in"] = checked_in
        return registration


async def _own_registration(member: Member, event: EventRow, code: str) -> dict[str, Any]:
    rows = await fetch(
        "SELECT r.*, m.display_name AS member_name, m.email AS member_email, "
        "'' AS account_name FROM events_registration r "
        "JOIN accounts_member m ON m.id = r.member "
        "WHERE r.event = {} AND r.member = {} AND r.status <> 'cancelled'",
        event.id,
        member.id,
    )
    if not rows:
        raise DomainError(N_("You are not registered for this event, so you cannot check in."))
    registration = rows[0]
    if registration["status"] != RegistrationStatus.confirmed.value:
        raise DomainError(N_("Only confirmed registrants can check in."))
    opens, closes = checkin_window(event)
    now = utcnow()
    if now < opens:
        raise DomainError(
            N_("Check-in opens 30 minutes before the start. Please come back then."),
        )
    if now > closes:
        raise DomainError(N_("The event has ended: check-in is closed."))
    if registration["checkin_code"] != code:
        elsewhere = await fetch(
            "SELECT e.title FROM events_registration r JOIN events_event e ON e.id = r.event "
            "WHERE r.member = {} AND r.checkin_code = {} AND r.event <> {}",
            member.id,
            code,
            event.id,
        )
        if elsewhere:
            raise _code_error(
                N_("This check-in code is for another event (%(title)s)."),
                title=elsewhere[0]["title"],
            )
        raise _code_error(WRONG_CODE)
    return registration


def _code_error(message: str, **params: Any) -> DomainError:
    return DomainError(message, field_errors={"code": gettext(message, **params)}, **params)


async def roster(event_id: int, query: str | None = None) -> list[dict[str, Any]]:
    """Registrants (not cancelled) for the check-in table, filtered by name, email or code."""
    sql = (
        "SELECT r.id, r.status, r.attendance, r.checkin_code, r.attended_minutes, "
        "r.checked_in_at, r.added_by, m.id AS member_id, m.display_name AS member_name, "
        "m.email AS member_email, a.name AS account_name FROM events_registration r "
        "JOIN accounts_member m ON m.id = r.member "
        "LEFT JOIN accounts_account a ON a.id = r.account "
        "WHERE r.event = {} AND r.status <> 'cancelled'"
    )
    args: list[Any] = [event_id]
    text = unicodedata.normalize("NFKC", query or "").strip().lower()
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        sql += (
            " AND (lower(m.display_name) LIKE {} ESCAPE '\\' OR lower(m.email) LIKE {} "
            "ESCAPE '\\' OR r.checkin_code = {})"
        )
        args += [pattern, pattern, normalize_code(text) or "-"]
    sql += f" ORDER BY r.status, m.display_name, r.id LIMIT {ROSTER_LIMIT}"
    return await fetch(sql, *args)


async def attendance_counts(event_id: int) -> dict[str, int]:
    """Confirmed, checked in, attended and no-show counts of an event."""
    rows = await fetch(
        "SELECT status, attendance, checked_in_at IS NOT NULL AS checked_in, COUNT(*) AS n "
        "FROM events_registration WHERE event = {} AND status <> 'cancelled' "
        "GROUP BY status, attendance, checked_in_at IS NOT NULL",
        event_id,
    )
    counts = {"confirmed": 0, "checked_in": 0, "attended": 0, "no_show": 0}
    for row in rows:
        if row["status"] == RegistrationStatus.confirmed.value:
            counts["confirmed"] += row["n"]
        if row["checked_in"]:
            counts["checked_in"] += row["n"]
        if row["attendance"] in ("attended", "no_show"):
            counts[row["attendance"]] += row["n"]
    return counts
