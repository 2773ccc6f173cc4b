"""Shared steps of the renewal tests: renewals with the snapshot and signals the backtest
reads, written straight into the tables as years of history would have left them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import count

from accounts.tables import Account
from core.database import insert_rows
from engagement.tables import ScoreSnapshot, Signal
from renewals.tables import Renewal
from tests.factories import make_account

_keys = count(1)
TODAY = date.today()


def band_of(score: float) -> str:
    return "red" if score < 40 else "yellow" if score < 70 else "green"


async def history(
    account: Account,
    renewal_date: date,
    outcome: str,
    score: float | None = 50.0,
    kinds: dict[str, int] | None = None,
    horizon: int = 90,
) -> int:
    """A renewal of `account`, its snapshot `horizon` days before (None: no snapshot) and
    `kinds` signals spread over the 90 days before that snapshot; the renewal's id."""
    moment = renewal_date - timedelta(days=horizon)
    if score is not None:
        await ScoreSnapshot.insert(
            ScoreSnapshot(account=account.id, day=moment, score=score, band=band_of(score))
        )
    rows = []
    for kind, n in (kinds or {}).items():
        for i in range(n):
            day = moment - timedelta(days=1 + (i * 7) % 85)
            at = datetime.combine(day, time(3, 0), tzinfo=UTC)
            rows.append([account.id, kind, at, 1.0, "test", f"test:{next(_keys)}"])
    if rows:
        await insert_rows(
            Signal._meta.tablename,
            ["account", "kind", "occurred_at", "value", "source", "dedupe_key"],
            rows,
        )
    arr_after = 0 if outcome == "churned" else 1_000_000
    [row] = await Renewal.insert(
        Renewal(
            account=account.id,
            renewal_date=renewal_date,
            outcome=outcome,
            arr_before=1_000_000,
            arr_after=arr_after,
            source="manual",
        )
    ).returning(Renewal.id)
    return int(row["id"])


async def accounts(n: int) -> list[Account]:
    return [await make_account(f"履歴株式会社{i}") for i in range(n)]
