"""The workbench's tables: touches with their participants and homework, playbooks and the
accounts they currently match, tasks and their comments, CSM capacity, the mix targets."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    JSONB,
    Boolean,
    Date,
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

from accounts.tables import Account, Member
from content.tables import ContentItem


class TouchKind(StrEnum):
    meeting_online = "meeting_online"
    meeting_onsite = "meeting_onsite"
    call = "call"
    email = "email"
    qbr = "qbr"


class TouchOutcome(StrEnum):
    held = "held"
    no_show = "no_show"  # the customer did not come


class Priority(StrEnum):
    high = "high"
    normal = "normal"
    low = "low"


class TaskStatus(StrEnum):
    open = "open"
    done = "done"


class Touch(Table, tablename="success_touch"):
    """A 1:1 touch a CSM logged on an account: a meeting, a call, an email, a QBR."""

    id: Serial

    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=20, default=TouchKind.meeting_online.value, choices=TouchKind)
    outcome = Varchar(length=10, default=TouchOutcome.held.value, choices=TouchOutcome)
    occurred_at = Timestamptz(index=True, help_text="When it started (UTC).")
    duration_minutes = Integer(default=30)
    title = Varchar(length=200, default="", help_text="What it was about, e.g. 月次定例.")
    notes_markdown = Text(default="")
    notes_html = Text(default="", help_text="Rendered and sanitised once, when saved.")
    next_step = Varchar(length=500, default="")
    next_meeting_on = Date(null=True, default=None, help_text="When the next one is planned.")
    ics_uid = Varchar(
        length=300, null=True, default=None, help_text="UID of the imported calendar event."
    )
    submission_key = Varchar(
        length=100,
        null=True,
        default=None,
        help_text="author:form token: a repeated submission is the same touch (unique index).",
    )
    created_by = ForeignKey(references=Member, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1, help_text="Raised by each edit: a stale form is refused.")


class TouchParticipant(Table, tablename="success_touch_participant"):
    """A customer member who took part (or was expected: a no-show); unique pair."""

    id: Serial

    touch = ForeignKey(references=Touch, on_delete=OnDelete.cascade, index=True)
    member = ForeignKey(references=Member, on_delete=OnDelete.cascade, index=True)


class TouchStaff(Table, tablename="success_touch_staff"):
    """A staff member who did the touch (their human-touch hours); unique pair."""

    id: Serial

    touch = ForeignKey(references=Touch, on_delete=OnDelete.cascade, index=True)
    member = ForeignKey(references=Member, on_delete=OnDelete.cascade, index=True)


class Homework(Table, tablename="success_homework"):
    """A content item given to a member at the end of a touch, due by a day."""

    id: Serial

    touch = ForeignKey(references=Touch, on_delete=OnDelete.cascade, index=True)
    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, index=True)
    member = ForeignKey(references=Member, on_delete=OnDelete.cascade, index=True)
    item = ForeignKey(references=ContentItem, on_delete=OnDelete.cascade)
    due_on = Date(help_text="The member's day it is due by.")
    assigned_by = ForeignKey(references=Member, null=True, on_delete=OnDelete.set_null)
    assigned_at = Timestamptz(default=TimestamptzNow())
    completed_at = Timestamptz(null=True, default=None, index=True)


class Playbook(Table, tablename="success_playbook"):
    """A trigger and what to do when an account meets it: a task for a CSM."""

    id: Serial

    name = Varchar(length=150)
    trigger = Varchar(length=30, help_text="success.triggers.Trigger")
    threshold = Integer(null=True, default=None, help_text="The trigger's N (points, days…).")
    assignee = ForeignKey(
        references=Member,
        null=True,
        on_delete=OnDelete.set_null,
        help_text="Who gets the task; empty: the account's owner CSM.",
    )
    due_in_days = Integer(default=3)
    priority = Varchar(length=10, default=Priority.normal.value, choices=Priority)
    notify = Boolean(default=True, help_text="Email the CSM when a task is created.")
    active = Boolean(default=True)
    created_by = ForeignKey(references=Member, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class PlaybookMatch(Table, tablename="success_playbook_match"):
    """An account that currently meets a playbook's trigger: a task is made when the row is
    created (the crossing), and the row goes when the account no longer meets it."""

    id: Serial

    playbook = ForeignKey(references=Playbook, on_delete=OnDelete.cascade, index=True)
    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, index=True)
    since = Timestamptz(default=TimestamptzNow())


class Task(Table, tablename="success_task"):
    """Something a CSM should do for an account, made by a playbook or by hand."""

    id: Serial

    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, index=True)
    playbook = ForeignKey(references=Playbook, null=True, on_delete=OnDelete.set_null)
    reason = Varchar(length=30, default="manual", help_text="The trigger, or manual.")
    reason_params = JSONB(default={}, help_text="What the trigger saw (score, days…).")
    title = Varchar(length=200, default="", help_text="A hand-made task's title.")
    assignee = ForeignKey(references=Member, null=True, on_delete=OnDelete.set_null, index=True)
    due_on = Date()
    priority = Varchar(length=10, default=Priority.normal.value, choices=Priority)
    status = Varchar(length=10, default=TaskStatus.open.value, choices=TaskStatus, index=True)
    snoozed_until = Date(null=True, default=None)
    cause_gone_at = Timestamptz(
        null=True, default=None, help_text="The account no longer meets the trigger."
    )
    touch = ForeignKey(
        references=Touch,
        null=True,
        on_delete=OnDelete.set_null,
        help_text="The touch logged when it was done.",
    )
    created_by = ForeignKey(references=Member, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    done_at = Timestamptz(null=True, default=None)
    done_by = ForeignKey(references=Member, null=True, on_delete=OnDelete.set_null)
    version = Integer(default=1, help_text="Raised by each change: a stale change is refused.")


class TaskComment(Table, tablename="success_task_comment"):
    id: Serial

    task = ForeignKey(references=Task, on_delete=OnDelete.cascade, index=True)
    author = ForeignKey(references=Member, null=True, on_delete=OnDelete.set_null)
    body_markdown = Text()
    body_html = Text()
    created_at = Timestamptz(default=TimestamptzNow())


class CsmCapacity(Table, tablename="success_csm_capacity"):
    """The human-touch hours a month one CSM can give (admins set it)."""

    id: Serial

    member = ForeignKey(references=Member, unique=True, on_delete=OnDelete.cascade)
    hours_per_month = DoublePrecision(default=60.0)


class MixConfig(Table, tablename="success_mix_config"):
    """One version of the mix targets and capacity model; the newest row is in force."""

    id: Serial

    settings = JSONB(help_text="success.schemas.MixSettings, whole.")
    created_by = ForeignKey(references=Member, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
