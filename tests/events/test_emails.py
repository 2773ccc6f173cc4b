"""Emails: confirmation with an .ics invitation, both languages, reminders once, cancellation."""

from __future__ import annotations

from datetime import timedelta

from core.timeutil import utcnow
from events.calendar import event_uid
from events.jobs import send_reminders, sweep_reminders
from events.registration import allocation as reg
from events.services import cancel_event
from events.tables import Event
from tests.events.event_helpers import Cast, calendars, new_event, subjects


async def test_confirmation_carries_an_invitation(app, settings, run_jobs, mailbox) -> None:
    cast = await Cast.create()
    event_id = await new_event(
        cast.csm,
        title="設定もくもく会",
        timezone="Asia/Tokyo",
        capacity=3,
    )
    row, _ = await reg.register(cast.alice, event_id)
    await run_jobs()
    [message] = mailbox.to(cast.alice.email)
    assert subjects(mailbox, cast.alice.email) == ["参加確定：設定もくもく会"]
    text = mailbox.text_of(message)
    assert row.checkin_code in text
    assert "東京オフィス 会議室A" in text
    [calendar] = calendars(message)
    assert str(calendar["METHOD"]) == "REQUEST"
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == event_uid(settings, event_id)
    assert vevent["DTSTART"].params["TZID"] == "Asia/Tokyo"
    [vtimezone] = calendar.walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == "Asia/Tokyo"
    stored = await Event.select(Event.starts_at).where(Event.id == event_id).first()
    assert vevent.decoded("DTSTART") == stored["starts_at"]
    assert str(vevent["SUMMARY"]) == "設定もくもく会"
    assert "mailto:alice@sakura.example" in str(vevent["ATTENDEE"])


async def test_english_member_gets_english_and_webinar_link_only_when_confirmed(
    app, settings, run_jobs, mailbox
) -> None:
    cast = await Cast.create()
    event_id = await new_event(
        cast.csm,
        kind="webinar",
        title="Product webinar",
        join_url="https://zoom.example/j/42",
        capacity=1,
    )
    await reg.register(cast.alice, event_id)
    await reg.register(cast.dave, event_id)  # English, waitlisted
    await run_jobs()
    [waiting] = mailbox.to(cast.dave.email)
    assert subjects(mailbox, cast.dave.email) == ["You are on the waitlist: Product webinar"]
    assert "number 1 on the waitlist" in mailbox.text_of(waiting)
    assert "zoom.example" not in mailbox.text_of(waiting)
    assert calendars(waiting) == []
    assert "https://zoom.example/j/42" in mailbox.text_of(mailbox.to(cast.alice.email)[0])

    mailbox.clear()
    await reg.cancel(cast.alice, event_id)
    await run_jobs()
    [promoted] = mailbox.to(cast.dave.email)
    assert subjects(mailbox, cast.dave.email) == [
        "A seat freed up: you are confirmed for Product webinar"
    ]
    assert "https://zoom.example/j/42" in mailbox.text_of(promoted)
    [calendar] = calendars(promoted)
    assert str(calendar.walk("VEVENT")[0]["UID"]) == event_uid(settings, event_id)


async def test_reminders_are_sent_once(app, settings, run_jobs, mailbox) -> None:
    cast = await Cast.create()
    soon = await new_event(cast.csm, starts_in=timedelta(hours=23, minutes=58), capacity=2)
    await reg.register(cast.alice, soon)
    await reg.register(cast.bob, soon)
    await reg.register(cast.carol, soon)  # waitlisted: no reminder
    await run_jobs()
    mailbox.clear()

    assert await sweep_reminders({"settings": settings}) == 1
    assert await sweep_reminders({"settings": settings}) == 0
    assert await send_reminders(settings, soon) is None
    await run_jobs()
    assert subjects(mailbox, cast.alice.email) == ["明日開催：もくもく会"]
    assert len(mailbox.to(cast.bob.email)) == 1
    assert mailbox.to(cast.carol.email) == []

    mailbox.clear()
    await Event.update({Event.starts_at: utcnow() + timedelta(minutes=57)}).where(Event.id == soon)
    assert await sweep_reminders({"settings": settings}) == 1
    assert await sweep_reminders({"settings": settings}) == 0
    await run_jobs()
    assert subjects(mailbox, cast.alice.email) == ["まもなく開始（1時間前）：もくもく会"]


async def test_late_event_gets_only_the_hour_reminder(app, settings, run_jobs, mailbox) -> None:
    cast = await Cast.create()
    event_id = await new_event(cast.csm, starts_in=timedelta(minutes=59))
    await reg.register(cast.alice, event_id)
    await run_jobs()
    mailbox.clear()
    assert await send_reminders(settings, event_id) == "1h"
    assert await send_reminders(settings, event_id) is None
    await run_jobs()
    assert len(mailbox.to(cast.alice.email)) == 1
    row = await Event.select().where(Event.id == event_id).first()
    assert row["reminded_24h_at"] is not None  # the day-before one is past: never sent


async def test_a_reminder_is_never_sent_late(app, settings, run_jobs, mailbox) -> None:
    """Issue 12: the "1 hour before" reminder went out 25 minutes before the start."""
    cast = await Cast.create()
    late = await new_event(cast.csm, starts_in=timedelta(minutes=25))
    evening = await new_event(cast.csm, starts_in=timedelta(hours=10))
    for event_id in (late, evening):
        await reg.register(cast.alice, event_id)
    await run_jobs()
    mailbox.clear()
    assert await sweep_reminders({"settings": settings}) == 0
    await run_jobs()
    assert mailbox.messages == []
    rows = {r["id"]: r for r in await Event.select().where(Event.id.is_in([late, evening]))}
    assert rows[late]["reminded_1h_at"] is not None  # claimed: never sent afterwards either
    assert rows[evening]["reminded_24h_at"] is not None and rows[evening]["reminded_1h_at"] is None
    await Event.update({Event.starts_at: utcnow() + timedelta(minutes=58)}).where(
        Event.id == evening
    )
    assert await sweep_reminders({"settings": settings}) == 1  # its hour reminder, on time


async def test_cancelling_the_event_tells_registrants(app, run_jobs, mailbox) -> None:
    cast = await Cast.create()
    event_id = await new_event(cast.csm, capacity=1)
    await reg.register(cast.alice, event_id)
    await reg.register(cast.bob, event_id)
    await reg.register(cast.carol, event_id)
    await reg.cancel(cast.carol, event_id)
    await run_jobs()
    mailbox.clear()
    assert await cancel_event(cast.csm, event_id) == 2
    await run_jobs()
    assert subjects(mailbox, cast.alice.email) == ["中止のお知らせ：もくもく会"]
    assert len(mailbox.to(cast.bob.email)) == 1
    assert mailbox.to(cast.carol.email) == []
    [calendar] = calendars(mailbox.to(cast.alice.email)[0])
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(calendar.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
    assert calendars(mailbox.to(cast.bob.email)[0]) == []
