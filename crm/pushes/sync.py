"""CRM sync runs: the items a run sends, their verdicts, and the per-account acknowledged version.

A run snapshots the accounts whose score changed since the CRM last accepted it (one item per
account, with the values sent). Only items the CRM confirms move the account's sync state
forward; everything else stays unsent and goes again with the next run.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from piccolo.query.functions.aggregate import Count

from core.database import transaction
from core.errors import Conflict
from core.i18n import N_
from core.timeutil import utcnow
from crm.files.formats import plain_values, row_from_plain
from crm.source import ScoreRow, iter_score_rows
from crm.tables import SyncItem, SyncRun, SyncState

ACTIVE = ("queued", "running")
CHUNK = 1000
NO_RESULT = "no result from the CRM"


class CrmError(Exception):
    """The CRM refused or answered nonsense; the message never holds a credential."""


async def create_run(crm: str, member_id: int | None) -> SyncRun:
    """A queued run, unless one is already queued or running for this CRM."""
    async with transaction():
        if await SyncRun.exists().where((SyncRun.crm == crm) & SyncRun.status.is_in(list(ACTIVE))):
            raise Conflict(N_("A sync to this CRM is already running."))
        run = SyncRun(crm=crm, requested_by=member_id)
        await run.save()
    return run


async def get_run(run_id: int) -> SyncRun | None:
    return await SyncRun.objects().where(SyncRun.id == run_id).output(load_json=True).first()


async def snapshot_items(run: SyncRun) -> int:
    """Write the run's items: every account whose score the CRM has not accepted yet.

    Accounts without a CRM id are recorded as skipped (listed, not silently dropped).
    Returns the number of items to send.
    """
    await SyncItem.delete().where(SyncItem.run == run.id)  # a re-run of this step starts over
    batch: list[SyncItem] = []
    to_send = skipped = 0
    async for row in iter_score_rows(unsent_for=run.crm):
        if row.external_id:
            to_send += 1
        else:
            skipped += 1
        batch.append(
            SyncItem(
                run=run.id,
                account=row.account_id,
                external_id=row.external_id,
                sent_values=plain_values(row),
                score_updated_at=row.updated_at,
                outcome="pending" if row.external_id else "skipped",
            )
        )
        if len(batch) == CHUNK:
            await SyncItem.insert(*batch)
            batch = []
    if batch:
        await SyncItem.insert(*batch)
    await SyncRun.update(
        {SyncRun.status: "running", SyncRun.sent: to_send, SyncRun.skipped: skipped}
    ).where(SyncRun.id == run.id)
    return to_send


async def iter_items(run_id: int, outcome: str = "pending") -> AsyncIterator[tuple[int, ScoreRow]]:
    """(item id, row as snapshotted) of the run's items in one outcome, a chunk at a time."""
    last_id = 0
    while True:
        items = (
            await SyncItem.select(SyncItem.id, SyncItem.sent_values)
            .where(
                (SyncItem.run == run_id) & (SyncItem.outcome == outcome) & (SyncItem.id > last_id)
            )
            .order_by(SyncItem.id)
            .limit(CHUNK)
            .output(load_json=True)
        )
        for item in items:
            yield item["id"], row_from_plain(item["sent_values"])
        if len(items) < CHUNK:
            return
        last_id = items[-1]["id"]


async def rows_of(run_id: int, outcome: str = "pending") -> AsyncIterator[ScoreRow]:
    async for _, row in iter_items(run_id, outcome):
        yield row


async def set_outcome_by_external_id(
    run_id: int, outcomes: Iterable[tuple[str, str, str | None]]
) -> None:
    """Apply (external id, outcome, error) verdicts to the run's items, grouped into few UPDATEs."""
    groups: dict[tuple[str, str | None], list[str]] = {}
    for external_id, outcome, error in outcomes:
        groups.setdefault((outcome, (error or None) and error[:500]), []).append(external_id)
    for (outcome, error), ids in groups.items():
        for start in range(0, len(ids), 500):
            await SyncItem.update({SyncItem.outcome: outcome, SyncItem.error: error}).where(
                (SyncItem.run == run_id) & SyncItem.external_id.is_in(ids[start : start + 500])
            )


