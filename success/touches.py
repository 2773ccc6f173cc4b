"""Touches: a CSM logs a 1:1 touch on an account (who took part, who did it, notes, the next
step) and ends it with homework; edits and deletions by its author (or an admin).

A touch the customer took part in records `meeting_attended` (its minutes as value) for each
participant, a missed one `meeting_no_show`. The ledger is append-only, with one exception made
here on purpose: a touch is a staff member's record, and when they correct it (edit or delete)
its own signals are withdrawn and written again as it now reads, so a mistake does not move the
account's score. Homework goes only to members who took part, due on a day not in the past;
each member is emailed their new homework through the job queue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

from accounts.services import lock_member
from accounts.tables import Account, Member
from content.services import items_for_account
from core.database import transaction
from core.errors import Conflict, Forbidden, NotFound
from core.forms import Problems, refuse
from core.i18n import N_
from core.ids import in_range
from core.jobs import enqueue
from core.markdown import render_markdown
from core.timeutil import utcnow
from engagement.signals import (
    NewSignal,
    SignalKind,
    Subject,
    SubjectType,
    record_signals,
    withdraw_signals,
)
from success import tasks
from success.emails import homework_email
from success.schemas import HomeworkIn, TouchIn
from success.tables import Homework, Touch, TouchOutcome, TouchParticipant, TouchStaff

TOUCH_NOT_FOUND = N_("This touch does not exist.")
STALE_TOUCH = N_(
    "This touch was changed meanwhile. Here it is as it is now: check it and try again."
)
FUTURE_SLACK = timedelta(hours=12)
HOMEWORK_DEFAULT = timedelta(days=7)


@dataclass(frozen=True)
class TouchRow:
    id: int
    account: int
    kind: str
    outcome: str
    occurred_at: datetime
    duration_minutes: int
    title: str
    notes_markdown: str
    notes_html: str
    next_step: str
    next_meeting_on: date | None
    ics_uid: str | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> TouchRow:
        return cls(**{name: row[name] for name in _TOUCH_FIELDS})

    @property
    def held(self) -> bool:
        return self.outcome == TouchOutcome.held.value


_TOUCH_FIELDS = tuple(f.name for f in fields(TouchRow))


def _require_staff(actor: Member) -> None:
    if not actor.is_staff:
        raise Forbidden(N_("Only staff log touches."))


async def get_touch(touch_id: int) -> TouchRow:
    row = await Touch.select().where(Touch.id == touch_id).first()
    if row is None:
        raise NotFound(TOUCH_NOT_FOUND)
    return TouchRow.of(row)


async def _checked(account_id: int, data: TouchIn) -> tuple[Problems, list[int], list[int]]:
    """The form's problems, and its participant and staff ids (each once)."""
    problems: Problems = {}
    participants = sorted(set(data.participant_ids))
    staff = sorted(set(data.staff_ids))
    if not all(in_range(i) for i in participants):
        participants = [0]  # an id beyond any member's: no member of this account
    if not all(in_range(i) for i in staff):
        staff = [0]
    if participants:
        found = await Member.select(Member.id).where(
            Member.id.is_in(participants) & (Member.account == account_id)
        )
        if len(found) != len(participants):
            problems["participant_ids"] = (
                N_("Participants must be members of this account."),
                {},
            )
    elif data.outcome == TouchOutcome.no_show.value:
        problems["participant_ids"] = (N_("Choose who was expected and did not come."), {})
    if staff:
        found = await Member.select(Member.id).where(
            Member.id.is_in(staff) & Member.role.is_in(["csm", "admin"])
        )
        if len(found) != len(staff):
            problems["staff_ids"] = (N_("Staff must be CSMs or admins."), {})
    if data.occurred_at > utcnow() + FUTURE_SLACK:
        problems["occurred_at"] = (
            N_("A touch is logged once it has happened: the time is in the future."),
            {},
        )
    return problems, participants, staff


