"""What content announces: a member completed an item (`CONTENT_COMPLETED`).

Told inside the transaction that records the completion, so its consequences (the CSM's
workbench marks homework done) commit with it. Listeners are declared by their domains
(`Domain.listeners`, core.wiring): content imports none of them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from core.wiring import Hook

CompletionListener = Callable[[int, int, datetime], Awaitable[Any]]
"""`async def listener(member_id, item_id, completed_at)`."""

CONTENT_COMPLETED: Hook[CompletionListener] = Hook("content_completed")
