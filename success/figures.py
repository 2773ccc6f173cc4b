"""The workbench's figures per account that the CRM exports beside the score: the share of
human touch over the last 30 days, the last 1:1 touch, the open tasks — three grouped queries
for a chunk of accounts, never one per account."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.database import fetch
from core.timeutil import utcnow
from engagement.dashboard import as_datetime
from success.mix import DIGITAL_KINDS

WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class AccountFigures:
    human_share: float | None  # % of human + digital touch minutes, last 30 days; None: neither
    last_human_touch_at: datetime | None
    open_tasks: int


def _in(values: list[Any]) -> str:
    return ", ".join("{}" for _ in values)


async def account_figures(account_ids: Iterable[int]) -> dict[int, AccountFigures]:
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    since = utcnow() - WINDOW
    human = await fetch(
        "SELECT account, SUM(CASE WHEN occurred_at >= {} THEN duration_minutes ELSE 0 END) "  # noqa: S608
        f"AS minutes, MAX(occurred_at) AS last_at FROM success_touch "
        f"WHERE outcome = 'held' AND account IN ({_in(ids)}) GROUP BY account",
        since,
        *ids,
    )
    kinds = list(DIGITAL_KINDS)
    digital = await fetch(
        "SELECT account, SUM(value) AS minutes FROM engagement_signal "  # noqa: S608
        f"WHERE occurred_at >= {{}} AND kind IN ({_in(kinds)}) AND account IN ({_in(ids)}) "
        "GROUP BY account",
        since,
        *kinds,
        *ids,
    )
    tasks = await fetch(
        "SELECT account, COUNT(*) AS n FROM success_task "  # noqa: S608
        f"WHERE status = 'open' AND account IN ({_in(ids)}) GROUP BY account",
        *ids,
    )
    by_human: dict[int, dict[str, Any]] = {row["account"]: row for row in human}
    by_digital = {row["account"]: float(row["minutes"] or 0) for row in digital}
    by_tasks = {row["account"]: int(row["n"]) for row in tasks}
    found = {}
    for account in ids:
        row = by_human.get(account, {})
        minutes = float(row.get("minutes") or 0)
        total = minutes + by_digital.get(account, 0.0)
        found[account] = AccountFigures(
            human_share=round(100.0 * minutes / total, 1) if total > 0 else None,
            last_human_touch_at=as_datetime(row.get("last_at")),
            open_tasks=by_tasks.get(account, 0),
        )
    return found
