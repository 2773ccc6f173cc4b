"""iCalendar: invitations attached to emails, and each member's private calendar feed.

Times are written in the event's own zone (DTSTART;TZID=Asia/Tokyo) with its VTIMEZONE; the
UID is stable per event, and SEQUENCE (`calendar_sequence`) grows with each change that is
mailed (next_sequence), so calendars update or remove the entry rather than add a new one.
The feed URL carries a random token; only its digest is stored,
and making a new one revokes the old.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar

from accounts.tables import Member
from core.database import transaction
from core.markdown import plain_text
from core.security import random_token, token_digest
from core.settings import CoreSettings
from core.timeutil import utcnow
from events.rows import EventRow
from events.tables import CalendarToken, Event, EventStatus, Registration, RegistrationStatus

PRODID = "-//Kizuna//Events//JA"
FEED_PAST = timedelta(days=90)


def event_uid(settings: CoreSettings, event_id: int) -> str:
    host = urlsplit(settings.base_url).hostname or "kizuna.local"
    return f"kizuna-event-{event_id}@{host}"


async def next_sequence(event: EventRow) -> EventRow:
    """Raise the event's SEQUENCE before mailing a change: its title, time or place moved, or a
    seat (or the event) was cancelled. A calendar applies only an update whose SEQUENCE is
    higher than the one it holds. Returns the event with the new value (inside the caller's
    transaction, under the event lock)."""
    await Event.update({Event.calendar_sequence: Event.calendar_sequence + 1}).where(
        Event.id == event.id
    )
    return event.replace(calendar_sequence=event.calendar_sequence + 1)


def _location(event: EventRow, with_join_url: bool) -> str:
    if not event.online:
        return ", ".join(part for part in (event.venue, event.address) if part)
    return event.join_url if with_join_url else "Online"


def vevent(
    settings: CoreSettings,
    event: EventRow,
    *,
    attendee: str | None = None,
    confirmed: bool = True,
) -> Any:
    """One VEVENT for `event` (times in the event's zone)."""
    zone = ZoneInfo(event.timezone or "Asia/Tokyo")
    link = f"{settings.base_url}/events/{event.id}"
    component = icalendar.Event()
    component.add("uid", event_uid(settings, event.id))
    component.add("dtstamp", utcnow())
    component.add("sequence", int(event.calendar_sequence or 0))
    component.add("dtstart", event.starts_at.astimezone(zone))
    component.add("dtend", event.ends_at.astimezone(zone))
    component.add("summary", event.title)
    text = plain_text(event.description_html or "").strip()
    component.add("description", f"{text}\n\n{link}".strip())
    component.add("url", link)
    location = _location(event, confirmed)
    if location:
        component.add("location", location)
    cancelled = event.status == EventStatus.cancelled.value
    component.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    name, address = parseaddr(settings.mail_from)
    component.add("organizer", f"mailto:{address}", parameters={"cn": name or "Kizuna"})
    if attendee:
        component.add(
            "attendee",
            f"mailto:{attendee}",
            parameters={"role": "REQ-PARTICIPANT", "partstat": "ACCEPTED", "rsvp": "FALSE"},
        )
    return component


def _calendar(method: str | None, name: str | None = None) -> Any:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def invite_ics(
    settings: CoreSettings, event: EventRow, attendee: str, method: str = "REQUEST"
) -> bytes:
    """The .ics attached to a confirmation (REQUEST) or an event cancellation (CANCEL)."""
    calendar = _calendar(method)
    if method == "CANCEL":
        event = event.replace(status=EventStatus.cancelled.value)
    calendar.add_component(vevent(settings, event, attendee=attendee))
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


# --- the personal feed -------------------------------------------------------------------


async def create_feed_token(member: Member) -> str:
    """A new private feed token for `member` (the old one stops working). Shown once."""
    token = random_token(24)
    async with transaction():
        await CalendarToken.delete().where(CalendarToken.member == member.id)
        await CalendarToken.insert(CalendarToken(member=member.id, digest=token_digest(token)))
    return token


async def revoke_feed_token(member: Member) -> None:
    async with transaction():
        await CalendarToken.delete().where(CalendarToken.member == member.id)


async def feed_created_at(member: Member) -> datetime | None:
    row = (
        await CalendarToken.select(CalendarToken.created_at)
        .where(CalendarToken.member == member.id)
        .first()
    )
    return row["created_at"] if row else None


def feed_urls(settings: CoreSettings, token: str) -> tuple[str, str]:
    """(https URL, webcal URL) of a feed token."""
    url = f"{settings.base_url}/events/calendar/{token}.ics"
    return url, "webcal://" + url.split("://", 1)[1]


async def feed_ics(settings: CoreSettings, token: str) -> bytes | None:
    """The calendar of the token's member: their confirmed events (from 90 days back),
    cancelled events marked as such; None for an unknown or revoked token."""
    row = (
        await CalendarToken.select(CalendarToken.member)
        .where(CalendarToken.digest == token_digest(token))
        .first()
    )
    if row is None:
        return None
    registrations = await Registration.select(Registration.event).where(
        (Registration.member == row["member"])
        & (Registration.status == RegistrationStatus.confirmed.value)
    )
    calendar = _calendar(None, "Kizuna")
    event_ids = [r["event"] for r in registrations]
    if event_ids:
        events = await (
            Event.select()
            .where(
                Event.id.is_in(event_ids)
                & (Event.ends_at > utcnow() - FEED_PAST)
                & (Event.status != EventStatus.draft.value)
            )
            .order_by(Event.starts_at)
        )
        for event in events:
            calendar.add_component(vevent(settings, EventRow.of(event)))
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
