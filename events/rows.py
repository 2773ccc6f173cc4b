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

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_FIELDS = tuple(field.name for field in dataclasses.fields(EventRow))