async def _homework_problems(
    account_id: int, data: TouchIn, participants: list[int], today: date
) -> Problems:
    if not data.homework:
        return {}
    if data.outcome != TouchOutcome.held.value:
        return {"homework": (N_("Homework is given at a touch that took place."), {})}
    allowed = {item.id for item in await items_for_account(account_id)}
    for entry in data.homework:
        if entry.item_id not in allowed:
            return {"homework": (N_("This content is not available to the account."), {})}
        if not set(entry.member_ids) <= set(participants):
            return {"homework": (N_("Homework goes only to members who took part."), {})}
        if entry.due_on is not None and entry.due_on < today:
            return {"homework_due_on": (N_("The due date is in the past."), {})}
    return {}


def _values(data: TouchIn) -> dict[str, Any]:
    notes = (data.notes or "").strip()
    return {
        "kind": data.kind,
        "outcome": data.outcome,
        "occurred_at": data.occurred_at,
        "duration_minutes": data.duration_minutes,
        "title": (data.title or "").strip()[:200],
        "notes_markdown": notes,
        "notes_html": render_markdown(notes),
        "next_step": (data.next_step or "").strip()[:500],
        "next_meeting_on": data.next_meeting_on,
    }


async def log_touch(actor: Member, account_id: int, data: TouchIn, today: date) -> int:
    """Log a touch with its participants, staff, signals and homework in one transaction; a
    `task_id` is closed by it (on its version)."""
    _require_staff(actor)
    if not await Account.exists().where(Account.id == account_id):
        raise NotFound(N_("This account does not exist."))
    problems, participants, staff = await _checked(account_id, data)
    problems.update(await _homework_problems(account_id, data, participants, today))
    if data.ics_uid and await Touch.exists().where(
        (Touch.account == account_id) & (Touch.ics_uid == data.ics_uid)
    ):
        problems["ics_uid"] = (N_("This calendar meeting was already logged."), {})
    refuse(problems)
    staff = staff or [actor.id]
    key = f"{actor.id}:{data.client_token}" if data.client_token else None
    async with transaction():
        await lock_member(actor.id)
        if key and (
            earlier := await Touch.select(Touch.id).where(Touch.submission_key == key).first()
        ):
            return int(earlier["id"])  # the same form sent again (a double click)
        touch = Touch(
            account=account_id,
            ics_uid=data.ics_uid or None,
            submission_key=key,
            created_by=actor.id,
            **_values(data),
        )
        await touch.save()
        touch_id = int(touch.id)
        await _save_people(touch_id, participants, staff)
        await _record(account_id, touch_id, data, participants)
        given = await _give_homework(actor, account_id, touch_id, data, participants)
        if data.task_id is not None:
            task = await tasks.get_task(data.task_id)
            if task.account != account_id:
                raise NotFound(tasks.TASK_NOT_FOUND)
            await tasks.close_with_touch(
                actor, data.task_id, data.task_version or task.version, touch_id
            )
        if given:
            await enqueue(homework_email, touch_id)
    return touch_id


async def _save_people(touch_id: int, participants: Sequence[int], staff: Sequence[int]) -> None:
    await TouchParticipant.delete().where(TouchParticipant.touch == touch_id)
    await TouchStaff.delete().where(TouchStaff.touch == touch_id)
    if participants:
        await TouchParticipant.insert(
            *[TouchParticipant(touch=touch_id, member=m) for m in participants]
        )
    if staff:
        await TouchStaff.insert(*[TouchStaff(touch=touch_id, member=m) for m in staff])


async def _record(account_id: int, touch_id: int, data: TouchIn, participants: list[int]) -> None:
    kind = (
        SignalKind.meeting_attended
        if data.outcome == TouchOutcome.held.value
        else SignalKind.meeting_no_show
    )
    await record_signals(
        *[
            NewSignal(
                kind,
                account_id,
                member_id,
                Subject(SubjectType.touch, touch_id),
                data.occurred_at,
                value=float(data.duration_minutes),
                detail=str(member_id),
            )
            for member_id in participants
        ]
    )


