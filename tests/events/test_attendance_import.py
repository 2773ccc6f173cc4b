"""Importing attendance reports: matching, minutes, threshold, walk-ins, signals, re-imports."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.templating import localtime
from engagement.tables import Signal
from events.attendance import imports as attendance_import
from events.tables import AttendanceImport, Registration
from tests.events.attendance_helpers import (
    People,
    make_event,
    register,
    registration,
    registration_of,
    report,
)
from tests.support import problem, signed_in


async def upload(client, event, name: str, content: bytes | None = None):
    """Upload a sample report. The samples were exported on fixed dates and these tests' events
    are relative to now: the meeting check has its own tests (test_checkin_rules.py)."""
    data = content if content is not None else report(name)
    return await client.post_form(
        f"/staff/events/{event.id}/attendance",
        {"accept_mismatch": "1"},
        files={"file": (name, data, "text/csv")},
    )


ACCEPT = {"accept_mismatch": "true"}


async def signals(kind: str | None = None) -> list[dict]:
    query = Signal.select().where(Signal.kind != "daily_visit").order_by(Signal.id)
    if kind:
        query = query.where(Signal.kind == kind)
    return list(await query)


async def test_webinar_report_marks_attendance_and_lists_unmatched_emails(client, settings):
    people = await People.create()
    event = await make_event("webinar")
    alice = await register(event, people.alice)
    bob = await register(event, people.bob)
    anna = await register(event, people.anna)
    await signed_in(client, people.csm)

    response = await upload(client, event, "zoom_webinar_attendee.csv")
    assert response.status_code == 303, response.text
    page = await client.get(response.headers["location"])
    assert "Zoom のウェビナー出席者レポートを取り込みました" in page.text
    assert "照合できたメンバー 2 人、出席 1 人" in page.text
    assert "メールアドレスのない 1 行は照合できませんでした" in page.text
    assert "speaker@a.example" in page.text and "stranger@unknown.example" in page.text

    alice_row = await registration(alice["id"])
    assert alice_row["attendance"] == "attended" and alice_row["attended_minutes"] == 55
    bob_row = await registration(bob["id"])
    assert bob_row["attendance"] == "" and bob_row["attended_minutes"] == 5  # below 10 minutes
    assert (await registration(anna["id"]))["attended_minutes"] is None  # Attended: No
    assert await registration_of(event, people.csm) is None  # the host is not an attendee

    [signal] = await signals()
    assert signal["kind"] == "webinar_attended" and signal["value"] == 55
    assert signal["dedupe_key"] == f"attended:{alice['id']}"
    assert signal["account"] == people.account_a.id and signal["member"] == people.alice.id

    [stored] = await AttendanceImport.select().output(load_json=True)
    assert stored["report_format"] == "zoom_webinar" and stored["filename"] == (
        "zoom_webinar_attendee.csv"
    )
    assert (stored["rows"], stored["matched"], stored["attended"]) == (6, 2, 1)
    assert stored["unmatched"] == ["speaker@a.example", "stranger@unknown.example"]
    assert stored["imported_by"] == people.csm.id and len(stored["digest"]) == 64


async def test_the_same_file_again_changes_nothing_and_says_so(client, settings):
    people = await People.create()
    event = await make_event("webinar")
    alice = await register(event, people.alice)
    await signed_in(client, people.csm)
    first = await upload(client, event, "zoom_webinar_attendee.csv")
    await client.get(first.headers["location"])  # shows (and clears) the first message
    # Staff correct the minutes by hand; the same file must not overwrite them again.
    await Registration.update({Registration.attended_minutes: 20}).where(
        Registration.id == alice["id"]
    )
    again = await upload(client, event, "renamed.csv", report("zoom_webinar_attendee.csv"))
    assert again.status_code == 303
    page = await client.get(again.headers["location"])
    assert "このファイルは" in page.text and "取り込み済みです。何も変更していません。" in page.text
    # Issue 12: the time in the viewer's zone (Asia/Tokyo), as the rest of the page, not UTC.
    [imported] = await AttendanceImport.select(AttendanceImport.imported_at)
    assert localtime(imported["imported_at"]) in page.text and " UTC" not in page.text
    assert await AttendanceImport.count() == 1
    assert (await registration(alice["id"]))["attended_minutes"] == 20
    assert len(await signals()) == 1


async def test_threshold_comes_from_the_event_or_half_a_short_event(client, settings):
    people = await People.create()
    strict = await make_event("webinar", attendance_threshold_minutes=60)
    short = await make_event("mokumoku", minutes=12)  # threshold: 6 minutes
    strict_alice = await register(strict, people.alice)
    short_bob = await register(short, people.bob)
    await signed_in(client, people.csm)
    await upload(client, strict, "zoom_webinar_attendee.csv")
    row = await registration(strict_alice["id"])
    assert row["attended_minutes"] == 55 and row["attendance"] == ""  # 55 < 60
    await upload(client, short, "zoom_webinar_attendee.csv")
    assert (await registration(short_bob["id"]))["attendance"] == ""  # 5 < 6
    await upload(client, short, "zoom_meeting_participants.csv")
    bob_row = await registration(short_bob["id"])
    assert bob_row["attended_minutes"] == 5  # max(5, 3): never lowered
    teams = report("teams_attendance.csv")
    await upload(client, short, "teams.csv", teams)
    bob_row = await registration(short_bob["id"])
    assert bob_row["attendance"] == "attended" and bob_row["attended_minutes"] == pytest.approx(
        45 + 10 / 60
    )
    keys = {s["dedupe_key"] for s in await signals("mokumoku_attended")}
    walk_in = await registration_of(short, people.alice)  # in the Teams report, not registered
    assert keys == {f"attended:{short_bob['id']}", f"attended:{walk_in['id']}"}


async def test_unregistered_attendees_become_walk_ins_and_inactive_members_are_unmatched(
    client, settings
):
    people = await People.create()
    event = await make_event("mokumoku", minutes=120)
    await signed_in(client, people.csm)
    response = await upload(client, event, "zoom_meeting_cp932.csv")
    assert response.status_code == 303, response.text
    carol = await registration_of(event, people.carol)  # ｃａｒｏｌ＠ａ．ｅｘａｍｐｌｅ in the file
    assert carol is not None
    assert (carol["status"], carol["attendance"], carol["attended_minutes"]) == (
        "confirmed",
        "attended",
        25,
    )
    assert carol["added_by"] == people.csm.id and carol["checkin_code"] == ""
    assert (await registration_of(event, people.alice))["attended_minutes"] == 55
    kinds = {s["dedupe_key"]: s["kind"] for s in await signals()}
    assert kinds[f"attended:{carol['id']}"] == "mokumoku_attended"

    await upload(client, event, "zoom_meeting_participants.csv")
    latest = (
        await AttendanceImport.select()
        .order_by(AttendanceImport.id, ascending=False)
        .output(load_json=True)
        .first()
    )
    assert latest["unmatched"] == ["gone@a.example"]  # deactivated: not matched
    assert latest["matched"] == 2  # alice and bob; the CSM host is skipped
    assert await registration_of(event, people.bob) is None  # 3 minutes, no registration
    page = await client.get(f"/staff/events/{event.id}/attendance")
    assert "当日参加" in page.text and "gone@a.example" in page.text


async def test_a_report_overrides_an_earlier_no_show(client, settings):
    people = await People.create()
    event = await make_event("webinar")
    alice = await register(event, people.alice, attendance="no_show", attended_minutes=70.0)
    await signed_in(client, people.csm)
    await upload(client, event, "zoom_webinar_attendee.csv")
    row = await registration(alice["id"])
    assert row["attendance"] == "attended" and row["attended_minutes"] == 70
    [signal] = await signals("webinar_attended")
    assert signal["value"] == 70


async def test_an_error_half_way_writes_nothing(client, settings, monkeypatch):
    people = await People.create()
    event = await make_event("mokumoku", minutes=120)
    alice = await register(event, people.alice)
    await register(event, people.bob)
    calls = []

    async def failing(*signals):
        # Called after the registrations were updated, inside the import's transaction.
        calls.append(signals)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(attendance_import, "record_signals", failing)
    with pytest.raises(RuntimeError):
        await attendance_import.import_attendance(
            people.csm,
            event.id,
            "t.csv",
            report("teams_attendance.csv"),
            1 << 20,
            accept_mismatch=True,
        )
    assert len(calls) == 1 and len(calls[0]) == 2
    assert (await registration(alice["id"]))["attendance"] == ""
    assert (await registration(alice["id"]))["attended_minutes"] is None
    assert await AttendanceImport.count() == 0
    assert await signals() == []


async def test_files_that_are_not_reports_are_refused_in_japanese(client, settings):
    people = await People.create()
    event = await make_event("webinar")
    await register(event, people.alice)
    await signed_in(client, people.csm)
    not_report = await upload(client, event, "accounts.csv", b"name,domain\nACME,acme.example\n")
    assert not_report.status_code == 400
    assert "このファイルは出席レポートではありません" in not_report.text
    empty = await upload(client, event, "empty.csv", b"")
    assert empty.status_code == 400
    missing = await client.post_form(f"/staff/events/{event.id}/attendance", {"x": "1"})
    assert missing.status_code == 400
    assert "出席レポートのファイルを選んでください" in missing.text
    assert await AttendanceImport.count() == 0 and await signals() == []


async def test_an_oversized_report_is_refused_with_413(client, settings):
    people = await People.create()
    event = await make_event("webinar")
    await signed_in(client, people.csm)
    head = report("zoom_meeting_no_summary.csv")
    line = b"Someone,someone@a.example,11/21/2026 01:01:00 PM,11/21/2026 01:11:00 PM,10,Yes\n"
    content = head + line * (settings.attendance_max_bytes // len(line) + 1)
    assert len(content) > settings.attendance_max_bytes > settings.max_request_body_bytes
    response = await upload(client, event, "big.csv", content)
    assert response.status_code == 413
    assert "出席レポートが 10 MB を超えています" in response.text
    assert await AttendanceImport.count() == 0


async def test_import_waits_for_the_event_to_start(client, settings):
    people = await People.create()
    event = await make_event("webinar", starts_in=timedelta(days=1))
    await signed_in(client, people.csm)
    response = await upload(client, event, "zoom_webinar_attendee.csv")
    assert response.status_code == 400
    assert "イベントはまだ始まっていません" in response.text


async def test_api_import_returns_the_summary(client, other_client, settings):
    people = await People.create()
    event = await make_event("webinar")
    await register(event, people.alice)
    await signed_in(client, people.csm)
    url = f"/api/v1/events/{event.id}/attendance"
    files = {"file": ("teams.csv", report("teams_attendance.csv"), "text/csv")}
    response = await client.api("POST", url, data=ACCEPT, files=files)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["report_format"] == "teams" and body["already_imported"] is False
    assert (body["rows"], body["matched"], body["attended"], body["walk_ins"]) == (5, 2, 2, 1)
    assert body["unmatched"] == [] and body["rows_without_email"] == 1
    assert body["staff_skipped"] == 1
    again = await client.api("POST", url, data=ACCEPT, files=files)
    assert again.status_code == 200 and again.json()["already_imported"] is True
    assert again.json()["id"] == body["id"]
    history = await client.api("GET", url)
    assert [item["id"] for item in history.json()] == [body["id"]]

    bad = await client.api("POST", url, files={"file": ("x.csv", b"a,b\n1,2\n", "text/csv")})
    assert bad.status_code == 422  # a file the schema allows, which is not a report
    assert "出席レポートではありません" in problem(bad)["detail"]

    await signed_in(other_client, people.bob)
    refused = await other_client.api("POST", url, files=files)
    assert refused.status_code == 403
    problem(refused)


async def test_customers_cannot_see_or_import_attendance(client, settings):
    people = await People.create()
    event = await make_event("webinar")
    await register(event, people.alice)
    await signed_in(client, people.alice)
    page = await client.get(f"/staff/events/{event.id}/attendance")
    assert page.status_code == 403
    response = await upload(client, event, "zoom_webinar_attendee.csv")
    assert response.status_code == 403
    assert await AttendanceImport.count() == 0
    with pytest.raises(Exception, match=r"スタッフ|staff"):
        await attendance_import.import_attendance(
            people.alice, event.id, "x.csv", report("zoom_webinar_attendee.csv"), 1 << 20
        )
