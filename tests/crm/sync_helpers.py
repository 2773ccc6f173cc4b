"""Sync runs built directly from rows, for testing the CRM steps without the score engine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from accounts.tables import Account
from crm.files.formats import plain_values
from crm.source import ScoreRow
from crm.tables import SyncItem, SyncRun
from tests.factories import make_account

BASE_TIME = datetime(2026, 11, 1, tzinfo=UTC)


def score_row(account: Account, n: int) -> ScoreRow:
    return ScoreRow(
        account_id=account.id,
        account_name=account.name,
        external_id=account.crm_external_id,
        score=40.0 + n % 50,
        band="yellow",
        trend="same",
        community=50.0,
        events=30.0,
        breadth=20.0,
        recency=90.0,
        last_activity_at=BASE_TIME + timedelta(days=n % 20),
        updated_at=BASE_TIME + timedelta(minutes=n),
    )


async def accounts_with_ids(count: int, prefix: str = "001KZ") -> list[Account]:
    return [
        await make_account(name=f"同期テスト{n}", crm_external_id=f"{prefix}{n:08d}")
        for n in range(1, count + 1)
    ]


async def running_run(crm: str, accounts: list[Account]) -> SyncRun:
    """A run past its snapshot: one pending item per account."""
    run = SyncRun(crm=crm, status="running", sent=len(accounts))
    await run.save()
    await SyncItem.insert(
        *[
            SyncItem(
                run=run.id,
                account=account.id,
                external_id=account.crm_external_id,
                sent_values=plain_values(score_row(account, n)),
                score_updated_at=score_row(account, n).updated_at,
            )
            for n, account in enumerate(accounts, start=1)
        ]
    )
    return run


async def outcomes(run_id: int) -> dict[str, str]:
    rows = await SyncItem.select(SyncItem.external_id, SyncItem.outcome).where(
        SyncItem.run == run_id
    )
    return {row["external_id"]: row["outcome"] for row in rows}
