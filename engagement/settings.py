"""The settings of engagement: how long a recompute waits for more signals."""

from __future__ import annotations

from core.settings import CoreSettings


class EngagementSettings(CoreSettings):
    """The settings of engagement: how long a recompute waits for more signals."""

    score_debounce_seconds: float = 10.0
    """Wait after a signal before recomputing its account's score (a burst costs one recompute)."""
