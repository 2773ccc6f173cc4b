"""An event as the rest of events reads it: one frozen, typed view of an `events_event` row,
built in one place (`EventRow.of`) from what the database returns."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    kind: str  # EventKind: webinar, mokumoku
    title: str
    description: str
    description_html: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    online: bool
    join_url: str
    venue: str
    address: str
    capacity: int | None
    allocation: str  # Allocation: events.registration.policies.policy_of
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    cancellation_deadline: datetime | None
    draw_at: datetime | None
    drawn_at: datetime | None
    draw_seed: str
    status: str  # EventStatus
    audience: str  # Audience
    audience_tiers: str  # space-separated touch tiers
    attendance_threshold_minutes: int | None
    series: int | None
    series_index: int | None
    series_detached: bool
    reminded_24h_at: datetime | None
    reminded_1h_at: datetime | None
    no_shows_marked_at: datetime | None
    calendar_sequence: int
    created_by: int | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> EventRow:
        """From a selected row (every column of the table; extra keys are left out)."""
        values = {name: row[name] for name in _FIELDS}
        values["online"] = bool(values["online"])
        values["series_detached"] = bool(values["series_detached"])
        values["calendar_sequence"] = int(values["calendar_sequence"] or 0)
        return cls(**values)

    def replace(self, **changes: Any) -> EventRow:
        return dataclasses.replace(self, **changes)


_FIELDS = tuple(field.name for field in dataclasses.fields(EventRow))


@dataclass(frozen=True, slots=True)
class RegistrationRow:
    """A registration as the rest of events reads it; the member's and account's fields are
    there when the query joined them (events.emails.registration_row, the roster)."""

    id: int
    event: int
    member: int
    account: int | None
    status: str  # RegistrationStatus
    queue_order: int
    checkin_code: str
    attendance: str  # Attendance ("" until known)
    attended_minutes: float | None
    checked_in_at: datetime | None
    checked_in_by: int | None
    added_by: int | None
    lottery_rank: int | None
    registered_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    email: str = ""  # the joined fields: empty or None when the query did not join them
    member_name: str = ""
    locale: str | None = None
    member_timezone: str | None = None
    account_name: str | None = None
    waitlist_position: int | None = None  # 1 = next in line; None unless waitlisted

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> RegistrationRow:
        """From a selected row (every column of the table, and any joined fields)."""
        return cls(**{name: row[name] for name in _REGISTRATION_FIELDS if name in row})

    def replace(self, **changes: Any) -> RegistrationRow:
        return dataclasses.replace(self, **changes)


_REGISTRATION_FIELDS = tuple(field.name for field in dataclasses.fields(RegistrationRow))
