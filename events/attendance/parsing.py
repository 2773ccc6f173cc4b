"""Attendance reports: read Zoom and Microsoft Teams exports into minutes per person (no DB).

Three formats are recognised from their content, never from the file name:

- ``zoom_webinar``: Zoom's webinar "Attendee Report" — a header block, then the sections
  "Host Details", "Panelist Details" and "Attendee Details", each with its own header row.
  Hosts are skipped (they run the session); panelists and attendees who attended count.
- ``zoom_meeting``: Zoom's meeting "Participants" report — optionally a meeting summary row
  and a blank line, then one row per join ("Name (Original Name), User Email, Join Time,
  Leave Time, Duration (Minutes), Guest, ..."). The one-table variant that repeats the
  meeting columns on each row is read too (the participant's columns follow its name).
- ``teams``: Microsoft Teams' attendance report (UTF-16, tab-separated) with "1. Summary",
  "2. Participants" and "3. In-Meeting Activities"; per-join activities are summed when
  present, else each participant's "In-Meeting Duration". The older Teams format ("Full
  Name, User Action, Timestamp") is paired join by leave; it carries no email addresses.

Every join of a person is a session: the minutes of all sessions are summed, per email
address (NFKC, lower-cased). Japanese exports (Shift_JIS / cp932, Japanese headers) work.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from accounts.services import normalize_email
from core.errors import DomainError
from core.i18n import N_

ZOOM_WEBINAR = "zoom_webinar"
ZOOM_MEETING = "zoom_meeting"
TEAMS = "teams"
FORMAT_LABELS = {
    ZOOM_WEBINAR: N_("Zoom webinar attendee report"),
    ZOOM_MEETING: N_("Zoom meeting participants report"),
    TEAMS: N_("Microsoft Teams attendance report"),
}
EXPECTED = N_(
    "This file is not an attendance report. Upload Zoom's webinar attendee report or meeting "
    "participants report (CSV), or the attendance report of Microsoft Teams, as exported."
)


class ReportTooLarge(DomainError):
    status_code = 413


@dataclass
class AttendanceReport:
    """What a report says: minutes per email (all sessions summed) and display names."""

    report_format: str
    minutes: dict[str, float] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    rows: int = 0
    rows_without_email: int = 0
    names_without_email: list[str] = field(default_factory=list)
    # What the report says of its meeting, where it says it: the start as written (the
    # exporting account's local time, zone unknown), the Zoom meeting or webinar ID, the title.
    started_at: datetime | None = None
    meeting_id: str = ""
    title: str = ""

    def add(self, email: str, name: str, minutes: float) -> None:
        self.rows += 1
        address = report_email(email)
        if not address:
            self.rows_without_email += 1
            if name and name not in self.names_without_email:
                self.names_without_email.append(name)
            return
        self.minutes[address] = self.minutes.get(address, 0.0) + max(minutes, 0.0)
        if name and address not in self.names:
            self.names[address] = name


def report_email(text: str | None) -> str:
    """A report's cell as an address the way members' emails are stored
    (accounts.services.normalize_email), without angle brackets; '' when not an address."""
    address = normalize_email(text or "").strip("<>")
    return address if "@" in address and " " not in address else ""


def fold(cell: str) -> str:
    """A header or label compared loosely: NFKC (full-width brackets), lower case, one space."""
    return " ".join(unicodedata.normalize("NFKC", cell or "").lower().split())


# --- decoding ------------------------------------------------------------------------------


def decode_report(data: bytes) -> str:
    """The file's text: UTF-8 (BOM or not), UTF-16 (BOM, or Teams without it), or cp932."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif len(data) >= 4 and data[1::2].count(0) > len(data) // 4 and data[0::2].count(0) == 0:
        candidates = ["utf-16-le"]  # UTF-16 saved without its BOM: every other byte is NUL
    else:
        candidates = ["utf-8", "cp932"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text or _control_share(text) > 0.01:
            break
        return text
    if b"\x00" in data or (candidates[-1] == "cp932" and _looks_binary(data)):
        raise DomainError(EXPECTED)
    raise DomainError(
        N_(
            "The file's text encoding was not recognised. Save the report as UTF-8, UTF-16 "
            "or Shift_JIS and upload it again."
        )
    )


def _control_share(text: str) -> float:
    sample = text[:20000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\x0c")
    return controls / max(len(sample), 1)


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    return sum(1 for b in sample if b < 9 or 13 < b < 32) > len(sample) // 100


def read_rows(text: str) -> list[list[str]]:
    """Cells per line, stripped; tab-separated when the text is (Teams), else comma."""
    head = text[:8000]
    delimiter = "\t" if head.count("\t") >= max(1, head.count(",") // 4) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [[cell.strip() for cell in row] for row in reader]
    except csv.Error as exc:
        raise DomainError(EXPECTED) from exc
    for row in rows:
        while row and not row[-1]:
            row.pop()  # Zoom ends rows with a comma
    return rows


def tidy(value: float) -> float | int:
    """10.0 → 10, 7.5 → 7.5 (for messages)."""
    rounded = round(value, 1)
    return int(rounded) if rounded.is_integer() else rounded


def missing_column(report_format: str, column: str) -> DomainError:
    return DomainError(
        N_("The %(format)s has no “%(column)s” column. Upload the report as exported."),
        format=FORMAT_LABELS[report_format],
        column=column,
    )


def find_column(header: list[str], names: Iterable[str], start: int = 0) -> int | None:
    """The first column (from `start`) named like the first of `names` that is present."""
    for name in names:
        for index in range(start, len(header)):
            if header[index] == name:
                return index
    return None


def cell(row: list[str], index: int | None) -> str:
    return row[index] if index is not None and index < len(row) else ""


# --- the meeting a report is of ----------------------------------------------------------

REPORT_TIMES = (
    "%b %d, %Y %H:%M:%S",  # Zoom webinar: Nov 20, 2026 14:00:12
    "%b %d, %Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M:%S %p",  # Zoom meeting (English): 11/21/2026 01:00:00 PM
    "%m/%d/%Y, %I:%M:%S %p",  # Teams
    "%m/%d/%y, %I:%M:%S %p",
    "%Y/%m/%d %H:%M:%S",  # Japanese exports
    "%Y/%m/%d, %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%d/%m/%Y, %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
)
START = ("actual start time", "start time", "実際の開始時間", "開始時間", "開始時刻", "開始日時")
TOPIC = ("topic", "トピック", "meeting title", "会議のタイトル", "タイトル")
MEETING_ID = ("webinar id", "meeting id", "ウェビナーid", "ミーティングid", "ミーティング id")


def report_time(text: str) -> datetime | None:
    """A timestamp as report exports write it (naive: the exporting account's local time)."""
    value = " ".join(unicodedata.normalize("NFKC", text).split())
    for pattern in REPORT_TIMES:
        try:
            return datetime.strptime(value, pattern)
        except ValueError:
            continue
    return None