async def set_outcome(item_ids: list[int], outcome: str, error: str | None = None) -> None:
    for start in range(0, len(item_ids), 500):
        await SyncItem.update(
            {SyncItem.outcome: outcome, SyncItem.error: error and error[:500]}
        ).where(SyncItem.id.is_in(item_ids[start : start + 500]))


async def mark_remaining(run_id: int, outcomes: tuple[str, ...], error: str) -> None:
    """Every item still in one of `outcomes` failed (never confirmed by the CRM)."""
    await SyncItem.update({SyncItem.outcome: "failed", SyncItem.error: error[:500]}).where(
        (SyncItem.run == run_id) & SyncItem.outcome.is_in(list(outcomes))
    )


async def _advance_state(run: SyncRun) -> None:
    last_id = 0
    while True:
        items = (
            await SyncItem.select(SyncItem.id, SyncItem.account, SyncItem.score_updated_at)
            .where(
                (SyncItem.run == run.id)
                & (SyncItem.outcome == "succeeded")
                & (SyncItem.id > last_id)
            )
            .order_by(SyncItem.id)
            .limit(CHUNK)
        )
        if not items:
            return
        await SyncState.insert(
            *[
                SyncState(
                    key=f"{run.crm}:{item['account']}",
                    crm=run.crm,
                    account=item["account"],
                    last_sent_updated_at=item["score_updated_at"],
                    run=run.id,
                )
                for item in items
            ]
        ).on_conflict(
            target=SyncState.key,
            action="DO UPDATE",
            values=[SyncState.last_sent_updated_at, SyncState.run],
        )
        last_id = items[-1]["id"]


async def finish_run(run_id: int, error: str | None = None) -> SyncRun:
    """Close the run: unconfirmed items fail, confirmed ones advance the sync state."""
    run = await get_run(run_id)
    assert run is not None
    async with transaction():
        await mark_remaining(run_id, ("pending", "sent"), error or NO_RESULT)
        counts = await _counts(run_id)
        await _advance_state(run)
        succeeded, failed = counts.get("succeeded", 0), counts.get("failed", 0)
        if failed == 0 and error is None:
            status = "succeeded"
        elif succeeded > 0:
            status = "partial"
        else:
            status = "failed"
        await SyncRun.update(
            {
                SyncRun.status: status,
                SyncRun.succeeded: succeeded,
                SyncRun.failed: failed,
                SyncRun.error: error and error[:1000],
                SyncRun.finished_at: utcnow(),
            }
        ).where(SyncRun.id == run_id)
    finished = await get_run(run_id)
    assert finished is not None
    return finished


async def _counts(run_id: int) -> dict[str, int]:
    rows = (
        await SyncItem.select(SyncItem.outcome, Count(alias="n"))
        .where(SyncItem.run == run_id)
        .group_by(SyncItem.outcome)
    )
    return {row["outcome"]: row["n"] for row in rows}


async def recent_runs(crm: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    query = SyncRun.select(
        *SyncRun.all_columns(exclude=[SyncRun.remote_jobs]),
        SyncRun.requested_by.display_name.as_alias("requested_by_name"),
    )
    if crm is not None:
        query = query.where(SyncRun.crm == crm)
    return await query.order_by(SyncRun.id, ascending=False).limit(limit)


async def failed_items(run_id: int, limit: int = 200) -> list[dict[str, Any]]:
    return (
        await SyncItem.select(
            SyncItem.account,
            SyncItem.account.name.as_alias("account_name"),
            SyncItem.external_id,
            SyncItem.outcome,
            SyncItem.error,
        )
        .where((SyncItem.run == run_id) & SyncItem.outcome.is_in(["failed", "skipped"]))
        .order_by(SyncItem.id)
        .limit(limit)
    )
