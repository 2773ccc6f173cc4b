"""Shared steps of the engagement tests: ledgers written straight into the signals table."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count
from typing import Any

from accounts.tables import Account, Member
from engagement.tables import AccountScore, Signal

AS_OF = datetime.fromisoformat("2026-06-15T09:00:00+00:00")
_keys = count(1)


def days_ago(days: float, as_of: datetime = AS_OF) -> datetime:
    return as_of - timedelta(days=days)


async def add_signal(
    account: Account | int,
    member: Member | int | None,
    kind: str,
    at: datetime,
    value: float = 1.0,
) -> None:
    """One ledger row, without queueing a recompute (the test runs the pass it wants)."""
    account_id = account if isinstance(account, int) else account.id
    member_id = member.id if isinstance(member, Member) else member
    await Signal.insert(
        Signal(
            account=account_id,
            member=member_id,
            kind=kind,
            occurred_at=at,
            value=value,
            source="test",
            dedupe_key=f"test:{next(_keys)}",
        )
    )


async def score_of(account: Account | int) -> dict[str, Any] | None:
    account_id = account if isinstance(account, int) else account.id
    return (
        await AccountScore.select()
        .where(AccountScore.account == account_id)
        .output(load_json=True)
        .first()
    )
