"""Domain hooks: a domain announces a change, others listen, and neither imports the other.

Engagement calls `score_changed(...)` inside the transaction that writes an account's current
score; listeners (CRM export: webhook deliveries) write their own rows in that same transaction,
so the change and its consequences commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

ScoreListener = Callable[[int, Mapping[str, Any] | None, Mapping[str, Any]], Awaitable[Any]]
_score_listeners: list[ScoreListener] = []


def on_score_changed(listener: ScoreListener) -> ScoreListener:
    """Register `async def listener(account_id, old, new)`; usable as a decorator."""
    if listener not in _score_listeners:
        _score_listeners.append(listener)
    return listener


def score_listeners() -> tuple[ScoreListener, ...]:
    return tuple(_score_listeners)


async def score_changed(
    account_id: int, old: Mapping[str, Any] | None, new: Mapping[str, Any]
) -> None:
    """Tell every listener that an account's exported score fields changed.

    `old` is the previous current-score row (None for the first score) and `new` the row just
    written, both as mappings of the score columns (score, band, trend, community, events,
    breadth, recency, last_activity_at, updated_at). Call it inside the writing transaction.
    """
    for listener in _score_listeners:
        await listener(account_id, old, new)
