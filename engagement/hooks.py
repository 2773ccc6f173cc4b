"""What engagement announces: an account's exported score changed (`SCORE_CHANGED`).

The recompute tells every listener inside the transaction that writes the current score, so
the change and its consequences (the CRM's webhook deliveries) commit together or not at all.
Listeners are declared by their domains (`Domain.listeners`, core.wiring): engagement imports
none of them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from core.wiring import Hook

ScoreListener = Callable[[int, Mapping[str, Any] | None, Mapping[str, Any]], Awaitable[Any]]
"""`async def listener(account_id, old, new)`: `old` is the previous current-score row (None
for the first score) and `new` the row just written, both as mappings of the exported score
columns (score, band, trend, community, events, breadth, recency, last_activity_at) and
updated_at."""

SCORE_CHANGED: Hook[ScoreListener] = Hook("score_changed")
