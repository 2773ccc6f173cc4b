"""Tasks: what a CSM should do for an account — made by a playbook or by hand — done, snoozed,
reassigned, commented, or done by logging a touch.

Every change names the version of the task it was made on; a task changed meanwhile (by
someone else, or by the evaluation saying its cause has gone) refuses the stale change with a
409 that says so, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from piccolo.query.functions.aggregate import Count

from accounts.tables import Account, Member
from core.database import transaction
from core.errors import Conflict, DomainError, Forbidden, NotFound
from core.i18n import N_, gettext
from core.markdown import render_markdown
from core.timeutil import utcnow
from engagement.dashboard import as_date
from success.schemas import TaskChange, TaskIn, clean_params
from success.tables import Priority, Task, TaskComment, TaskStatus
from success.triggers import TRIGGERS, Trigger

TASK_NOT_FOUND = N_("This task does not exist.")
STALE_TASK = N_(
    "This task was changed meanwhile (by someone else or because its cause went away). "
    "Here it is as it is now: check it and try again."
)
PRIORITY_ORDER = {Priority.high.value: 0, Priority.normal.value: 1, Priority.low.value: 2}
LIST_LIMIT = 500


@dataclass(frozen=True)
class TaskRow:
    """A task with its account's and assignee's names."""

    id: int
    account: int
    account_name: str
    playbook: int | None
    reason: str
    reason_params: dict[str, Any]
    title: str
    assignee: int | None
    assignee_name: str | None
    due_on: date
    priority: str
    status: str
    snoozed_until: date | None
    cause_gone_at: datetime | None
    touch: int | None
    created_at: datetime
    done_at: datetime | None
    version: int

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> TaskRow:
        values = {name: row[name] for name in _TASK_FIELDS if name in row}
        values["reason_params"] = clean_params(row.get("reason_params"))
        values["due_on"] = as_date(row["due_on"])
        if row.get("snoozed_until"):
            values["snoozed_until"] = as_date(row["snoozed_until"])
        return cls(**values)

    @property
    def reason_text(self) -> str:
        """Why the task exists, in the viewer's language."""
        if self.reason not in {t.value for t in Trigger}:
            return self.title
        spec = TRIGGERS[Trigger(self.reason)]
        try:
            return gettext(spec.reason, **self.reason_params)
        except (KeyError, TypeError, ValueError):
            return gettext(spec.label)

    @property
    def label(self) -> str:
        """The task's headline: its title, or its trigger's name."""
        if self.reason in {t.value for t in Trigger}:
            return gettext(TRIGGERS[Trigger(self.reason)].label)
        return self.title

    def overdue(self, today: date) -> bool:
        return self.status == TaskStatus.open.value and self.due_on < today

    def snoozed(self, today: date) -> bool:
        return self.snoozed_until is not None and self.snoozed_until > today


_TASK_FIELDS = tuple(f.name for f in fields(TaskRow))


def _columns() -> list[Any]:
    return [
        *Task.all_columns(),
        Task.account.name.as_alias("account_name"),
        Task.assignee.display_name.as_alias("assignee_name"),
    ]


def _require_staff(actor: Member) -> None:
    if not actor.is_staff:
        raise Forbidden(N_("Only staff work on tasks."))


async def get_task(task_id: int) -> TaskRow:
    row = await Task.select(*_columns()).where(Task.id == task_id).output(load_json=True).first()
    if row is None:
        raise NotFound(TASK_NOT_FOUND)
    return TaskRow.of(row)


def _sorted(rows: list[TaskRow], today: date) -> list[TaskRow]:
    """Overdue first, then by due day and priority."""
    return sorted(
        rows,
        key=lambda t: (not t.overdue(today), t.due_on, PRIORITY_ORDER.get(t.priority, 1), t.id),
    )


async def my_tasks(member: Member, today: date) -> tuple[list[TaskRow], list[TaskRow]]:
    """(open tasks to do, open tasks snoozed past today) assigned to `member`."""
    rows = await (
        Task.select(*_columns())
        .where((Task.assignee == member.id) & (Task.status == TaskStatus.open.value))
        .limit(LIST_LIMIT)
        .output(load_json=True)
    )
    tasks = _sorted([TaskRow.of(row) for row in rows], today)
    return [t for t in tasks if not t.snoozed(today)], [t for t in tasks if t.snoozed(today)]


async def all_tasks(
    today: date, *, status: str = "open", assignee_id: int | None = None
) -> list[TaskRow]:
    """Every task of a status (admins), overdue first."""
    where: Any = Task.status == status
    if assignee_id is not None:
        where = where & (Task.assignee == assignee_id)
    rows = await (
        Task.select(*_columns())
        .where(where)
        .order_by(Task.id, ascending=False)
        .limit(LIST_LIMIT)
        .output(load_json=True)
    )
    return _sorted([TaskRow.of(row) for row in rows], today)


