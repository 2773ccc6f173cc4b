"""What comes in (touch, homework, task, playbook and mix forms; API bodies) and goes out."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from core.ids import ID_MAX, RowId
from core.problems import ApiInput, IsoDate, IsoDatetime

TouchKindName = Literal["meeting_online", "meeting_onsite", "call", "email", "qbr"]
OutcomeName = Literal["held", "no_show"]
PriorityName = Literal["high", "normal", "low"]
NOTES_MAX = 20_000


class MixSettings(BaseModel):
    """The hybrid mix's targets by lifecycle stage and the capacity model (admins set them).

    Defaults follow the touch model the product grew from: 70% human touch while onboarding
    (the first 3 months from the contract start), 50% while adopting (months 4–9), 30% once
    self-reliant; a CSM's planned load is 4 hours a month per high-touch account, 1 per
    low-touch and 0.2 per tech-touch account.
    """

    onboarding_months: int = Field(3, ge=1, le=24)
    adoption_months: int = Field(9, ge=2, le=60)
    onboarding_human: float = Field(70.0, ge=0, le=100)
    adoption_human: float = Field(50.0, ge=0, le=100)
    self_reliant_human: float = Field(30.0, ge=0, le=100)
    tolerance: float = Field(15.0, ge=0, le=100)
    window_months: int = Field(3, ge=1, le=12)
    no_human_touch_days: int = Field(30, ge=1, le=365)
    hours_high: float = Field(4.0, ge=0, le=200)
    hours_low: float = Field(1.0, ge=0, le=200)
    hours_tech: float = Field(0.2, ge=0, le=200)
    default_capacity_hours: float = Field(60.0, ge=1, le=744)

    def tier_hours(self, tier: str) -> float:
        return float(getattr(self, f"hours_{tier}", 0.0))


# Ids in lists are checked by the services (an unknown id, or one beyond any id, is a rule's
# refusal): the OpenAPI generator does not carry RowId's bounds into array items.
OptionalId = Field(default=None, ge=1, le=ID_MAX)


class HomeworkIn(ApiInput):
    """One content item given to some of the touch's participants (none named: all of them)."""

    item_id: RowId
    member_ids: list[int] = Field(default_factory=list, max_length=100)
    due_on: IsoDate | None = None  # default: the next meeting, else a week after the touch


class TouchIn(ApiInput):
    """A touch as a CSM logs it (form or API); times are the CSM's wall-clock time unless
    they carry an offset."""

    kind: TouchKindName = "meeting_online"
    outcome: OutcomeName = "held"
    occurred_at: IsoDatetime
    duration_minutes: int = Field(30, ge=1, le=600)
    title: str | None = Field(default=None, max_length=200)
    notes: str | None = Field(default=None, max_length=NOTES_MAX)
    next_step: str | None = Field(default=None, max_length=500)
    next_meeting_on: IsoDate | None = None
    participant_ids: list[int] = Field(default_factory=list, max_length=100)
    staff_ids: list[int] = Field(default_factory=list, max_length=20)
    homework: list[HomeworkIn] = Field(default_factory=list, max_length=20)
    ics_uid: str | None = Field(default=None, max_length=300)
    client_token: str | None = Field(
        default=None,
        max_length=64,
        description="Any unique string per attempt: a repeated request logs one touch.",
    )
    task_id: int | None = OptionalId  # the task this touch does (closed with it)
    task_version: int | None = Field(default=None, ge=1)  # the task's version the form showed
    version: int | None = Field(default=None, ge=1)  # an edit: the version the form showed


class TaskIn(BaseModel):
    """A task a CSM writes by hand."""

    title: str = Field(min_length=1, max_length=200)
    due_on: date
    priority: PriorityName = "normal"
    assignee_id: int | None = OptionalId


class TaskChange(ApiInput):
    """One change to a task: done, snooze, reassign or reopen; `version` is the one shown."""

    action: Literal["done", "snooze", "reassign", "reopen"]
    version: int = Field(ge=1, le=ID_MAX)
    snoozed_until: IsoDate | None = None
    assignee_id: int | None = OptionalId


class PlaybookIn(BaseModel):
    name: str = Field(min_length=1, max_length=150)
    trigger: str = Field(max_length=30)
    threshold: int | None = Field(default=None, ge=0, le=100_000)
    assignee_id: int | None = OptionalId
    due_in_days: int = Field(3, ge=0, le=90)
    priority: PriorityName = "normal"
    notify: bool = False
    active: bool = False
    confirm_count: int | None = Field(default=None, ge=0)  # the count the admin saw and accepted


# --- API answers -------------------------------------------------------------------------


class HomeworkOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    touch_id: int
    member_id: int
    item_id: int
    item_title: str
    due_on: date
    completed_at: datetime | None
    overdue: bool


class TouchOut(BaseModel):
    id: int
    account_id: int
    kind: TouchKindName
    outcome: OutcomeName
    occurred_at: IsoDatetime
    duration_minutes: int
    title: str
    notes_html: str
    next_step: str
    next_meeting_on: date | None
    participant_ids: list[int]
    staff_ids: list[int]
    homework: list[HomeworkOut]
    version: int


class TouchList(BaseModel):
    items: list[TouchOut]


class TaskOut(BaseModel):
    id: int
    account_id: int
    account_name: str
    reason: str
    reason_text: str = Field(description="The reason in words, in the viewer's language.")
    assignee_id: int | None
    due_on: date
    priority: PriorityName
    status: Literal["open", "done"]
    snoozed_until: date | None
    cause_gone: bool
    touch_id: int | None
    created_at: datetime
    version: int


class TaskList(BaseModel):
    items: list[TaskOut]


class HomeworkList(BaseModel):
    items: list[HomeworkOut]


def clean_params(params: Any) -> dict[str, Any]:
    return dict(params) if isinstance(params, dict) else {}
