"""Playbooks: admins define a trigger and the task it makes; the evaluation runs every trigger
for every account (one grouped query per playbook) and makes a task once per crossing.

An account that newly meets a playbook's trigger gets a PlaybookMatch row and a task for the
account's owner CSM (or the playbook's assignee), due in N days, with the reason in words;
while it keeps meeting it, nothing more happens, even after the task is done. When it no longer
meets it, the row goes and an open task says its cause has gone. A new crossing makes a new
task, unless the earlier one is still open (it is then marked as current again). The
PlaybookMatch row's unique pair decides between two evaluations running at once.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from accounts.tables import Account, Member
from core.database import insert_rows, transaction
from core.errors import DomainError, Forbidden, NotFound
from core.forms import Problems, refuse
from core.i18n import N_
from core.jobs import enqueue
from core.timeutil import utcnow
from success.emails import tasks_email
from success.schemas import PlaybookIn
from success.tables import Playbook, PlaybookMatch, Task, TaskStatus
from success.triggers import TRIGGERS, Situation, Trigger, find_matches

PLAYBOOK_NOT_FOUND = N_("This playbook does not exist.")
CHUNK = 500
TASK_COLUMNS = (
    "account",
    "playbook",
    "reason",
    "reason_params",
    "title",
    "assignee",
    "due_on",
    "priority",
    "status",
    "created_at",
    "version",
)


class TooBroad(DomainError):
    """The trigger would fire on a large share of the accounts at once: confirm the count."""

    status_code = 409


@dataclass(frozen=True)
class Evaluation:
    created: int  # tasks made
    current: int  # accounts meeting a trigger now (summed over playbooks)
    gone: int  # matches whose cause went away


def _require_admin(actor: Member) -> None:
    if not actor.is_admin:
        raise Forbidden(N_("Only admins can change playbooks."))


async def broad_limit() -> int:
    """From how many matching accounts a trigger asks to be confirmed: half the active
    accounts (rounded up), and at least 2."""
    active = await Account.count().where(Account.active.eq(True))
    return max(2, -(-active // 2))


async def save_playbook(
    actor: Member, playbook_id: int | None, data: PlaybookIn, situation: Situation
) -> int:
    """Create or update a playbook. An active one whose trigger matches `broad_limit()`
    accounts or more now is refused (TooBroad, with the count) unless the form confirms that
    very count."""
    _require_admin(actor)
    threshold = await _checked(data)
    if data.active:
        await _refuse_if_too_broad(data, threshold, situation)
    values: dict[str, Any] = {
        "name": data.name.strip(),
        "trigger": data.trigger,
        "threshold": threshold,
        "assignee": data.assignee_id,
        "due_in_days": data.due_in_days,
        "priority": data.priority,
        "notify": data.notify,
        "active": data.active,
    }
    async with transaction():
        if playbook_id is None:
            playbook = Playbook(**values, created_by=actor.id)
            await playbook.save()
            return int(playbook.id)
        if not await Playbook.exists().where(Playbook.id == playbook_id):
            raise NotFound(PLAYBOOK_NOT_FOUND)
        columns = {getattr(Playbook, name): value for name, value in values.items()}
        await Playbook.update({**columns, Playbook.updated_at: utcnow()}).where(
            Playbook.id == playbook_id
        )
        if not data.active:
            await PlaybookMatch.delete().where(PlaybookMatch.playbook == playbook_id)
    return playbook_id


async def _checked(data: PlaybookIn) -> int | None:
    """The form's problems refused, and the trigger's N (its default when left empty; None
    for a trigger without one)."""
    problems: Problems = {}
    if data.trigger not in {t.value for t in Trigger}:
        problems["trigger"] = (N_("Choose one of the offered values."), {})
    if data.assignee_id is not None:
        assignee = await Member.objects().where(Member.id == data.assignee_id).first()
        if assignee is None or not assignee.is_staff or not assignee.active:
            problems["assignee_id"] = (N_("The assignee must be an active CSM or admin."), {})
    refuse(problems)
    spec = TRIGGERS[Trigger(data.trigger)]
    if not spec.threshold_label:
        return None
    return spec.default_threshold if data.threshold is None else data.threshold


async def _refuse_if_too_broad(
    data: PlaybookIn, threshold: int | None, situation: Situation
) -> None:
    count = len(await find_matches(data.trigger, threshold, situation))
    if count >= await broad_limit() and data.confirm_count != count:
        raise TooBroad(
            N_(
                "This trigger matches %(count)s accounts right now: saving it makes a task "
                "for each. Check the box to confirm, or narrow the trigger."
            ),
            count=count,
        )


async def evaluate_playbooks(situation: Situation) -> Evaluation:
    """Run every active playbook over every account; returns what changed."""
    created = current = gone = 0
    mailed: dict[int, list[int]] = defaultdict(list)
    for playbook in await Playbook.select().where(Playbook.active.eq(True)).order_by(Playbook.id):
        matches = await find_matches(playbook["trigger"], playbook["threshold"], situation)
        current += len(matches)
        made, went, tasks = await _apply(playbook, matches, situation)
        created += made
        gone += went
        if playbook["notify"]:
            for assignee, task_id in tasks:
                mailed[assignee].append(task_id)
    for assignee, task_ids in mailed.items():
        await enqueue(tasks_email, assignee, task_ids)
    return Evaluation(created=created, current=current, gone=gone)


async def _apply(
    playbook: dict[str, Any], matches: dict[int, dict[str, Any]], situation: Situation
) -> tuple[int, int, list[tuple[int, int]]]:
    """One playbook's crossings in one transaction: (tasks made, causes gone, [(assignee,
    task id)] of the assigned ones, for the emails)."""
    playbook_id = playbook["id"]
    async with transaction():
        before = {
            row["account"]
            for row in await PlaybookMatch.select(PlaybookMatch.account).where(
                PlaybookMatch.playbook == playbook_id
            )
        }
        went = sorted(before - set(matches))
        if went:
            await _cause_gone(playbook_id, went, situation.now)
        crossing = sorted(set(matches) - before)
        won = await _claim(playbook_id, crossing, situation.now)
        made, assigned = await _make_tasks(playbook, won, matches, situation)
    return made, len(went), assigned


async def _cause_gone(playbook_id: int, accounts: list[int], now: datetime) -> None:
    for start in range(0, len(accounts), CHUNK):
        chunk = accounts[start : start + CHUNK]
        await PlaybookMatch.delete().where(
            (PlaybookMatch.playbook == playbook_id) & PlaybookMatch.account.is_in(chunk)
        )
        await Task.update({Task.cause_gone_at: now, Task.version: Task.version + 1}).where(
            (Task.playbook == playbook_id)
            & Task.account.is_in(chunk)
            & (Task.status == TaskStatus.open.value)
            & Task.cause_gone_at.is_null()
        )


async def _claim(playbook_id: int, accounts: list[int], now: datetime) -> list[int]:
    """The accounts whose match row this evaluation wrote (a concurrent one wrote the rest)."""
    rows = await insert_rows(
        "success_playbook_match",
        ("playbook", "account", "since"),
        [(playbook_id, account, now) for account in accounts],
        returning=("account",),
        conflict="ON CONFLICT (playbook, account) DO NOTHING",
    )
    return sorted(row["account"] for row in rows)


async def _make_tasks(
    playbook: dict[str, Any],
    accounts: list[int],
    matches: dict[int, dict[str, Any]],
    situation: Situation,
) -> tuple[int, list[tuple[int, int]]]:
    """A task per crossing account, unless one of this playbook is still open for it (then it
    is current again). Returns (tasks made, [(assignee, task id)] of the assigned ones)."""
    if not accounts:
        return 0, []
    playbook_id = playbook["id"]
    crossing = set(accounts)
    # This playbook's open tasks (few: they are worked and closed), matched in Python: a list
    # of every crossing account as SQL parameters would cost more than the rows.
    open_rows = await Task.select(Task.id, Task.account).where(
        (Task.playbook == playbook_id) & (Task.status == TaskStatus.open.value)
    )
    open_rows = [row for row in open_rows if row["account"] in crossing]
    still_open = {row["account"]: row["id"] for row in open_rows}
    if still_open:
        await Task.update({Task.cause_gone_at: None, Task.version: Task.version + 1}).where(
            Task.id.is_in(sorted(still_open.values()))
        )
    owners = await _owners([a for a in accounts if a not in still_open])
    rows = _task_rows(
        playbook, [a for a in accounts if a not in still_open], matches, owners, situation
    )
    inserted = await insert_rows(
        "success_task",
        TASK_COLUMNS,
        rows,
        returning=("id", "assignee"),
        casts={"reason_params": "jsonb"},
    )
    made = [(row["assignee"], row["id"]) for row in inserted if row["assignee"]]
    return len(rows), made


def _task_rows(
    playbook: dict[str, Any],
    accounts: list[int],
    matches: dict[int, dict[str, Any]],
    owners: dict[int, int],
    situation: Situation,
) -> list[tuple[Any, ...]]:
    """The new tasks' values, in TASK_COLUMNS order."""
    due = situation.today + timedelta(days=playbook["due_in_days"])
    return [
        (
            account,
            playbook["id"],
            playbook["trigger"],
            json.dumps(matches[account], ensure_ascii=False),
            "",
            playbook["assignee"] or owners.get(account),
            due,
            playbook["priority"],
            TaskStatus.open.value,
            situation.now,
            1,
        )
        for account in accounts
    ]


async def _owners(accounts: list[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for start in range(0, len(accounts), CHUNK):
        rows = await Account.select(Account.id, Account.owner).where(
            Account.id.is_in(accounts[start : start + CHUNK]) & Account.owner.is_not_null()
        )
        found.update({row["id"]: row["owner"] for row in rows})
    return found


async def preview_count(trigger: str, threshold: int | None, situation: Situation) -> int:
    """How many accounts the trigger matches right now (shown before saving)."""
    return len(await find_matches(trigger, threshold, situation))
