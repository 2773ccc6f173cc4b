"""Reading an uploaded attendance report: which format it is (from its content, never its
name), then that format's parser — `attendance_zoom` (webinar and meeting reports) or
`attendance_teams` — on the rows `attendance` decoded. The formats are described there."""

from __future__ import annotations

from core.errors import DomainError
from core.i18n import N_
from events.attendance.parsing import (
    EXPECTED,
    FORMAT_LABELS,
    TEAMS,
    AttendanceReport,
    ReportTooLarge,
    decode_report,
    fold,
    read_rows,
    tidy,
)
from events.attendance.teams import old_teams_header, parse_teams, teams_section
from events.attendance.zoom import (
    meeting_header,
    parse_zoom_meeting,
    parse_zoom_webinar,
    read_zoom_summary,
    webinar_section,
)


def parse_report(data: bytes, max_bytes: int) -> AttendanceReport:
    """Read an uploaded report; DomainError (413 when too large) when it is not one."""
    if len(data) > max_bytes:
        raise ReportTooLarge(
            N_("The report is larger than %(mb)s MB. Export a single event's report."),
            mb=tidy(max_bytes / (1024 * 1024)),
        )
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise DomainError(N_("The file is empty. Upload the attendance report of the event."))
    rows = read_rows(decode_report(data))
    keys = [[fold(cell) for cell in row] for row in rows]
    if any(teams_section(row) for row in keys) or any(old_teams_header(row) for row in keys):
        report = parse_teams(rows, keys)
    elif any(webinar_section(row) for row in keys) or any(
        row[:1] in (["attendee report"], ["出席者レポート"]) for row in keys
    ):
        report = parse_zoom_webinar(rows, keys)
    elif any(meeting_header(row) is not None for row in keys):
        report = parse_zoom_meeting(rows, keys)
    else:
        raise DomainError(EXPECTED)
    if report.report_format != TEAMS:
        read_zoom_summary(report, rows, keys)
    if report.rows == 0:
        raise DomainError(
            N_("The %(format)s has no participant rows. Export it again after the event."),
            format=FORMAT_LABELS[report.report_format],
        )
    return report
