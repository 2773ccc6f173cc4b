"""Feedback (アンケート): attendees rate an event 1–5 with a comment, once per registration.

A registrant may answer once the event has started and their attendance is `attended`
(checked in, or counted from a report). Answering again edits the same answer: people
remember something after the event, and one answer per registration keeps averages fair.
Hosts and staff see the count, the average, the spread and the comments.
"""

from __future__ import annotations

from typing import Any

from accounts.tables import Member
from core.database import fetch, transaction
from core.errors import DomainError
from core.i18n import N_, gettext
from core.timeutil import utcnow
from events.rows import EventRow, RegistrationRow
from events.rules import get_event
from events.tables import Attendance, Feedback, Registration, RegistrationStatus

RATINGS = (1, 2, 3, 4, 5)
COMMENT_MAX = 2000
BAD_RATING = N_("Choose a rating from 1 to 5.")


def clean_feedback(rating: Any, comment: Any) -> tuple[int, str]:
    """(rating, comment) or a DomainError with the fields that are wrong, translated."""
    errors: dict[str, str] = {}
    value = None
    try:
        value = int(str(rating).strip()) if rating is not None and str(rating).strip() else None
    except ValueError:
        value = None
    if value not in RATINGS:
        errors["rating"] = gettext(BAD_RATING)
    text = str(comment or "").strip()
    if len(text) > COMMENT_MAX:
        errors["comment"] = gettext(
            "Keep the comment to %(max)s characters or fewer (now %(count)s).",
            max=COMMENT_MAX,
            count=len(text),
        )
    if errors:
        first = next(iter(errors))
        if first == "rating":
            raise DomainError(BAD_RATING, field_errors=errors)
        raise DomainError(
            N_("Keep the comment to %(max)s characters or fewer (now %(count)s)."),
            field_errors=errors,
            max=COMMENT_MAX,
            count=len(text),
        )
    assert value is not None
    return value, text


FEEDBACK_NOT_OPEN = N_("Feedback opens when the event starts.")
NOT_ATTENDED = N_("Only people who attended this event can give feedback.")


def feedback_open(event: EventRow, registration: RegistrationRow | None) -> bool:
    """Whether the member of `registration` may answer: the event started and they attended.
    The event page offers the form only then; submitting checks the same rule."""
    return bool(
        registration
        and registration.status != RegistrationStatus.cancelled.value
        and registration.attendance == Attendance.attended.value
        and event.starts_at <= utcnow()
    )


async def _attended_registration(member: Member, event_id: int) -> dict[str, Any]:
    registration = (
        await Registration.select(Registration.id, Registration.attendance)
        .where(
            (Registration.event == event_id)
            & (Registration.member == member.id)
            & (Registration.status != RegistrationStatus.cancelled.value)
        )
        .first()
    )
    if registration is None or registration["attendance"] != Attendance.attended.value:
        raise DomainError(NOT_ATTENDED)
    return registration


async def submit_feedback(member: Member, event_id: int, rating: Any, comment: Any) -> bool:
    """Store (or replace) the member's answer; True when it is a first answer."""
    value, text = clean_feedback(rating, comment)
    async with transaction():
        event = await get_event(event_id)
        if event.starts_at > utcnow():
            raise DomainError(FEEDBACK_NOT_OPEN)
        registration = await _attended_registration(member, event_id)
        first = not await Feedback.exists().where(Feedback.registration == registration["id"])
        await Feedback.insert(
            Feedback(registration=registration["id"], event=event_id, rating=value, comment=text)
        ).on_conflict(
            target=Feedback.registration,
            action="DO UPDATE",
            values=[Feedback.rating, Feedback.comment],
        )
        return first


async def my_feedback(member: Member, event_id: int) -> dict[str, Any] | None:
    rows = await fetch(
        "SELECT f.rating, f.comment, f.created_at FROM events_feedback f "
        "JOIN events_registration r ON r.id = f.registration "
        "WHERE f.event = {} AND r.member = {}",
        event_id,
        member.id,
    )
    return rows[0] if rows else None


async def feedback_summary(event_id: int) -> dict[str, Any]:
    """Count, average (one decimal), answers per rating, and the comments, newest first."""
    rows = await fetch(
        "SELECT f.rating, f.comment, f.created_at, m.display_name AS member_name, "
        "a.name AS account_name FROM events_feedback f "
        "JOIN events_registration r ON r.id = f.registration "
        "JOIN accounts_member m ON m.id = r.member "
        "LEFT JOIN accounts_account a ON a.id = r.account "
        "WHERE f.event = {} ORDER BY f.created_at DESC, f.id DESC",
        event_id,
    )
    count = len(rows)
    spread = {rating: 0 for rating in RATINGS}
    for row in rows:
        spread[row["rating"]] = spread.get(row["rating"], 0) + 1
    average = round(sum(row["rating"] for row in rows) / count, 1) if count else None
    return {
        "count": count,
        "average": average,
        "spread": spread,
        "comments": [row for row in rows if row["comment"]],
    }
