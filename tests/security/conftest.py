"""Security tests: one member may send a whole corpus within a minute, and webhooks may point
at loopback (the tests' own receivers)."""

from __future__ import annotations

import pytest

from settings import Settings


@pytest.fixture
async def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"write_limit_per_minute": 10_000, "webhook_allow_private_targets": True}
    )