async def account_tasks(account_id: int, limit: int = 20) -> list[TaskRow]:
    """An account's open tasks and its latest done ones, newest first."""
    rows = await (
        Task.select(*_columns())
        .where(Task.account == account_id)
        .order_by(Task.status, ascending=False)
        .order_by(Task.id, ascending=False)
        .limit(limit)
        .output(load_json=True)
    )
    return [TaskRow.of(row) for row in rows]


async def open_task_counts(account_ids: list[int]) -> dict[int, int]:
    if not account_ids:
        return {}
    rows = (
        await Task.select(Task.account, Count())
        .where(Task.account.is_in(account_ids) & (Task.status == TaskStatus.open.value))
        .group_by(Task.account)
    )
    return {row["account"]: int(row["count"]) for row in rows}


async def _check_assignee(assignee_id: int | None) -> None:
    if assignee_id is None:
        return
    person = await Member.objects().where(Member.id == assignee_id).first()
    if person is None or not person.is_staff or not person.active:
        message = N_("The assignee must be an active CSM or admin.")
        raise DomainError(message, field_errors={"assignee_id": gettext(message)})


async def create_task(actor: Member, account_id: int, data: TaskIn, today: date) -> int:
    """A task written by hand; for the account's owner unless someone else is named."""
    _require_staff(actor)
    account = (
        await Account.select(Account.id, Account.owner).where(Account.id == account_id).first()
    )
    if account is None:
        raise NotFound(N_("This account does not exist."))
    if data.due_on < today:
        message = N_("The due date is in the past.")
        raise DomainError(message, field_errors={"due_on": gettext(message)})
    await _check_assignee(data.assignee_id)
    task = Task(
        account=account_id,
        reason="manual",
        title=data.title.strip(),
        assignee=data.assignee_id or account["owner"] or actor.id,
        due_on=data.due_on,
        priority=data.priority,
        created_by=actor.id,
    )
    async with transaction():
        await task.save()
    return int(task.id)


async def change_task(actor: Member, task_id: int, change: TaskChange, today: date) -> TaskRow:
    """Done, snooze until a day, reassign, or reopen — on the version the actor saw."""
    _require_staff(actor)
    values: dict[Any, Any] = {}
    if change.action == "done":
        values = {
            Task.status: TaskStatus.done.value,
            Task.done_at: utcnow(),
            Task.done_by: actor.id,
        }
    elif change.action == "reopen":
        values = {Task.status: TaskStatus.open.value, Task.done_at: None, Task.done_by: None}
    elif change.action == "snooze":
        if change.snoozed_until is None or change.snoozed_until <= today:
            message = N_("Snooze until a day after today.")
            raise DomainError(message, field_errors={"snoozed_until": gettext(message)})
        values = {Task.snoozed_until: change.snoozed_until}
    else:
        if change.assignee_id is None:
            message = N_("Choose who takes the task.")
            raise DomainError(message, field_errors={"assignee_id": gettext(message)})
        await _check_assignee(change.assignee_id)
        values = {Task.assignee: change.assignee_id}
    async with transaction():
        await apply_change(task_id, change.version, values)
    return await get_task(task_id)


async def apply_change(task_id: int, version: int, values: dict[Any, Any]) -> None:
    """Write `values` if the task is still at `version` (inside the caller's transaction)."""
    changed = (
        await Task.update({**values, Task.version: Task.version + 1})
        .where((Task.id == task_id) & (Task.version == version))
        .returning(Task.id)
    )
    if not changed:
        if not await Task.exists().where(Task.id == task_id):
            raise NotFound(TASK_NOT_FOUND)
        raise Conflict(STALE_TASK)


async def close_with_touch(actor: Member, task_id: int, version: int, touch_id: int) -> None:
    """Done by the touch just logged (inside the touch's transaction)."""
    await apply_change(
        task_id,
        version,
        {
            Task.status: TaskStatus.done.value,
            Task.done_at: utcnow(),
            Task.done_by: actor.id,
            Task.touch: touch_id,
        },
    )


async def add_comment(actor: Member, task_id: int, body: str) -> None:
    _require_staff(actor)
    text = (body or "").strip()
    if not text:
        message = N_("Write a comment first.")
        raise DomainError(message, field_errors={"body": gettext(message)})
    await get_task(task_id)
    async with transaction():
        await TaskComment(
            task=task_id, author=actor.id, body_markdown=text, body_html=render_markdown(text)
        ).save()


async def comments(task_id: int) -> list[dict[str, Any]]:
    return await (
        TaskComment.select(
            TaskComment.id,
            TaskComment.body_html,
            TaskComment.created_at,
            TaskComment.author.display_name.as_alias("author_name"),
        )
        .where(TaskComment.task == task_id)
        .order_by(TaskComment.id)
    )
