"""Who may read what: the category visibility rule, as Piccolo filters and as raw SQL.

Every read path filters in SQL with these, so a category a member may not see is absent, not
refused: its topics and posts answer 404 exactly like ids that do not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from piccolo.columns.combination import Combinable

from accounts.tables import Member
from community.tables import Visibility
from core.database import fetch


@dataclass(frozen=True)
class Viewer:
    """The reader a query is filtered for (a member, seen only through what visibility needs)."""

    id: int
    is_staff: bool
    account_id: int | None

    @classmethod
    def of(cls, member: Member) -> Viewer:
        return cls(id=member.id, is_staff=member.is_staff, account_id=member.account)


def category_filter(member: Member | Viewer, category: Any) -> Combinable | None:
    """The filter on `category` (the Category table or a path to it, e.g. Topic.category) that
    keeps what `member` may read; None when nothing is hidden (staff)."""
    viewer = member if isinstance(member, Viewer) else Viewer.of(member)
    if viewer.is_staff:
        return None
    clause: Combinable = category.visibility == Visibility.all.value
    if viewer.account_id is not None:
        clause = clause | (
            (category.visibility == Visibility.account.value)
            & (category.account == viewer.account_id)
        )
    return clause


def visible_sql(member: Member | Viewer, category: str = "c", topic: str | None = "t") -> SQL:
    """A raw SQL condition (with its arguments) for categories `category` and, unless staff,
    non-hidden topics `topic` that `member` may read."""
    viewer = member if isinstance(member, Viewer) else Viewer.of(member)
    if viewer.is_staff:
        return SQL("1 = 1")
    condition = SQL(f"({category}.visibility = {{}}", Visibility.all.value)
    if viewer.account_id is not None:
        condition += SQL(
            f" OR ({category}.visibility = {{}} AND {category}.account = {{}})",
            Visibility.account.value,
            viewer.account_id,
        )
    condition += SQL(")")
    if topic is not None:
        condition += SQL(f" AND {topic}.hidden = {{}}", False)
    return condition


def can_read(
    role: str, account_id: int | None, visibility: str, category_account: int | None, hidden: bool
) -> bool:
    """The same rule in Python, for one member and one topic (notifications and their emails)."""
    if role in ("csm", "admin"):
        return True
    if hidden:
        return False
    if visibility == Visibility.all.value:
        return True
    return visibility == Visibility.account.value and account_id == category_account


class SQL:
    """A fragment of raw SQL with `{}` placeholders and its arguments, composable with `+`."""

    def __init__(self, text: str, *args: Any) -> None:
        self.text = text
        self.args = list(args)

    def __add__(self, other: SQL | str) -> SQL:
        if isinstance(other, str):
            other = SQL(other)
        combined = SQL(self.text + other.text)
        combined.args = self.args + other.args
        return combined

    def __iadd__(self, other: SQL | str) -> SQL:
        return self + other


async def fetch_dicts(text: str, *args: Any) -> list[dict[str, Any]]:
    """`core.database.fetch` as plain dicts on both engines (asyncpg answers with Records)."""
    return [dict(row) for row in await fetch(text, *args)]
