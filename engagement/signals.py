"""The signals ledger API: `record_signals(...)` is how every domain reports a participation.

A producer builds a `NewSignal` that names its kind, its account and member, and its subject
(what it is about: a topic, a post, a registration, a member); the signal derives its own
dedupe key from the kind's namespace (engagement.kinds.KINDS), its subject and `detail`, so
the same fact recorded twice is one row. A signal without an account (staff have none) is
dropped here, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.jobs import enqueue
from core.timeutil import utcnow
from engagement.jobs import recompute_account_score
from engagement.kinds import KINDS, SignalKind, SubjectType
from engagement.tables import Signal

__all__ = [
    "NewSignal",
    "SignalKind",
    "Subject",
    "SubjectType",
    "record_signals",
    "withdraw_signals",
]

BULK_CHUNK = 500


@dataclass(frozen=True)
class Subject:
    """What a signal is about; its type must be its kind's (KINDS[kind].subject)."""

    type: SubjectType
    id: int


@dataclass(frozen=True)
class NewSignal:
    """One participation to append with `record_signals`."""

    kind: SignalKind
    account_id: int | None  # None (staff): dropped, scores nothing
    member_id: int | None
    subject: Subject
    occurred_at: datetime | None = None  # now
    value: float = 1.0  # its magnitude, e.g. minutes attended
    detail: str = ""  # what else makes the fact one: who liked the post, the visit's day

    def __post_init__(self) -> None:
        expected = KINDS[SignalKind(self.kind)].subject
        if self.subject.type != expected:
            raise ValueError(f"a {self.kind} signal is about a {expected}, not {self.subject}")

    @property
    def dedupe_key(self) -> str:
        key = f"{KINDS[SignalKind(self.kind)].key}:{self.subject.id}"
        return f"{key}:{self.detail}" if self.detail else key


async def record_signals(*signals: NewSignal) -> int:
    """Append each signal once; returns how many were new (a repeated dedupe key is not).

    Call inside the transaction of the action they report, so both commit together. Each
    account with a new signal asks for its score to be recomputed: one job per account (job
    id), debounced (JOB_DEBOUNCE_SECONDS) so that a burst of signals costs one recompute.
    A bulk write (an imported report) is one insert per 500 signals.
    """
    kept = [signal for signal in signals if signal.account_id is not None]
    written = 0
    accounts: set[int] = set()
    for start in range(0, len(kept), BULK_CHUNK):
        rows = [_row(signal) for signal in kept[start : start + BULK_CHUNK]]
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
            debounce=True,
        )
    return written


def _row(signal: NewSignal) -> Signal:
    kind = SignalKind(signal.kind)
    return Signal(
        account=signal.account_id,
        member=signal.member_id,
        kind=kind.value,
        occurred_at=signal.occurred_at or utcnow(),
        value=float(signal.value),
        source=KINDS[kind].source,
        subject_type=signal.subject.type.value,
        subject_id=signal.subject.id,
        dedupe_key=signal.dedupe_key[:200],
    )


# A staff member's own record (a touch they logged, the homework given in it) may be corrected:
# its signals are withdrawn and written again as it now reads. What members did is never
# withdrawn: the ledger stays append-only for every other subject.
WITHDRAWABLE = frozenset({SubjectType.touch, SubjectType.homework})


async def withdraw_signals(subject: Subject) -> int:
    """Delete the signals about `subject` (a touch or homework being corrected) and recompute
    the scores they moved; returns how many went. Call inside the correction's transaction."""
    if subject.type not in WITHDRAWABLE:
        raise ValueError(f"signals about a {subject.type} are never withdrawn")
    gone = (
        await Signal.delete()
        .where((Signal.subject_type == subject.type.value) & (Signal.subject_id == subject.id))
        .returning(Signal.account)
    )
    for account_id in sorted({int(row["account"]) for row in gone}):
        await enqueue(
            recompute_account_score, account_id, job_id=f"recompute:{account_id}", debounce=True
        )
    return len(gone)
