"""Attendance reports: Zoom webinar and meeting, Teams (new and legacy), encodings, refusals."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime, timedelta

import pytest

from core import i18n
from core.errors import DomainError
from events.attendance.formats import parse_report
from events.attendance.parsing import EXPECTED, TEAMS, ZOOM_MEETING, ZOOM_WEBINAR, ReportTooLarge
from events.attendance.teams import teams_minutes
from events.rules import threshold_minutes
from tests.events.attendance_helpers import report
from tests.events.event_helpers import unsaved_event

LIMIT = 10 * 1024 * 1024


def parse(name_or_bytes: str | bytes):
    data = report(name_or_bytes) if isinstance(name_or_bytes, str) else name_or_bytes
    return parse_report(data, LIMIT)


def refusal(data: bytes, limit: int = LIMIT) -> DomainError:
    with pytest.raises(DomainError) as caught:
        parse_report(data, limit)
    return caught.value


def test_zoom_webinar_attendee_report_with_bom_sums_rejoins_case_insensitively():
    parsed = parse("zoom_webinar_attendee.csv")
    assert parsed.report_format == ZOOM_WEBINAR
    # "Alice@A.example" 19 min + "alice@a.example" 36 min (rejoined from her phone)
    assert parsed.minutes["alice@a.example"] == 55
    assert parsed.minutes["bob@b.example"] == 5
    assert parsed.minutes["speaker@a.example"] == 66  # panelists attend too
    assert "csm@vendor.example" not in parsed.minutes  # the host section is skipped
    assert "anna@a.example" not in parsed.minutes  # registered, Attended = No
    assert parsed.names["alice@a.example"] == "有栖 花子"
    assert parsed.rows == 6 and parsed.rows_without_email == 1
    assert parsed.names_without_email == ["電話参加 03-1234-5678"]


def test_zoom_meeting_participants_report_with_summary_block():
    parsed = parse("zoom_meeting_participants.csv")
    assert parsed.report_format == ZOOM_MEETING
    assert parsed.minutes["alice@a.example"] == 85  # ALICE@a.example 40 + alice@a.example 45
    assert parsed.minutes["bob@b.example"] == 3
    assert parsed.minutes["csm@vendor.example"] == 128  # the summary row is not a participant
    assert parsed.rows == 5 and parsed.rows_without_email == 0


def test_zoom_meeting_participants_report_without_summary_block():
    parsed = parse("zoom_meeting_no_summary.csv")
    assert parsed.report_format == ZOOM_MEETING
    assert parsed.minutes == {"alice@a.example": 17, "nobody@elsewhere.example": 30}


def test_japanese_zoom_export_in_shift_jis_with_full_width_email():
    data = report("zoom_meeting_cp932.csv")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    parsed = parse(data)
    assert parsed.report_format == ZOOM_MEETING
    assert parsed.minutes == {"alice@a.example": 55, "carol@a.example": 25}
    assert parsed.names["carol@a.example"] == "キャロル 髙橋"


def test_zoom_one_table_export_takes_the_participant_columns():
    text = (
        "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants,"
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
        "812,Topic,1/1/2026 10:00,1/1/2026 11:00,host@vendor.example,60,2,"
        "Alice,alice@a.example,1/1/2026 10:05,1/1/2026 10:35,30,Yes\n"
        "812,Topic,1/1/2026 10:00,1/1/2026 11:00,host@vendor.example,60,2,"
        "Alice,alice@a.example,1/1/2026 10:40,1/1/2026 10:52,12,Yes\n"
    )
    parsed = parse(text.encode())
    assert parsed.minutes == {"alice@a.example": 42}


def test_teams_report_in_utf16_prefers_per_join_activities():
    data = report("teams_attendance.csv")
    assert data.startswith(codecs.BOM_UTF16_LE)
    parsed = parse(data)
    assert parsed.report_format == TEAMS
    assert parsed.minutes["alice@a.example"] == pytest.approx(30 + 35 + 3 / 60)
    assert parsed.minutes["bob@b.example"] == pytest.approx(45 + 10 / 60)
    assert parsed.rows == 5 and parsed.rows_without_email == 1
    assert parsed.names_without_email == ["Guest (Unverified)"]


def test_teams_report_without_activities_uses_the_participant_duration():
    parsed = parse("teams_participants_only.csv")
    assert parsed.minutes["alice@a.example"] == pytest.approx(62.5)


def test_teams_report_saved_without_its_bom_is_still_read():
    data = report("teams_attendance.csv")[2:]
    assert parse(data).minutes["alice@a.example"] == pytest.approx(65.05)


def test_legacy_teams_report_pairs_joins_and_leaves_but_has_no_emails():
    parsed = parse("teams_legacy.csv")
    assert parsed.report_format == TEAMS
    assert parsed.minutes == {}
    assert parsed.rows == 4 and parsed.rows_without_email == 4
    assert set(parsed.names_without_email) == {"有栖 花子", "坊 太郎", "佐藤 CSM"}


def test_legacy_teams_report_with_an_email_column_sums_sessions():
    text = (
        "Full Name\tUser Action\tTimestamp\tEmail\n"
        "有栖 花子\tJoined\t3/15/2021, 10:00:00 AM\talice@a.example\n"
        "有栖 花子\tLeft\t3/15/2021, 10:20:00 AM\talice@a.example\n"
        "有栖 花子\tJoined\t3/15/2021, 10:30:00 AM\talice@a.example\n"
        "坊 太郎\tJoined\t3/15/2021, 10:31:00 AM\tbob@b.example\n"
        "坊 太郎\tLeft\t3/15/2021, 10:45:00 AM\tbob@b.example\n"
    )
    parsed = parse(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    # Alice's second session is still open: it ends at the report's last event (10:45).
    assert parsed.minutes == {"alice@a.example": 35, "bob@b.example": 14}


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("1h 5m 3s", 65.05),
        ("45m 10s", 45 + 10 / 60),
        ("30s", 0.5),
        ("2h", 120),
        ("1 時間 5 分 3 秒", 65.05),
        ("01:05:03", 65.05),
        ("", 0),
    ],
)
def test_teams_durations(text, minutes):
    assert teams_minutes(text) == pytest.approx(minutes)


@pytest.mark.parametrize(
    "data",
    [
        b"name,domain,crm_id,arr\nACME,acme.example,1,100\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64),
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(64),
        "ABC".encode("utf-32"),
        "こんにちは、これは議事録です。\n出席者: 有栖\n".encode(),
    ],
    ids=["other-csv", "png", "xlsx", "utf32", "plain-text"],
)
def test_files_that_are_not_reports_are_refused_naming_what_is_expected(data):
    error = refusal(data)
    assert error.message == EXPECTED
    with i18n.using_locale("ja"):
        assert "Zoom" in error.translated() and "Teams" in error.translated()


def test_empty_files_are_refused():
    for data in (b"", b"\r\n\r\n", codecs.BOM_UTF8, codecs.BOM_UTF16_LE):
        assert "empty" in refusal(data).message


def test_undecodable_text_names_the_encodings():
    error = refusal(b"Name,Email\n\x81\x20\xef\xbf\x81\x20,x\n")
    assert "encoding" in error.message


def test_a_zoom_report_missing_its_email_column_names_the_column():
    text = (
        "Name (Original Name),Join Time,Leave Time,Duration (Minutes)\n"
        "Alice,1/1/2026 10:00,1/1/2026 10:30,30\n"
    )
    assert refusal(text.encode()).message == EXPECTED  # no email: not a participants table
    webinar = (
        "Attendee Report\nAttendee Details\n"
        "Attended,User Name (Original Name),Join Time,Time in Session (minutes)\n"
        "Yes,Alice,x,30\n"
    )
    error = refusal(webinar.encode())
    assert error.params["column"] == "Email"


def test_a_webinar_report_without_attendee_section_is_refused():
    text = "Attendee Report\nReport Generated:,x\nTopic,Webinar ID\nT,1\n"
    assert "Attendee Details" in refusal(text.encode()).message


def test_a_report_without_participant_rows_is_refused():
    text = "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
    assert "no participant rows" in refusal(text.encode()).message


def test_an_oversized_file_is_refused_with_413():
    data = report("zoom_webinar_attendee.csv")
    error = refusal(data, limit=len(data) - 1)
    assert isinstance(error, ReportTooLarge) and error.status_code == 413
    assert parse_report(data, len(data)).rows == 6


def test_threshold_is_ten_minutes_or_half_a_short_event_unless_set():
    start = datetime(2026, 11, 20, 5, tzinfo=UTC)
    hour = unsaved_event(starts_at=start, ends_at=start + timedelta(hours=1))
    assert threshold_minutes(hour) == 10
    assert threshold_minutes(hour.replace(ends_at=start + timedelta(minutes=15))) == 7.5
    assert threshold_minutes(hour.replace(attendance_threshold_minutes=30)) == 30
