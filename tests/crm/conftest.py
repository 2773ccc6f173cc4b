"""CRM export test setup: loopback targets allowed, no settle delay, fake CRMs and a receiver."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from settings import Settings
from tests.crm.servers import FakeHubSpot, FakeSalesforce


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "webhook_allow_private_targets": True,
            "scores_api_settle_seconds": 0.0,
            "crm_poll_interval_seconds": 0.0,
        }
    )


@pytest.fixture
def fake_salesforce() -> Iterator[FakeSalesforce]:
    fake = FakeSalesforce().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_hubspot() -> Iterator[FakeHubSpot]:
    fake = FakeHubSpot().start()
    yield fake
    fake.stop()


@pytest.fixture
def job_ctx(settings: Settings) -> dict[str, Any]:
    """The ctx a job function gets, for calling jobs directly."""
    return {"settings": settings}
