"""The signals ledger API: `record_signal` is how every domain reports a participation."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from core.timeutil import utcnow
from engagement.tables import Signal


class SignalKind(StrEnum):
    topic_created = "topic_created"
    reply_created = "reply_created"
    answer_accepted = "answer_accepted"
    reaction_received = "reaction_received"
    event_registered = "event_registered"
    webinar_attended = "webinar_attended"
    mokumoku_attended = "mokumoku_attended"
    event_no_show = "event_no_show"
    daily_visit = "daily_visit"


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

    Call inside the transaction of the action it reports, so the two commit together.
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
    return bool(inserted)
