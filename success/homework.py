"""Homework: the content given to a member at the end of a touch, as they see it (home page,
API) and as the CSM sees it (each item's status, before the next touch).

Homework is done when the member completes its content item, wherever they do it: the content
library tells CONTENT_COMPLETED, and `on_content_completed` marks every open homework of that
member and item done, each recording `homework_completed`. Done from the homework itself, the
item is completed through the library (so the two never disagree).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from accounts.tables import Member
from content.hooks import CompletionListener
from content.services import complete_item
from core.database import transaction
from core.errors import NotFound
from core.i18n import N_
from core.timeutil import utcnow
from engagement.dashboard import as_date
from engagement.signals import NewSignal, SignalKind, Subject, SubjectType, record_signals
from success.tables import Homework

HOMEWORK_NOT_FOUND = N_("This homework does not exist.")


@dataclass(frozen=True)
class HomeworkRow:
    id: int
    touch: int
    account: int
    member: int
    member_name: str
    item: int
    item_title: str
    item_minutes: int
    due_on: date
    assigned_at: datetime
    completed_at: datetime | None

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> HomeworkRow:
        values = {name: row[name] for name in _FIELDS}
        values["due_on"] = as_date(row["due_on"])
        return cls(**values)

    @property
    def done(self) -> bool:
        return self.completed_at is not None

    def overdue(self, today: date) -> bool:
        return not self.done and self.due_on < today


_FIELDS = tuple(f.name for f in fields(HomeworkRow))


def _columns() -> list[Any]:
    return [
        Homework.id,
        Homework.touch,
        Homework.account,
        Homework.member,
        Homework.member.display_name.as_alias("member_name"),
        Homework.item,
        Homework.item.title.as_alias("item_title"),
        Homework.item.minutes.as_alias("item_minutes"),
        Homework.due_on,
        Homework.assigned_at,
        Homework.completed_at,
    ]


async def member_homework(member_id: int, *, include_done: bool = True) -> list[HomeworkRow]:
    """A member's homework: open first (by due day), then the latest done."""
    where: Any = Homework.member == member_id
    if not include_done:
        where = where & Homework.completed_at.is_null()
    rows = await Homework.select(*_columns()).where(where).order_by(Homework.due_on).limit(100)
    found = [HomeworkRow.of(row) for row in rows]
    return [h for h in found if not h.done] + sorted(
        (h for h in found if h.done), key=lambda h: h.completed_at or h.assigned_at, reverse=True
    )[:10]


async def touch_homework(touch_ids: Sequence[int]) -> dict[int, list[HomeworkRow]]:
    """{touch id: its homework} for the CSM's view of touches."""
    if not touch_ids:
        return {}
    rows = await (
        Homework.select(*_columns())
        .where(Homework.touch.is_in(list(touch_ids)))
        .order_by(Homework.member)
        .order_by(Homework.id)
    )
    found: dict[int, list[HomeworkRow]] = {t: [] for t in touch_ids}
    for row in rows:
        found[row["touch"]].append(HomeworkRow.of(row))
    return found


async def account_homework(account_id: int) -> list[HomeworkRow]:
    """The account's open homework (what the CSM checks before the next touch)."""
    rows = await (
        Homework.select(*_columns())
        .where((Homework.account == account_id) & Homework.completed_at.is_null())
        .order_by(Homework.due_on)
        .limit(200)
    )
    return [HomeworkRow.of(row) for row in rows]


async def complete_homework(
    member: Member, homework_id: int, listeners: Sequence[CompletionListener]
) -> bool:
    """The member marks their homework done: its content item is completed (which tells the
    listeners, this module among them). True when it changed anything."""
    row = (
        await Homework.select(Homework.item, Homework.completed_at)
        .where((Homework.id == homework_id) & (Homework.member == member.id))
        .first()
    )
    if row is None:
        raise NotFound(HOMEWORK_NOT_FOUND)
    if row["completed_at"] is not None:
        return False
    if await complete_item(member, row["item"], listeners):
        return True
    # The item was completed before this homework was given: done now.
    async with transaction():
        return await on_content_completed(member.id, row["item"], utcnow()) > 0


async def on_content_completed(member_id: int, item_id: int, completed_at: datetime) -> int:
    """CONTENT_COMPLETED listener: the member's open homework for the item is done (inside the
    completion's transaction); returns how many."""
    done = (
        await Homework.update({Homework.completed_at: completed_at})
        .where(
            (Homework.member == member_id)
            & (Homework.item == item_id)
            & Homework.completed_at.is_null()
        )
        .returning(Homework.id, Homework.account)
    )
    await record_signals(
        *[
            NewSignal(
                SignalKind.homework_completed,
                row["account"],
                member_id,
                Subject(SubjectType.homework, row["id"]),
                completed_at,
            )
            for row in done
        ]
    )
    return len(done)


async def get_homework(member_id: int, homework_id: int) -> HomeworkRow:
    """One of the member's homework (NotFound for anyone else's)."""
    row = (
        await Homework.select(*_columns())
        .where((Homework.id == homework_id) & (Homework.member == member_id))
        .first()
    )
    if row is None:
        raise NotFound(HOMEWORK_NOT_FOUND)
    return HomeworkRow.of(row)
