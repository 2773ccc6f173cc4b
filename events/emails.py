"""The events' emails: queued in the transaction of the change, written by a job.

A change (a registration, a promotion, a cancellation, an edited or cancelled event) queues
`event_email` for each registrant it concerns in its own transaction, so both commit or
neither; the job renders the email outside the event's lock and writes it to the outbox.
Each goes in the member's language and time zone. Confirmations (registration, promotion from
the waitlist, a won lottery) carry the event as an .ics invitation (METHOD:REQUEST); the
cancellation of an event carries METHOD:CANCEL for those who had a seat.
"""

from __future__ import annotations

from typing import Any

from core.jobs import enqueue
from core.mail import Attachment, send_email
from core.settings import CoreSettings
from core.timeutil import utcnow
from events.calendar import invite_ics
from events.rows import EventRow, RegistrationRow
from events.rules import get_event
from events.tables import Registration, RegistrationStatus

TEMPLATES = {
    "confirmed": "emails/events_registration.html",
    "waitlisted": "emails/events_registration.html",
    "applied": "emails/events_registration.html",
    "promoted": "emails/events_registration.html",
    "lottery_won": "emails/events_registration.html",
    "lottery_waitlisted": "emails/events_registration.html",
    "reminder_24h": "emails/events_reminder.html",
    "reminder_1h": "emails/events_reminder.html",
    "event_cancelled": "emails/events_registration.html",
    "event_updated": "emails/events_registration.html",
    "registration_cancelled": "emails/events_registration.html",
}
WITH_INVITE = {"confirmed", "promoted", "lottery_won", "event_updated"}
# A seat given up: the entry leaves the member's calendar (METHOD:CANCEL) when they had one.
WITH_CANCEL = {"event_cancelled", "registration_cancelled"}
CONFIRMED = RegistrationStatus.confirmed.value


def _columns() -> list[Any]:
    return [
        *Registration.all_columns(),
        Registration.member.email.as_alias("email"),
        Registration.member.display_name.as_alias("member_name"),
        Registration.member.locale.as_alias("locale"),
        Registration.member.timezone.as_alias("member_timezone"),
        Registration.account.name.as_alias("account_name"),
    ]


async def registration_row(registration_id: int) -> RegistrationRow:
    """A registration with its member's email, name, locale, time zone and account name."""
    row = await find_registration_row(registration_id)
    assert row is not None
    return row


async def find_registration_row(registration_id: int) -> RegistrationRow | None:
    row = await Registration.select(*_columns()).where(Registration.id == registration_id).first()
    return RegistrationRow.of(row) if row else None


async def registrants(event_id: int, statuses: tuple[str, ...]) -> list[RegistrationRow]:
    rows = await (
        Registration.select(*_columns())
        .where((Registration.event == event_id) & Registration.status.is_in(list(statuses)))
        .order_by(Registration.id)
    )
    return [RegistrationRow.of(row) for row in rows]


def ics_attachment(settings: CoreSettings, event: EventRow, email: str, method: str) -> Attachment:
    return Attachment(
        filename="invite.ics",
        content_type=f'text/calendar; charset="utf-8"; method={method}',
        data=invite_ics(settings, event, email, method=method),
    )


async def queue_event_email(kind: str, registration_id: int, **extra: Any) -> None:
    """Ask for email `kind` to the member of a registration, after the current transaction
    commits; `extra` (JSON values: a waitlist `position`, `held_seat`) is what the moment of
    the change knew and the job cannot read back."""
    if kind not in TEMPLATES:
        raise ValueError(f"unknown event email {kind!r}")
    await enqueue(event_email, kind, registration_id, extra)


async def event_email(ctx: dict[str, Any], kind: str, registration_id: int, extra: Any) -> int:
    """Job: write email `kind` about a registration's event to the outbox (queue_event_email)."""
    row = await find_registration_row(registration_id)
    if row is None:  # removed with its account meanwhile: no one to tell
        return 0
    event = await get_event(row.event)
    return await send_event_email(ctx["settings"], kind, event, row, **dict(extra or {}))


async def send_event_email(
    settings: CoreSettings, kind: str, event: EventRow, row: RegistrationRow, **extra: Any
) -> int:
    """Email `kind` about `event` to the member of registration `row` (registration_row).

    Nothing is sent about an event that has ended: no confirmation, invite or reminder for a
    past event (staff fixing a roster afterwards tell no one). Returns 0 then.
    """
    if event.ends_at <= utcnow():
        return 0
    attachments: tuple[Attachment, ...] = ()
    if kind in WITH_INVITE:
        attachments = (ics_attachment(settings, event, row.email, "REQUEST"),)
    elif kind in WITH_CANCEL and extra.get("held_seat", row.status == CONFIRMED):
        attachments = (ics_attachment(settings, event, row.email, "CANCEL"),)
    confirmed = kind in WITH_INVITE or (
        kind.startswith("reminder") and row.status == RegistrationStatus.confirmed.value
    )
    return await send_email(
        row.email,
        TEMPLATES[kind],
        row.locale or settings.default_locale,
        attachments=attachments,
        kind=kind,
        event=event,
        name=row.member_name,
        zone=row.member_timezone or settings.default_timezone,
        checkin_code=row.checkin_code if confirmed else "",
        join_url=event.join_url if confirmed and event.online else "",
        link=f"{settings.base_url}/events/{event.id}",
        position=extra.get("position"),
    )
