"""A calendar meeting (.ics, as Outlook, Google Calendar or Teams export it) read into a touch
form: its title, start, length, UID, and its attendees matched to the account's members and to
staff by email. Nothing is saved here: the CSM checks the form and saves it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import icalendar

from accounts.services import normalize_email
from accounts.tables import Member
from core.errors import DomainError
from core.i18n import N_

MAX_BYTES = 1024 * 1024


@dataclass
class CalendarMeeting:
    uid: str
    title: str
    starts_at: datetime
    minutes: int
    participant_ids: list[int] = field(default_factory=list)
    staff_ids: list[int] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  # attendees who are neither


def _text(data: bytes) -> str:
    if not data.strip():
        raise DomainError(N_("The file is empty."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DomainError(
            N_("The calendar file is not UTF-8 text. Export the meeting again as .ics.")
        ) from exc


def _moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    raise DomainError(N_("The meeting in the calendar file has no start time."))


def parse_meeting(data: bytes) -> tuple[str, str, datetime, int, list[str]]:
    """(uid, title, start, minutes, attendee emails) of the file's first event."""
    if len(data) > MAX_BYTES:
        raise DomainError(N_("The calendar file is larger than 1 MB."))
    try:
        calendar = icalendar.Calendar.from_ical(_text(data))
    except ValueError as exc:
        raise DomainError(N_("This is not a calendar file (.ics).")) from exc
    events = list(calendar.walk("VEVENT"))
    if not events:
        raise DomainError(N_("The calendar file holds no meeting."))
    event = events[0]
    start = _moment(event.decoded("DTSTART", None))
    if event.get("DTEND") is not None:
        end = _moment(event.decoded("DTEND"))
    elif event.get("DURATION") is not None:
        end = start + event.decoded("DURATION")
    else:
        end = start + timedelta(minutes=30)
    minutes = max(1, min(600, int((end - start).total_seconds() // 60)))
    attendees = event.get("ATTENDEE") or []
    if not isinstance(attendees, list):
        attendees = [attendees]
    emails = []
    for attendee in [*attendees, event.get("ORGANIZER")]:
        if attendee is None:
            continue
        address = str(attendee).removeprefix("mailto:").removeprefix("MAILTO:").strip()
        if "@" in address:
            emails.append(normalize_email(address))
    uid = str(event.get("UID") or "")[:300]
    title = str(event.get("SUMMARY") or "")[:200]
    return uid, title, start, minutes, list(dict.fromkeys(emails))


async def read_meeting(data: bytes, account_id: int) -> CalendarMeeting:
    """The meeting with its attendees matched: the account's members take part, staff do it,
    anyone else is listed as unmatched (another account's member included)."""
    uid, title, start, minutes, emails = parse_meeting(data)
    meeting = CalendarMeeting(uid, title, start, minutes)
    if not emails:
        return meeting
    rows = await Member.select(Member.id, Member.email, Member.role, Member.account).where(
        Member.email.is_in(emails) & Member.active.eq(True)
    )
    by_email = {row["email"]: row for row in rows}
    for email in emails:
        row = by_email.get(email)
        if row is None:
            meeting.unmatched.append(email)
        elif row["role"] in ("csm", "admin"):
            meeting.staff_ids.append(row["id"])
        elif row["account"] == account_id:
            meeting.participant_ids.append(row["id"])
        else:
            meeting.unmatched.append(email)
    return meeting
