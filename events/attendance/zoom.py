"""Zoom's reports: the webinar attendee report and the meeting participants report, and the
summary table that says which meeting a report is of (events.attendance.parsing reads the file and
picks the format; Teams is events.attendance.teams)."""

from __future__ import annotations

import unicodedata

from core.errors import DomainError
from core.i18n import N_
from events.attendance.parsing import (
    FORMAT_LABELS,
    MEETING_ID,
    START,
    TOPIC,
    ZOOM_MEETING,
    ZOOM_WEBINAR,
    AttendanceReport,
    cell,
    find_column,
    fold,
    missing_column,
    report_time,
)


def _number(text: str) -> float:
    try:
        return float(unicodedata.normalize("NFKC", text).replace(",", "").strip() or 0)
    except ValueError:
        return 0.0  # Zoom writes "--" for people who did not join


def read_zoom_summary(
    report: AttendanceReport, rows: list[list[str]], keys: list[list[str]]
) -> None:
    """Zoom's summary table (a header row naming the start time, then one row of values)."""
    for index, key in enumerate(keys[:-1]):
        start = find_column(key, START)
        if start is None or find_column(key, TOPIC) is None:
            continue
        values = rows[index + 1]
        report.started_at = report_time(cell(values, start))
        report.title = cell(values, find_column(key, TOPIC))[:200]
        report.meeting_id = "".join(
            ch for ch in cell(values, find_column(key, MEETING_ID)) if ch.isdigit()
        )
        return


# --- Zoom ----------------------------------------------------------------------------------

NAME = (
    "name (original name)",
    "user name (original name)",
    "名前(元の名前)",
    "ユーザー名(元の名前)",
    "name",
    "名前",
    "user name",
    "ユーザー名",
)
EMAIL = ("user email", "email", "e-mail", "ユーザーメール", "メール", "メールアドレス")
MINUTES = (
    "time in session (minutes)",
    "duration (minutes)",
    "セッション時間(分)",
    "セッションの時間(分)",
    "期間(分)",
    "参加時間(分)",
)
JOIN = ("join time", "参加時間", "参加時刻", "入室時間")
ATTENDED = ("attended", "出席済み", "出席")
WEBINAR_SECTIONS = {
    "host details": "host",
    "ホストの詳細": "host",
    "panelist details": "panelist",
    "パネリストの詳細": "panelist",
    "attendee details": "attendee",
    "出席者の詳細": "attendee",
    "other attended": "other",
    "その他の出席者": "other",
}


def webinar_section(row: list[str]) -> str | None:
    return WEBINAR_SECTIONS.get(row[0]) if len(row) == 1 else None


def parse_zoom_webinar(rows: list[list[str]], keys: list[list[str]]) -> AttendanceReport:
    report = AttendanceReport(ZOOM_WEBINAR)
    section: str | None = None
    header: list[str] | None = None
    saw_attendees = False
    for row, key in zip(rows, keys, strict=True):
        found = webinar_section(key)
        if found is not None:
            section, header = found, None
            saw_attendees = saw_attendees or found == "attendee"
            continue
        if section is None or not key:
            continue
        if header is None:
            header = key
            if find_column(header, EMAIL) is None:
                raise missing_column(ZOOM_WEBINAR, "Email")
            if find_column(header, MINUTES) is None:
                raise missing_column(ZOOM_WEBINAR, "Time in Session (minutes)")
            continue
        if section in ("host", "other"):
            continue
        attended = fold(cell(row, find_column(header, ATTENDED)))
        if attended in ("no", "いいえ"):
            continue  # registered, never joined
        name = cell(row, find_column(header, NAME))
        if not name:
            first, last = (
                cell(row, find_column(header, ("first name", "名"))),
                cell(row, find_column(header, ("last name", "姓"))),
            )
            name = f"{first} {last}".strip()
        report.add(
            cell(row, find_column(header, EMAIL)),
            name,
            _number(cell(row, find_column(header, MINUTES))),
        )
    if not saw_attendees:
        raise DomainError(
            N_("The %(format)s has no “Attendee Details” section. Upload the report as exported."),
            format=FORMAT_LABELS[ZOOM_WEBINAR],
        )
    return report


def meeting_header(key: list[str]) -> tuple[int, int, int] | None:
    """(name, email, minutes) columns of a participants header row, or None."""
    name = find_column(key, NAME)
    if name is None or find_column(key, JOIN) is None:
        return None
    # In the one-table export the meeting's own email and duration come first: take the
    # participant's, which follow the name column.
    email = find_column(key, EMAIL, name + 1)
    minutes = find_column(key, MINUTES, name + 1)
    if email is None or minutes is None:
        return None
    return name, email, minutes


def parse_zoom_meeting(rows: list[list[str]], keys: list[list[str]]) -> AttendanceReport:
    report = AttendanceReport(ZOOM_MEETING)
    columns: tuple[int, int, int] | None = None
    for row, key in zip(rows, keys, strict=True):
        if not key:
            continue
        header = meeting_header(key)
        if header is not None:
            columns = header
            continue
        if columns is None:
            continue  # the meeting summary block
        name, email, minutes = columns
        report.add(cell(row, email), cell(row, name), _number(cell(row, minutes)))
    return report
