"""What comes in (event forms, API bodies) and goes out (API responses) for events.

Times in an event form are wall-clock times in the form's `timezone` (the organiser's zone,
by default the viewer's); the services convert them to UTC. An API body may also send times
with an offset, which are taken as they are.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from core.forms import as_list
from core.ids import RowId
from core.problems import ApiInput, IsoDatetime, Whole

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
CAPACITY_MAX = 100_000
OCCURRENCES_MAX = 52

KindName = Literal["webinar", "mokumoku"]
AllocationName = Literal["first_come", "lottery"]
AudienceName = Literal["all", "tiers", "accounts"]
RepeatName = Literal["none", "weekly", "monthly"]


class EventIn(BaseModel):
    """An event as a staff member writes it (form or API)."""

    kind: KindName = "mokumoku"
    title: str | None = None
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    timezone: str | None = None
    starts_at: datetime
    ends_at: datetime
    online: bool = False
    join_url: str | None = Field(default=None, max_length=500)
    venue: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=1000)
    capacity: int | None = Field(default=None, ge=1, le=CAPACITY_MAX)
    allocation: AllocationName = "first_come"
    draw_at: datetime | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    cancellation_deadline: datetime | None = None
    audience: AudienceName = "all"
    audience_tiers: list[Literal["high", "low", "tech"]] = Field(default_factory=list)
    audience_accounts: list[RowId] = Field(default_factory=list, max_length=1000)
    hosts: list[RowId] = Field(default_factory=list, max_length=50)

    _lists = field_validator("audience_tiers", "audience_accounts", "hosts", mode="before")(as_list)


class SeriesIn(EventIn):
    """A recurring mokumoku-kai: the first occurrence's fields, how often, how many."""

    repeat: Literal["weekly", "monthly"] = "weekly"
    occurrences: int = Field(default=4, ge=2, le=OCCURRENCES_MAX)


class EventFormIn(SeriesIn):
    """The staff event form: one event, or (repeat weekly/monthly) a new series."""

    repeat: RepeatName = "none"  # type: ignore[assignment]


class AddRegistrantIn(BaseModel):
    """Staff adding a member to the roster by email."""

    email: str = Field(min_length=3, max_length=320)
    over_capacity: bool = False


# --- out ---------------------------------------------------------------------------------


class RegistrationOut(BaseModel):
    """A registration as its member (or staff) sees it. `waitlist_position` counts from 1."""

    id: int
    event_id: int
    status: str
    waitlist_position: int | None
    checkin_code: str | None
    attendance: str
    registered_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None


class EventOut(BaseModel):
    """An event. `join_url` is only given to confirmed registrants and staff."""

    id: int
    kind: str
    title: str
    description_html: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    online: bool
    join_url: str | None
    venue: str
    address: str
    capacity: int | None
    confirmed_count: int
    waitlisted_count: int
    seats_left: int | None
    allocation: str
    draw_at: datetime | None
    drawn_at: datetime | None
    draw_seed: str | None
    status: str
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    cancellation_deadline: datetime | None
    series_id: int | None
    my_registration: RegistrationOut | None


class RegisterOut(BaseModel):
    """The result of registering: `created` is false when the member was already registered."""

    created: bool
    registration: RegistrationOut


class RosterRowOut(BaseModel):
    """One roster row (staff)."""

    id: int
    member_id: int
    display_name: str
    email: str
    account_name: str | None
    status: str
    waitlist_position: int | None
    attendance: str
    checkin_code: str
    registered_at: datetime
    cancelled_at: datetime | None


class RosterOut(BaseModel):
    """The roster of an event with its counts (staff)."""

    event_id: int
    counts: dict[str, int]
    rows: list[RosterRowOut]


class EventApiIn(ApiInput):
    """An event as the staff API takes it: the form's fields, strictly typed; times with an
    offset ("2027-01-20T14:00:00+09:00") or wall-clock times in `timezone`."""

    kind: KindName = "mokumoku"
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    timezone: str | None = Field(default=None, max_length=64)
    starts_at: IsoDatetime
    ends_at: IsoDatetime
    online: bool = False
    join_url: str | None = Field(default=None, max_length=500)
    venue: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=1000)
    capacity: Whole | None = Field(default=None, ge=1, le=CAPACITY_MAX)
    allocation: AllocationName = "first_come"
    draw_at: IsoDatetime | None = None
    registration_opens_at: IsoDatetime | None = None
    registration_closes_at: IsoDatetime | None = None
    cancellation_deadline: IsoDatetime | None = None
    audience: AudienceName = "all"
    audience_tiers: list[Literal["high", "low", "tech"]] = Field(default=[], max_length=3)
    audience_accounts: list[RowId] = Field(default=[], max_length=1000)
    hosts: list[RowId] = Field(default=[], max_length=50)
    publish: bool = False

    def as_form(self) -> EventFormIn:
        return EventFormIn.model_validate(self.model_dump(exclude={"publish"}))


class EventStatusIn(ApiInput):
    """What happens to the event: published (a draft), finished or cancelled."""

    status: Literal["published", "finished", "cancelled"]


class RosterAddIn(ApiInput):
    """A customer added to the roster by email (the same allocation as registering, or
    confirmed beyond the capacity with `over_capacity`)."""

    email: str = Field(min_length=3, max_length=320)
    over_capacity: bool = False
