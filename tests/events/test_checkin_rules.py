"""Issue 12: error pages of check-in and feedback, waitlisted check-in, reports of another meeting.

Each test here failed before its fix: the pages answered as JSON, a waitlisted registrant was
checked in and stayed 補欠, and a report of 20 November went into an event of 1 November.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar, get
from litestar.response import Template

from core.web import page_handlers_answering_json
from events.attendance import checkin
from events.attendance import imports as attendance_import
from events.attendance.same_meeting import ReportOfAnotherMeeting
from events.tables import Registration
from tests.events.attendance_helpers import People, make_event, register, registration, report
from tests.support import problem, signed_in

WEBINAR_REPORT_AT = datetime(2026, 11, 20, 5, 0, tzinfo=UTC)  # 14:00 in Tokyo, as the sample


def is_page(response: Any) -> bool:
    return response.headers["content-type"].startswith("text/html")


async def test_check_in_and_feedback_refusals_are_pages(client, settings):
    people = await People.create()
    later = await make_event("mokumoku", starts_in=timedelta(hours=3))
    mine = await register(later, people.alice)
    await signed_in(client, people.alice)
    early = await client.post_form(f"/events/{later.id}/checkin", {"code": mine["checkin_code"]})
    assert early.status_code == 400 and is_page(early), early.headers
    assert "<!doctype html>" in early.text.lower() and "受付は開始の30分前からです" in early.text
    feedback = await client.post_form(f"/events/{later.id}/feedback", {"rating": "5"})
    assert feedback.status_code in (400, 403) and is_page(feedback), feedback.headers


def test_no_page_handler_may_hide_its_media_type(app):
    assert page_handlers_answering_json(app) == []

    @get("/broken", include_in_schema=False)
    async def broken() -> Any:
        return Template("errors/error.html")

    @get("/fine", include_in_schema=False)
    async def fine() -> Template:
        return Template("errors/error.html")

    faults = page_handlers_answering_json(Litestar([broken, fine]))
    assert faults == ["GET /broken (broken)"]


async def test_a_waitlisted_registrant_is_checked_in_only_when_confirmed_over_capacity(
    client, settings
):
    people = await People.create()
    event = await make_event("mokumoku", starts_in=timedelta(minutes=-10), capacity=2)
    await register(event, people.alice)
    await register(event, people.anna)
    waiting = await register(event, people.carol, status="waitlisted", queue_order=1)
    await signed_in(client, people.csm)
    page = await client.get(f"/staff/events/{event.id}/attendance")
    assert "定員を超えて確定して受付" in page.text
    action = f"/staff/events/{event.id}/roster/{waiting['id']}/checkin"
    refused = await client.post_form(action)
    assert refused.status_code == 303
    after = await client.get(refused.headers["location"])
    assert "確定していません" in after.text
    row = await registration(waiting["id"])
    assert (row["status"], row["attendance"], row["checked_in_at"]) == ("waitlisted", "", None)
    with pytest.raises(checkin.NotConfirmed):
        await checkin.staff_check_in(people.csm, event.id, waiting["id"])

    confirmed = await client.post_form(action, {"confirm": "1"})
    assert confirmed.status_code == 303
    row = await registration(waiting["id"])
    assert (row["status"], row["attendance"]) == ("confirmed", "attended")
    assert row["checkin_code"] and row["queue_order"] == 0
    counts = await checkin.attendance_counts(event.id)
    assert (counts["confirmed"], counts["checked_in"]) == (3, 1)
    await signed_in(client, people.carol)
    mine = await client.get(f"/events/{event.id}")
    assert "補欠" not in mine.text and "キャンセル待ち" not in mine.text


async def test_an_imported_attendee_waiting_for_a_seat_is_confirmed(settings):
    people = await People.create()
    event = await make_event("webinar", starts_at=WEBINAR_REPORT_AT, capacity=1)
    await register(event, people.anna)
    waiting = await register(event, people.alice, status="waitlisted", queue_order=1)
    result = await attendance_import.import_attendance(
        people.csm, event.id, "z.csv", report("zoom_webinar_attendee.csv"), 1 << 20
    )
    assert result.confirmed_from_waitlist == 1
    row = await registration(waiting["id"])
    assert (row["status"], row["attendance"]) == ("confirmed", "attended")


async def test_a_report_of_another_meeting_is_refused_unless_confirmed(client, settings):
    people = await People.create()
    november_1 = await make_event("webinar", starts_at=datetime(2026, 11, 1, 5, tzinfo=UTC))
    await register(november_1, people.alice)
    await signed_in(client, people.csm)
    url = f"/staff/events/{november_1.id}/attendance"
    files = {"file": ("z.csv", report("zoom_webinar_attendee.csv"), "text/csv")}
    refused = await client.post_form(url, files=files)
    assert refused.status_code == 409 and is_page(refused)
    assert "2026-11-20 14:00" in refused.text and "2026-11-01 14:00" in refused.text
    assert "このイベントのレポートなので取り込む" in refused.text
    assert await Registration.count().where(Registration.event == november_1.id) == 1
    api = await client.api("POST", f"/api/v1/events/{november_1.id}/attendance", files=files)
    assert api.status_code == 409 and "2026-11-20" in problem(api)["detail"]
    accepted = await client.post_form(url, {"accept_mismatch": "1"}, files=files)
    assert accepted.status_code == 303
    assert (await registration((await Registration.select().first())["id"]))["attendance"]


async def test_the_report_date_and_zoom_id_are_checked(settings):
    people = await People.create()
    same_day = await make_event("webinar", starts_at=WEBINAR_REPORT_AT)
    result = await attendance_import.import_attendance(
        people.csm, same_day.id, "z.csv", report("zoom_webinar_attendee.csv"), 1 << 20
    )
    assert result.attended >= 1
    other_zoom = await make_event(
        "webinar", starts_at=WEBINAR_REPORT_AT, join_url="https://zoom.us/j/81234567899?pwd=x"
    )
    with pytest.raises(ReportOfAnotherMeeting) as refused:
        await attendance_import.import_attendance(
            people.csm, other_zoom.id, "z.csv", report("zoom_webinar_attendee.csv"), 1 << 20
        )
    assert refused.value.params["report_id"] == "81234567890"
    teams_day = await make_event("mokumoku", starts_at=datetime(2026, 11, 22, 4, tzinfo=UTC))
    teams = await attendance_import.import_attendance(
        people.csm, teams_day.id, "t.csv", report("teams_attendance.csv"), 1 << 20
    )
    assert teams.attended >= 1
    with pytest.raises(ReportOfAnotherMeeting):
        await attendance_import.import_attendance(
            people.csm, same_day.id, "t.csv", report("teams_attendance.csv"), 1 << 20
        )
