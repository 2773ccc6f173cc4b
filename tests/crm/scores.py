"""Current-score rows for CRM tests, written straight into engagement's score table, and score
changes as engagement reports them (`emit`, the hook the webhooks listen to).

The CRM reads scores only through crm.source; these rows stand for what the engagement
recompute writes, so export tests do not depend on the scoring model.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from core.database import transaction
from core.timeutil import utcnow
from core.wiring import Wiring
from domains import DOMAINS
from engagement.hooks import SCORE_CHANGED
from engagement.tables import AccountScore

BASE = datetime(2026, 11, 1, tzinfo=UTC)


async def put_score(account_id: int, minute: int = 0, **fields: Any) -> None:
    """Insert or replace the account's current score, updated `minute` minutes after BASE."""
    values: dict[str, Any] = {
        "score": 50.0,
        "band": "yellow",
        "trend": "same",
        "community": 40.0,
        "events": 30.0,
        "breadth": 25.0,
        "recency": 90.0,
        "last_activity_at": BASE - timedelta(days=2),
        "updated_at": BASE + timedelta(minutes=minute),
        **fields,
    }
    columns = {getattr(AccountScore, name): value for name, value in values.items()}
    updated = (
        await AccountScore.update(columns)
        .where(AccountScore.account == account_id)
        .returning(AccountScore.id)
    )
    if not updated:
        await AccountScore.insert(AccountScore(account=account_id, **values))


def score(value: float, band: str, **extra: Any) -> dict[str, Any]:
    now = utcnow()
    return {
        "score": value,
        "band": band,
        "trend": "down",
        "community": 30.0,
        "events": 20.0,
        "breadth": 25.0,
        "recency": 80.0,
        "last_activity_at": now - timedelta(days=3),
        "updated_at": now,
        **extra,
    }


async def score_changed(account_id: int, old: dict[str, Any] | None, new: dict[str, Any]) -> None:
    """What the recompute does when a score changes: tell the app's SCORE_CHANGED listeners
    (the CRM's, declared in crm.domain)."""
    for listener in Wiring.of(DOMAINS).listeners(SCORE_CHANGED):
        await listener(account_id, old, new)


async def emit(account_id: int, old: dict[str, Any] | None, new: dict[str, Any]) -> None:
    async with transaction():
        await score_changed(account_id, old, new)