def homework_due(data: TouchIn, entry: HomeworkIn) -> date:
    """The day asked, else the next meeting, else a week after the touch."""
    if entry.due_on is not None:
        return entry.due_on
    if data.next_meeting_on is not None:
        return data.next_meeting_on
    return (data.occurred_at + HOMEWORK_DEFAULT).date()


async def _give_homework(
    actor: Member, account_id: int, touch_id: int, data: TouchIn, participants: list[int]
) -> int:
    rows = [
        Homework(
            touch=touch_id,
            account=account_id,
            member=member_id,
            item=entry.item_id,
            due_on=homework_due(data, entry),
            assigned_by=actor.id,
        )
        for entry in data.homework
        for member_id in sorted(set(entry.member_ids or participants))
    ]
    if rows:
        await Homework.insert(*rows).on_conflict(
            target=(Homework.touch, Homework.member, Homework.item), action="DO NOTHING"
        )
    return len(rows)


def _may_change(actor: Member, touch: TouchRow) -> None:
    if not actor.is_staff:
        raise Forbidden(N_("Only staff log touches."))
    if touch.created_by != actor.id and not actor.is_admin:
        raise Forbidden(N_("You can change only the touches you logged."))


async def update_touch(actor: Member, touch_id: int, data: TouchIn, today: date) -> None:
    """Correct a touch (its author or an admin), on the version the form showed; its signals
    are rewritten as it now reads. Homework given earlier stays; new homework is added."""
    touch = await get_touch(touch_id)
    _may_change(actor, touch)
    problems, participants, staff = await _checked(touch.account, data)
    problems.update(await _homework_problems(touch.account, data, participants, today))
    refuse(problems)
    async with transaction():
        changed = (
            await Touch.update(
                {
                    **{getattr(Touch, k): v for k, v in _values(data).items()},
                    Touch.updated_at: utcnow(),
                    Touch.version: Touch.version + 1,
                }
            )
            .where((Touch.id == touch_id) & (Touch.version == (data.version or touch.version)))
            .returning(Touch.id)
        )
        if not changed:
            raise Conflict(STALE_TOUCH)
        await _save_people(touch_id, participants, staff or [actor.id])
        await withdraw_signals(Subject(SubjectType.touch, touch_id))
        await _record(touch.account, touch_id, data, participants)
        if await _give_homework(actor, touch.account, touch_id, data, participants):
            await enqueue(homework_email, touch_id)


async def delete_touch(actor: Member, touch_id: int) -> int:
    """Delete a touch (its author or an admin) with its homework and signals; its account."""
    touch = await get_touch(touch_id)
    _may_change(actor, touch)
    async with transaction():
        homework_ids = [
            row["id"]
            for row in await Homework.select(Homework.id).where(Homework.touch == touch_id)
        ]
        for homework_id in homework_ids:
            await withdraw_signals(Subject(SubjectType.homework, homework_id))
        await withdraw_signals(Subject(SubjectType.touch, touch_id))
        await Touch.delete().where(Touch.id == touch_id)
    return touch.account


async def people(
    touch_ids: Sequence[int],
) -> tuple[dict[int, list[dict[str, Any]]], dict[int, list[dict[str, Any]]]]:
    """({touch id: participants}, {touch id: staff}) with their names."""
    if not touch_ids:
        return {}, {}
    ids = list(touch_ids)
    participants: dict[int, list[dict[str, Any]]] = {t: [] for t in ids}
    staff: dict[int, list[dict[str, Any]]] = {t: [] for t in ids}
    for table, into in ((TouchParticipant, participants), (TouchStaff, staff)):
        rows = await table.select(
            table.touch, table.member, table.member.display_name.as_alias("name")
        ).where(table.touch.is_in(ids))
        for row in rows:
            into[row["touch"]].append({"id": row["member"], "name": row["name"]})
    return participants, staff


async def account_touches(account_id: int, limit: int = 50) -> list[TouchRow]:
    rows = await (
        Touch.select()
        .where(Touch.account == account_id)
        .order_by(Touch.occurred_at, ascending=False)
        .limit(limit)
    )
    return [TouchRow.of(row) for row in rows]
