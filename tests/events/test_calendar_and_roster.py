"""The private calendar feed, and the staff roster with its CSV export."""

from __future__ import annotations

import csv
import io

import icalendar

from core.spreadsheet import guard_cell
from events.calendar import event_uid
from events.registration import allocation as reg
from events.tables import CalendarToken
from tests.events.event_helpers import Cast, new_event
from tests.factories import make_member
from tests.support import assert_one_charset, signed_in


async def test_calendar_feed_token(app, settings, client, other_client) -> None:
    cast = await Cast.create()
    confirmed = await new_event(cast.csm, title="確定のもくもく会", capacity=1)
    waiting = await new_event(cast.csm, title="補欠のもくもく会", capacity=1)
    await reg.register(cast.alice, confirmed)
    await reg.register(cast.bob, waiting)
    await reg.register(cast.alice, waiting)

    await signed_in(client, cast.alice)
    page = await client.post_form("/events/calendar")
    assert page.status_code == 200
    import re

    url = re.search(r'value="(http://testserver\.local/events/calendar/[^"]+\.ics)"', page.text)
    assert url is not None
    assert "webcal://testserver.local/events/calendar/" in page.text
    path = url.group(1).removeprefix("http://testserver.local")
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    stored = await CalendarToken.select().first()
    assert stored is not None and token not in stored["digest"] and len(stored["digest"]) == 64

    feed = await other_client.get(path)  # no sign-in: the token is the key
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert_one_charset(feed)
    calendar = icalendar.Calendar.from_ical(feed.content)
    events = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["確定のもくもく会"]
    assert str(events[0]["UID"]) == event_uid(settings, confirmed)
    assert calendar.walk("VTIMEZONE")

    again = await client.post_form("/events/calendar")
    assert "http://testserver.local/events/calendar/" in again.text
    assert (await other_client.get(path)).status_code == 404  # regenerated: old one revoked
    assert await CalendarToken.count() == 1
    await client.post_form("/events/calendar/revoke")
    assert await CalendarToken.count() == 0
    assert (await other_client.get("/events/calendar/nonsense.ics")).status_code == 404


async def test_roster_counts_rows_and_csv(app, client) -> None:
    cast = await Cast.create()
    event_id = await new_event(cast.csm, capacity=1)
    evil = await make_member(cast.account, email="evil@sakura.example", name="=HYPERLINK(1)")
    await reg.register(evil, event_id)
    await reg.register(cast.alice, event_id)
    await reg.register(cast.bob, event_id)
    await reg.register(cast.carol, event_id)
    await reg.cancel(cast.carol, event_id)

    await signed_in(client, cast.csm)
    page = await client.get(f"/staff/events/{event_id}/roster")
    assert page.status_code == 200
    assert 'data-count="confirmed">1<' in page.text
    assert 'data-count="waitlisted">2<' in page.text
    assert 'data-count="cancelled">1<' in page.text
    assert "補欠（キャンセル待ち） 2 番目" in page.text
    assert "株式会社さくら" in page.text
    assert f"/staff/events/{event_id}/roster/" in page.text  # check-in forms from the panel

    export = await client.get(f"/staff/events/{event_id}/export.csv")
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    assert_one_charset(export)
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][0] == "申込番号"
    names = [row[3] for row in rows[1:]]
    assert "'=HYPERLINK(1)" in names
    statuses = [row[1] for row in rows[1:]]
    assert statuses == ["confirmed", "waitlisted", "waitlisted", "cancelled"]
    assert [row[2] for row in rows[1:3]] == ["", "1"]

    added = await client.post_form(
        f"/staff/events/{event_id}/roster/add", {"email": "dave@sakura.example"}
    )
    assert added.status_code == 303
    missing = await client.post_form(
        f"/staff/events/{event_id}/roster/add", {"email": "ghost@nowhere.example"}
    )
    assert missing.status_code == 400 and "ghost@nowhere.example" in missing.text
    over = await client.post_form(
        f"/staff/events/{event_id}/roster/add",
        {"email": cast.outsider.email, "over_capacity": "1"},
    )
    assert over.status_code == 303
    evil_row = await reg.active_registration(event_id, evil.id)
    assert evil_row is not None
    removed = await client.post_form(f"/staff/events/{event_id}/roster/{evil_row.id}/remove")
    assert removed.status_code == 303
    alice = await reg.active_registration(event_id, cast.alice.id)
    assert alice is not None and alice.status == "waitlisted"  # outsider is over capacity


def test_formula_guard() -> None:
    assert [guard_cell(v) for v in ("=1+1", "+81", "-2", "@SUM(A1)", "\tx", "ok", None, 7)] == [
        "'=1+1",
        "'+81",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "ok",
        "",
        "7",
    ]
