"""Engagement tests: a short recompute debounce, so run_jobs does not wait ten seconds."""

from __future__ import annotations

import pytest

from core.settings import Settings


@pytest.fixture
async def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"score_debounce_seconds": 0.05})
