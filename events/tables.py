"""The events schema: events and their series, hosts and audience, registrations, attendance
imports and feedback.

Capacity is counted, not stored: registration locks the event row and counts the confirmed
registrations, so there is no counter to drift. Waitlist positions are derived from
`queue_order` (first come: arrival; lottery: the draw's order), so a cancellation or a
promotion never renumbers rows.
"""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    JSONB,
    BigInt,
    Boolean,
    DoublePrecision,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from accounts.audience import Audience
from accounts.tables import Account, Member


class EventKind(StrEnum):
    webinar = "webinar"
    mokumoku = "mokumoku"


class EventStatus(StrEnum):
    draft = "draft"
    published = "published"
    finished = "finished"
    cancelled = "cancelled"


class Allocation(StrEnum):
    first_come = "first_come"
    lottery = "lottery"


class RegistrationStatus(StrEnum):
    applied = "applied"  # lottery entry before the draw
    confirmed = "confirmed"
    waitlisted = "waitlisted"
    cancelled = "cancelled"


class Attendance(StrEnum):
    unknown = ""
    attended = "attended"
    no_show = "no_show"


class Frequency(StrEnum):
    weekly = "weekly"
    monthly = "monthly"


class EventSeries(Table, tablename="events_series"):
    """A recurring mokumoku-kai: the template its occurrences are generated from."""

    id: Serial

    frequency = Varchar(length=10, choices=Frequency)
    occurrences = Integer(help_text="How many occurrences the series generates.")
    template = JSONB(help_text="The event fields every occurrence copies (events.schemas).")
    created_by = ForeignKey(references=Member, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class Event(Table, tablename="events_event"):
    """A webinar or a mokumoku-kai. Times are stored in UTC; `timezone` is the organiser's."""

    id: Serial

    kind = Varchar(length=10, choices=EventKind)
    title = Varchar(length=200)
    description = Text(default="", help_text="Markdown as written.")
    description_html = Text(default="", help_text="Rendered and sanitised at write time.")
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    timezone = Varchar(length=64, default="Asia/Tokyo", help_text="IANA zone for .ics and display.")
    online = Boolean(default=True, help_text="Webinars are always online; mokumoku may be on site.")
    join_url = Varchar(length=500, default="", help_text="Shown to confirmed registrants only.")
    venue = Varchar(length=200, default="")
    address = Text(default="")
    capacity = Integer(null=True, default=None, help_text="None: unlimited.")
    allocation = Varchar(length=12, default=Allocation.first_come.value, choices=Allocation)
    registration_opens_at = Timestamptz(null=True, default=None)
    registration_closes_at = Timestamptz(null=True, default=None)
    cancellation_deadline = Timestamptz(null=True, default=None)
    draw_at = Timestamptz(null=True, default=None, help_text="Lottery: when applications close.")
    drawn_at = Timestamptz(null=True, default=None)
    draw_seed = Varchar(length=64, default="", help_text="Lottery seed, published with the result.")
    status = Varchar(length=10, default=EventStatus.draft.value, choices=EventStatus, index=True)
    audience = Varchar(length=10, default=Audience.all.value, choices=Audience)
    audience_tiers = Varchar(
        length=40, default="", help_text="Audience 'tiers': space-separated touch tiers."
    )
    attendance_threshold_minutes = Integer(
        null=True, default=None, help_text="None: 10 minutes, or half the event if shorter."
    )
    series = ForeignKey(references=EventSeries, null=True, on_delete=OnDelete.set_null)
    series_index = Integer(null=True, default=None, help_text="Occurrence number in its series.")
    series_detached = Boolean(
        default=False, help_text="Edited on its own: series edits no longer change it."
    )
    reminded_24h_at = Timestamptz(null=True, default=None)
    reminded_1h_at = Timestamptz(null=True, default=None)
    no_shows_marked_at = Timestamptz(null=True, default=None)
    calendar_sequence = Integer(
        default=0, help_text="iCalendar SEQUENCE: grows with each change a calendar holds."
    )
    created_by = ForeignKey(references=Member, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class EventHost(Table, tablename="events_host"):
    """A staff member hosting an event (unique pair, raw index)."""

    id: Serial

    event = ForeignKey(references=Event, on_delete=OnDelete.cascade, index=True)
    member = ForeignKey(references=Member, on_delete=OnDelete.cascade)


class EventAudienceAccount(Table, tablename="events_audience_account"):
    """An account an event with audience 'accounts' is open to (unique pair, raw index)."""

    id: Serial

    event = ForeignKey(references=Event, on_delete=OnDelete.cascade, index=True)
    account = ForeignKey(references=Account, on_delete=OnDelete.cascade)


class Registration(Table, tablename="events_registration"):
    """A member's registration. At most one per member and event is not cancelled (raw partial
    unique index); registering again after a cancellation makes a new row."""

    id: Serial

    event = ForeignKey(references=Event, on_delete=OnDelete.cascade, index=True)
    member = ForeignKey(references=Member, on_delete=OnDelete.cascade, index=True)
    account = ForeignKey(
        references=Account,
        null=True,
        on_delete=OnDelete.set_null,
        help_text="The member's account when they registered (staff: none).",
    )
    status = Varchar(length=12, choices=RegistrationStatus, index=True)
    queue_order = BigInt(
        default=0, help_text="Waitlist order: arrival (first come) or the draw's rank (lottery)."
    )
    checkin_code = Varchar(
        length=12, default="", help_text="Short code for check-in; unique per event when set."
    )
    attendance = Varchar(length=10, default="", choices=Attendance)
    attended_minutes = DoublePrecision(
        null=True, default=None, help_text="From imported reports: rejoins summed."
    )
    checked_in_at = Timestamptz(null=True, default=None)
    checked_in_by = ForeignKey(references=Member, null=True, on_delete=OnDelete.set_null)
    added_by = ForeignKey(
        references=Member,
        null=True,
        on_delete=OnDelete.set_null,
        help_text="Staff who added or removed this registrant by hand.",
    )
    lottery_rank = Integer(
        null=True,
        default=None,
        help_text="Lottery: place in the published draw order (1 = first); None: not drawn.",
    )
    registered_at = Timestamptz(default=TimestamptzNow())
    confirmed_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)


class AttendanceImport(Table, tablename="events_attendance_import"):
    """One uploaded attendance report; the same file twice (same digest) is not applied again."""

    id: Serial

    event = ForeignKey(references=Event, on_delete=OnDelete.cascade, index=True)
    filename = Varchar(length=255, default="")
    digest = Varchar(length=64, help_text="SHA-256 of the file: unique per event (raw index).")
    report_format = Varchar(length=30, help_text="zoom_webinar, zoom_meeting or teams.")
    rows = Integer(default=0)
    matched = Integer(default=0)
    attended = Integer(default=0)
    unmatched = JSONB(default=[], help_text="Emails in the report that match no member.")
    imported_by = ForeignKey(references=Member, null=True, on_delete=OnDelete.set_null)
    imported_at = Timestamptz(default=TimestamptzNow())


class Feedback(Table, tablename="events_feedback"):
    """An attendee's rating (1–5) and comment; one per registration."""

    id: Serial

    registration = ForeignKey(references=Registration, on_delete=OnDelete.cascade, unique=True)
    event = ForeignKey(references=Event, on_delete=OnDelete.cascade, index=True)
    rating = Integer()
    comment = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


class CalendarToken(Table, tablename="events_calendar_token"):
    """A member's private calendar-feed token (stored as a digest; regenerating revokes)."""

    id: Serial

    member = ForeignKey(references=Member, on_delete=OnDelete.cascade, unique=True)
    digest = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())


class PlatformPull(Table, tablename="events_platform_pull"):
    """One pull of an event's attendance from its meeting platform (Zoom), started by a CSM,
    the platform's webhook or the fallback poll: the log the attendance page shows."""

    id: Serial

    event = ForeignKey(references=Event, on_delete=OnDelete.cascade, index=True)
    platform = Varchar(length=10, default="zoom")
    origin = Varchar(length=10, help_text="manual, webhook or poll.")
    status = Varchar(
        length=10, default="queued", help_text="queued, waiting (to retry), succeeded, failed."
    )
    attempts = Integer(default=0)
    message = Varchar(length=300, default="", help_text="A msgid, shown translated.")
    params = JSONB(default={}, help_text="The message's parameters.")
    attendance_import = ForeignKey(
        references=AttendanceImport, null=True, on_delete=OnDelete.set_null
    )
    requested_by = ForeignKey(references=Member, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


TABLES: list[type[Table]] = [
    EventSeries,
    Event,
    EventHost,
    EventAudienceAccount,
    Registration,
    AttendanceImport,
    Feedback,
    CalendarToken,
    PlatformPull,
]
