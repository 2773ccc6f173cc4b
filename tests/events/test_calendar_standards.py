"""Issue 12: what real calendar and mail clients check, parsed by standards-following libraries.

The emails are read back from the SMTP sink with the standard library's `email` package under
its modern policy (which honours the declared charset and nothing else), and the .ics parts with
`icalendar`.
"""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta
from email.utils import parseaddr, parsedate_to_datetime

from events.calendar import event_uid
from events.registration import allocation as reg
from events.services import update_event
from tests.events.event_helpers import (
    Cast,
    calendars,
    event_input,
    event_row,
    new_event,
    subjects,
    tokyo,
)


def reparsed(message):
    """The message as a strict client reads it (bytes → EmailMessage, policy.default)."""
    return email.message_from_bytes(message.as_bytes(), policy=email.policy.default)


def calendar_part(message):
    [part] = [p for p in reparsed(message).walk() if p.get_content_type() == "text/calendar"]
    return part


async def test_invite_is_utf8_with_an_address_organizer_and_a_proper_date(app, run_jobs, mailbox):
    cast = await Cast.create()
    event_id = await new_event(cast.csm, title="設定もくもく会")
    await reg.register(cast.alice, event_id)
    await run_jobs()
    [message] = mailbox.to(cast.alice.email)
    part = calendar_part(message)
    assert part.get_content_charset() == "utf-8"  # 17: was missing, read as US-ASCII
    assert part.get_param("method") == "REQUEST"
    assert "設定もくもく会" in part.get_content()  # decoded by the declared charset
    header = part["content-type"]
    assert str(header).count("charset") == 1
    [vevent] = calendars(message)[0].walk("VEVENT")
    organizer = vevent["ORGANIZER"]
    assert str(organizer).startswith("mailto:") and "<" not in str(organizer)  # 14
    assert parseaddr(str(organizer).removeprefix("mailto:"))[1] == str(organizer)[7:]
    assert organizer.params["CN"]
    date = message["Date"]
    assert date.endswith("+0000") and parsedate_to_datetime(date).utcoffset() == timedelta(0)


async def test_a_changed_event_sends_the_updated_invite(app, settings, run_jobs, mailbox):
    cast = await Cast.create()
    event_id = await new_event(cast.csm, title="設定もくもく会", capacity=1)
    await reg.register(cast.alice, event_id)
    await reg.register(cast.bob, event_id)  # waitlisted: has nothing in the calendar
    await run_jobs()
    [first] = calendars(mailbox.to(cast.alice.email)[0])
    old_sequence = int(first.walk("VEVENT")[0]["SEQUENCE"])
    mailbox.clear()
    event = await event_row(event_id)
    moved = event_input(
        title="設定もくもく会（時間変更）",
        capacity=1,
        starts_at=tokyo(timedelta(days=7, hours=1)),
        ends_at=tokyo(timedelta(days=7, hours=3)),
    )
    await update_event(cast.csm, event_id, moved)
    await run_jobs()
    assert subjects(mailbox, cast.alice.email) == ["変更のお知らせ: 設定もくもく会（時間変更）"]
    assert mailbox.to(cast.bob.email) == []
    [calendar] = calendars(mailbox.to(cast.alice.email)[0])
    assert str(calendar["METHOD"]) == "REQUEST"
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == event_uid(settings, event_id)
    assert int(vevent["SEQUENCE"]) > old_sequence
    assert vevent.decoded("DTSTART") == (await event_row(event_id))["starts_at"]
    assert vevent.decoded("DTSTART") != event["starts_at"]

    mailbox.clear()  # an edit that changes nothing a calendar holds sends nothing
    await update_event(cast.csm, event_id, moved.model_copy(update={"description": "追記"}))
    await run_jobs()
    assert mailbox.messages == []


async def test_cancelling_or_being_removed_sends_a_cancel(app, settings, run_jobs, mailbox):
    cast = await Cast.create()
    event_id = await new_event(cast.csm, capacity=1)
    await reg.register(cast.alice, event_id)
    row, _ = await reg.register(cast.bob, event_id)  # waitlisted
    await run_jobs()
    [invite] = calendars(mailbox.to(cast.alice.email)[0])
    sequence = int(invite.walk("VEVENT")[0]["SEQUENCE"])
    mailbox.clear()
    await reg.cancel(cast.alice, event_id)  # 16: bob is promoted into the seat
    await run_jobs()
    [cancelled] = mailbox.to(cast.alice.email)
    [calendar] = calendars(cancelled)
    assert str(calendar["METHOD"]) == "CANCEL"
    [vevent] = calendar.walk("VEVENT")
    assert (
        str(vevent["UID"]) == event_uid(settings, event_id) and str(vevent["STATUS"]) == "CANCELLED"
    )
    assert int(vevent["SEQUENCE"]) > sequence
    assert "mailto:alice@sakura.example" in str(vevent["ATTENDEE"])
    assert [m for m in mailbox.to(cast.bob.email) if calendars(m)]  # promoted: an invite
    mailbox.clear()
    await reg.remove_registrant(cast.csm, event_id, row.id)
    await run_jobs()
    [removed] = mailbox.to(cast.bob.email)
    assert str(calendars(removed)[0]["METHOD"]) == "CANCEL"


async def test_nothing_is_sent_about_an_event_that_has_ended(app, run_jobs, mailbox):
    cast = await Cast.create()
    past = await new_event(cast.csm, starts_in=timedelta(days=-3), capacity=5)
    await reg.add_registrant(cast.csm, past, cast.alice.email)  # 4: roster fixed afterwards
    await run_jobs()
    assert mailbox.to(cast.alice.email) == []
