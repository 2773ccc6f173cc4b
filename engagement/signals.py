"""The signals ledger API: `record_signal` is how every domain reports a participation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core.jobs import enqueue
from core.settings import get_settings
from core.timeutil import utcnow
from engagement.jobs import recompute_account_score
from engagement.kinds import SignalKind
from engagement.tables import Signal

__all__ = ["NewSignal", "SignalKind", "record_signal", "record_signals"]


def recompute_delay() -> float:
    """Seconds a recompute waits for more signals (SCORE_DEBOUNCE_SECONDS)."""
    return get_settings().score_debounce_seconds


async def record_signal(
    account_id: int,
    member_id: int | None,
    kind: SignalKind | str,
    occurred_at: datetime | None,
    value: float,
    source: str,
    dedupe_key: str,
) -> bool:
    """Append a signal once: True if written, False if `dedupe_key` was already recorded.

    Call inside the transaction of the action it reports, so the two commit together. A new
    signal asks for its account's score to be recomputed: one job per account (job id),
    deferred so that a burst of signals costs one recompute.
    """
    kind_value = SignalKind(kind).value
    inserted = (
        await Signal.insert(
            Signal(
                account=account_id,
                member=member_id,
                kind=kind_value,
                occurred_at=occurred_at or utcnow(),
                value=float(value),
                source=source,
                dedupe_key=dedupe_key[:200],
            )
        )
        .on_conflict(target=Signal.dedupe_key, action="DO NOTHING")
        .returning(Signal.id)
    )
    if inserted:
        await enqueue(
            recompute_account_score,
            account_id,
            job_id=f"recompute:{account_id}",
            defer_by=recompute_delay(),
        )
    return bool(inserted)


@dataclass(frozen=True)
class NewSignal:
    """One participation to append with `record_signals`."""

    account_id: int
    member_id: int | None
    kind: str
    occurred_at: datetime
    value: float
    source: str
    dedupe_key: str


BULK_CHUNK = 500


async def record_signals(signals: Sequence[NewSignal]) -> int:
    """Append many signals at once (an imported report): as `record_signal`, with one insert
    per chunk and one recompute request per account. Returns how many were new."""
    written = 0
    accounts: set[int] = set()
    for start in range(0, len(signals), BULK_CHUNK):
        chunk = signals[start : start + BULK_CHUNK]
        rows = [
            Signal(
                account=signal.account_id,
                member=signal.member_id,
                kind=SignalKind(signal.kind).value,
                occurred_at=signal.occurred_at,
                value=float(signal.value),
                source=signal.source,
                dedupe_key=signal.dedupe_key[:200],
            )
            for signal in chunk
        ]
        inserted = (
            await Signal.insert(*rows)
            .on_conflict(target=Signal.dedupe_key, action="DO NOTHING")
            .returning(Signal.account)
        )
        written += len(inserted)
        accounts.update(int(row["account"]) for row in inserted)
    for account_id in sorted(accounts):
        await enqueue(
            recompute_account_score,
            account_id,
            job_id=f"recompute:{account_id}",
            defer_by=recompute_delay(),
        )
    return written
