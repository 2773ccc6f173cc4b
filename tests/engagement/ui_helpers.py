"""Shared steps of the engagement page and API tests: score rows and snapshots written directly."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from accounts.tables import Account
from core.timeutil import utcnow
from engagement.tables import AccountScore, ScoreSnapshot


async def put_score(
    account: Account | int,
    score: float,
    band: str,
    *,
    trend: str = "same",
    flagged: bool | None = None,
    last_activity_at: datetime | None = None,
    **fields: Any,
) -> None:
    """A current score row as a recompute would leave it (measures default to the score)."""
    account_id = account if isinstance(account, int) else account.id
    measures = {m: fields.pop(m, score) for m in ("community", "events", "breadth", "recency")}
    await AccountScore.insert(
        AccountScore(
            account=account_id,
            score=score,
            band=band,
            trend=trend,
            flagged=band == "red" if flagged is None else flagged,
            last_activity_at=last_activity_at,
            computed_at=utcnow(),
            updated_at=utcnow(),
            explanation=fields.pop(
                "explanation",
                {
                    "community_points": 12.5,
                    "events_points": 4.0,
                    "signals": [{"kind": "topic_created", "count": 3, "contribution": 8.25}],
                },
            ),
            red_alert_open=band == "red",
            **measures,
            **fields,
        )
    )


async def put_snapshot(account: Account | int, day: date, score: float, band: str) -> None:
    account_id = account if isinstance(account, int) else account.id
    await ScoreSnapshot.insert(
        ScoreSnapshot(
            account=account_id,
            day=day,
            score=score,
            band=band,
            community=score,
            events=score,
            breadth=score,
            recency=score,
        )
    )
