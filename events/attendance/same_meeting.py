"""Is this report of this event? A report names its own meeting (its start, a Zoom meeting ID);
one that is plainly of another meeting is refused unless staff confirm it (accept_mismatch)."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from core.errors import Conflict
from core.i18n import N_
from events.attendance.parsing import AttendanceReport
from events.rows import EventRow

__all__ = ["ReportOfAnotherMeeting", "check_report_is_of"]


class ReportOfAnotherMeeting(Conflict):
    """The report's own meeting (date, Zoom ID) is not this event: applied only when confirmed."""


# A report writes its start in the exporting account's local time, zone unknown: a start more
# than this far from the event's (any zone's offset, plus a late start) is another meeting.
SAME_MEETING_WINDOW = timedelta(hours=14)
ZOOM_ID = re.compile(r"zoom\.[a-z.]+/(?:j|w|s|wc)/(\d{9,12})", re.IGNORECASE)


def check_report_is_of(event: EventRow, report: AttendanceReport) -> None:
    """Refuse a report whose meeting date or Zoom meeting ID is not the event's."""
    found = ZOOM_ID.search(event.join_url or "")
    if found and report.meeting_id and found.group(1) != report.meeting_id:
        raise ReportOfAnotherMeeting(
            N_(
                "This report is of Zoom meeting %(report_id)s, but the event's join URL is "
                "meeting %(event_id)s. Check the file, or import it anyway if it is right."
            ),
            report_id=report.meeting_id,
            event_id=found.group(1),
        )
    if report.started_at is None:
        return
    zone = ZoneInfo(event.timezone or "Asia/Tokyo")
    event_start = event.starts_at.astimezone(zone).replace(tzinfo=None)
    if abs(report.started_at - event_start) > SAME_MEETING_WINDOW:
        raise ReportOfAnotherMeeting(
            N_(
                "This report is of a meeting on %(report_date)s (%(title)s), but the event is "
                "on %(event_date)s. Check the file, or import it anyway if it is right."
            ),
            report_date=report.started_at.strftime("%Y-%m-%d %H:%M"),
            title=report.title or "—",
            event_date=event_start.strftime("%Y-%m-%d %H:%M"),
        )
