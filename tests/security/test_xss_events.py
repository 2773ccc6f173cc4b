"""XSS and injection through events: titles, Markdown descriptions, venues, addresses, join
URLs, feedback comments and attendance reports, to the event pages, the staff pages, the JSON
API, the registration and cancellation emails, the .ics invitation and the calendar feed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import icalendar
from markupsafe import escape

from accounts.tables import Account, Member
from events.tables import Event
from tests.events.attendance_helpers import make_event, register
from tests.events.event_helpers import calendars, tokyo
from tests.factories import make_account, make_member
from tests.security.helpers import csv_bytes, email_problems, parts, problems_on, rename, sign_in
from tests.security.xss_corpus import PAYLOADS, audit, hostile, page_problems, shown_as_text
from tests.support import FormClient, Mailbox, subject_of

TITLE, WEBINAR = hostile("event title"), hostile("webinar title")
VENUE, ADDRESS = hostile("venue"), hostile("address")
MEMBER, STAFF, ACCOUNT = hostile("member"), hostile("csm"), hostile("account")
FEEDBACK = hostile("feedback comment")
DESCRIPTION = "\n\n".join(PAYLOADS)
JOIN_URL = "https://meet.example/j/1?pwd=\"><script>alert(1)</script>&x='onmouseover=alert(1)"
HOSTILE_ADDRESS = 'x"><img/src=x/onerror=alert(1)>@evil.example'


def event_form(**fields: str) -> dict[str, Any]:
    starts = tokyo(timedelta(days=10))
    values: dict[str, Any] = {
        "kind": "mokumoku",
        "title": TITLE,
        "description": DESCRIPTION,
        "timezone": "Asia/Tokyo",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "venue": VENUE,
        "address": ADDRESS,
        "capacity": "10",
        "allocation": "first_come",
        "audience": "all",
        "repeat": "none",
        "action": "publish",
    }
    return values | fields


async def create_event(client: FormClient, **fields: str) -> int:
    response = await client.post_form("/staff/events/new", event_form(**fields))
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/events/(\d+)", response.headers["location"])
    assert match
    return int(match.group(1))


@dataclass
class Cast:
    """A CSM (hostile name) who creates and hosts the events, and Alice (hostile name, at an
    account with a hostile name) who registers."""

    account: Account
    csm: Member
    alice: Member

    @classmethod
    async def create(cls, client: FormClient) -> Cast:
        account = await make_account(ACCOUNT, domains="a.example")
        csm = await make_member(None, role="csm", email="csm@vendor.example")
        alice = await make_member(account, email="alice@a.example")
        await rename(client, alice, MEMBER)
        await rename(client, csm, STAFF)
        return cls(account, csm, alice)


async def test_event_text_is_escaped_on_pages_and_in_the_api(client, other_client, settings):
    cast = await Cast.create(client)
    await sign_in(client, cast.csm)
    onsite = await create_event(client, hosts=str(cast.csm.id))
    online = await create_event(
        client, kind="webinar", title=WEBINAR, online="1", join_url=JOIN_URL, venue=""
    )
    stored = await Event.select(Event.description_html).where(Event.id == onsite).first()
    assert stored is not None and audit(stored["description_html"]) == []
    await sign_in(other_client, cast.alice)
    for event_id in (onsite, online):
        registered = await other_client.post_form(f"/events/{event_id}/register")
        assert registered.status_code == 303, registered.text
    problems: list[str] = []
    for path, values in (
        ("/events", (TITLE, WEBINAR, VENUE)),
        (f"/events/{onsite}", (TITLE, VENUE, ADDRESS, STAFF)),
        (f"/events/{online}", (WEBINAR, JOIN_URL)),
        ("/events/calendar", ()),
        ("/", (TITLE,)),
    ):
        problems += await problems_on(other_client, path, *values)
    page = await other_client.get(f"/events/{onsite}")
    [description] = re.findall(
        r'<section class="event-description post-body"[^>]*>(.*?)</section>', page.text, re.S
    )
    problems += [f"description: {p}" for p in audit(description)]
    assert shown_as_text(description, "<script>alert(1)</script>")  # shown, as text
    joined = await other_client.get(f"/events/{online}")
    assert f'href="{_attribute(JOIN_URL)}"' in joined.text  # the link is the URL as given
    for path, values in (
        ("/staff/events", (TITLE, WEBINAR)),
        (f"/staff/events/{onsite}/edit", (TITLE, VENUE, ADDRESS, DESCRIPTION, STAFF, ACCOUNT)),
        (f"/staff/events/{online}/edit", (WEBINAR, JOIN_URL)),
        (f"/staff/events/{onsite}/roster", (TITLE, MEMBER, ACCOUNT)),
        (f"/events/{onsite}", (TITLE, VENUE, ADDRESS, STAFF)),
    ):
        problems += await problems_on(client, path, *values)
    assert not problems, "\n".join(problems)
    api = await other_client.get(f"/api/v1/events/{online}")
    assert api.headers["content-type"].split(";")[0] == "application/json"
    assert api.json()["title"] == WEBINAR and api.json()["join_url"] == JOIN_URL
    described = (await other_client.get(f"/api/v1/events/{onsite}")).json()
    assert audit(described["description_html"]) == []
    assert (described["venue"], described["address"]) == (VENUE, ADDRESS)
    roster = await client.get(f"/api/v1/events/{onsite}/roster")
    assert roster.headers["content-type"].split(";")[0] == "application/json"
    assert [row["display_name"] for row in roster.json()["rows"]] == [MEMBER]


def _attribute(value: str) -> str:
    """`value` as Jinja writes it inside a double-quoted attribute."""
    return str(escape(value))


async def test_a_join_url_that_is_not_http_never_becomes_a_link(client, settings):
    cast = await Cast.create(client)
    await sign_in(client, cast.csm)
    for url in (
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "  javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "//evil.example/join",
        "https://meet.example/j\njavascript:alert(1)",
        "https://meet.example/j\r\nJoin URL: https://evil.example",
    ):
        response = await client.post_form(
            "/staff/events/new", event_form(kind="webinar", online="1", join_url=url, venue="")
        )
        assert response.status_code == 400, url
        assert "http:// または https:// で始まるURLを入力してください" in response.text, url
        assert page_problems(response.text) == [], url
    assert await Event.count() == 0
    event_id = await create_event(client, kind="webinar", online="1", join_url=JOIN_URL, venue="")
    edited = await client.post_form(
        f"/staff/events/{event_id}/edit",
        event_form(kind="webinar", online="1", join_url="javascript:alert(1)", venue=""),
    )
    assert edited.status_code == 400
    row = await Event.select(Event.join_url).where(Event.id == event_id).first()
    assert row == {"join_url": JOIN_URL}


async def test_emails_and_invitations_carry_event_text_safely(
    client, other_client, settings, run_jobs, mailbox: Mailbox
):
    cast = await Cast.create(client)
    await sign_in(client, cast.csm)
    onsite = await create_event(client)
    online = await create_event(
        client, kind="webinar", title=WEBINAR, online="1", join_url=JOIN_URL, venue=""
    )
    await sign_in(other_client, cast.alice)
    for event_id in (onsite, online):
        await other_client.post_form(f"/events/{event_id}/register")
    await run_jobs()
    by_title = {subject_of(m): m for m in mailbox.to(cast.alice.email)}
    confirmed = by_title[f"参加確定：{TITLE}"]
    webinar = by_title[f"参加確定：{WEBINAR}"]
    problems = email_problems(confirmed, TITLE, VENUE, ADDRESS, MEMBER)
    problems += email_problems(webinar, WEBINAR, JOIN_URL)
    assert not problems, "\n".join(problems)
    _, html = parts(webinar)
    assert f'href="{_attribute(JOIN_URL)}"' in html
    [invite] = calendars(confirmed)
    [vevent] = invite.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == TITLE
    assert str(vevent["LOCATION"]) == f"{VENUE}, {ADDRESS}"
    [online_invite] = calendars(webinar)
    assert str(online_invite.walk("VEVENT")[0]["LOCATION"]) == JOIN_URL
    mailbox.clear()
    cancelled = await client.post_form(f"/staff/events/{onsite}/cancel")
    assert cancelled.status_code == 303
    await run_jobs()
    [notice] = mailbox.to(cast.alice.email)
    assert subject_of(notice) == f"中止のお知らせ：{TITLE}"
    problems = email_problems(notice, TITLE, VENUE, MEMBER)
    assert not problems, "\n".join(problems)


async def test_line_breaks_cannot_add_calendar_properties(
    client, other_client, settings, run_jobs, mailbox
):
    cast = await Cast.create(client)
    await sign_in(client, cast.csm)
    injected = "\r\nATTENDEE:mailto:evil@example.com\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:偽物"
    event_id = await create_event(
        client,
        title="もくもく会" + injected,
        description="持ち物" + injected,
        venue="会議室" + injected,
        address="東京" + injected.replace("\r\n", "\n"),
    )
    await sign_in(other_client, cast.alice)
    await other_client.post_form(f"/events/{event_id}/register")
    await run_jobs()
    made = await other_client.post_form("/events/calendar")
    feed_path = re.search(r"https?://[^/\s\"<]+(/events/calendar/[A-Za-z0-9_\-]+\.ics)", made.text)
    assert feed_path, made.text
    feed = await other_client.get(feed_path.group(1))
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    for raw in (feed.content, _invite_bytes(mailbox, cast.alice.email)):
        lines = raw.split(b"\r\n")
        assert all(b"\n" not in line and b"\r" not in line for line in lines)
        assert not any(
            line.startswith((b"ATTENDEE:mailto:evil", b"SUMMARY:\xe5\x81\xbd")) for line in lines
        )
        assert lines.count(b"BEGIN:VEVENT") == 1 and lines.count(b"END:VEVENT") == 1
        calendar = icalendar.Calendar.from_ical(raw)
        [vevent] = calendar.walk("VEVENT")
        assert str(vevent["SUMMARY"]).startswith("もくもく会") and "偽物" in str(vevent["SUMMARY"])
        attendees = vevent.get("ATTENDEE")
        addresses = [str(a) for a in (attendees if isinstance(attendees, list) else [attendees])]
        assert "mailto:evil@example.com" not in addresses


def _invite_bytes(mailbox: Mailbox, address: str) -> bytes:
    for message in mailbox.to(address):
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)
                return payload
    raise AssertionError("no invitation was sent")


async def test_feedback_and_attendance_reports_are_escaped_for_staff(client, settings):
    cast = await Cast.create(client)
    event = await make_event("webinar", title=TITLE)
    await register(event, cast.alice, attendance="attended")
    await sign_in(client, cast.alice)
    answered = await client.post_form(
        f"/events/{event.id}/feedback", {"rating": "4", "comment": FEEDBACK}
    )
    assert answered.status_code == 303, answered.text
    problems = await problems_on(client, f"/events/{event.id}/feedback", FEEDBACK, TITLE)
    await sign_in(client, cast.csm)
    report = csv_bytes(
        ["Name (Original Name)", "User Email", "Join Time", "Leave Time", "Duration (Minutes)"],
        [MEMBER, "alice@a.example", "11/21/2026 01:01:00 PM", "11/21/2026 01:41:00 PM", "40"],
        [
            hostile("guest"),
            HOSTILE_ADDRESS,
            "11/21/2026 01:01:00 PM",
            "11/21/2026 01:41:00 PM",
            "40",
        ],
    )
    filename = '"><img src=x onerror=alert(1)>.csv'
    uploaded = await client.post_form(
        f"/staff/events/{event.id}/attendance", files={"file": (filename, report, "text/csv")}
    )
    assert uploaded.status_code == 303, uploaded.text
    problems += await problems_on(
        client,
        f"/staff/events/{event.id}/attendance",
        FEEDBACK,
        TITLE,
        MEMBER,
        filename,
        HOSTILE_ADDRESS,
    )
    problems += await problems_on(client, f"/events/{event.id}", TITLE)
    assert not problems, "\n".join(problems)
