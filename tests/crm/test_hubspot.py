"""HubSpot batch upserts against a loopback HubSpot: batching, 429, partial errors, garbage."""

from __future__ import annotations

import time
from typing import Any

import pytest
from pydantic import SecretStr

from core.tables import QueuedJob
from crm.pushes import hubspot
from crm.pushes.jobs import push_hubspot_sync
from crm.tables import SyncItem, SyncRun, SyncState
from settings import Settings
from tests.crm.servers import FakeHubSpot
from tests.crm.sync_helpers import accounts_with_ids, outcomes, running_run


@pytest.fixture
def hs_ctx(
    settings: Settings, fake_hubspot: FakeHubSpot, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    monkeypatch.setattr(hubspot, "BACKOFF_BASE", 0.01)  # keep the 5xx backoff short in tests
    return {
        "settings": settings.model_copy(
            update={
                "hubspot_access_token": SecretStr(fake_hubspot.token),
                "hubspot_base_url": fake_hubspot.url,
            }
        )
    }


async def finished(run_id: int) -> SyncRun:
    return await SyncRun.objects().where(SyncRun.id == run_id).first()


async def test_batches_of_100_and_state_advances(
    hs_ctx: dict[str, Any], fake_hubspot: FakeHubSpot
) -> None:
    accounts = await accounts_with_ids(250, prefix="HS")
    run = await running_run("hubspot", accounts)
    await push_hubspot_sync(hs_ctx, run.id, 1)
    assert [len(b) for b in fake_hubspot.batches] == [100, 100, 50]
    first = fake_hubspot.batches[0][0]
    assert first["idProperty"] == "kizuna_account_id" and first["id"] == "HS00000001"
    assert first["properties"]["engagement_score"] == "41"
    assert first["properties"]["last_engagement_date"] == "2026-11-02"
    run = await finished(run.id)
    assert run.status == "succeeded" and run.succeeded == 250
    assert await SyncState.count() == 250


async def test_429_waits_for_retry_after(hs_ctx: dict[str, Any], fake_hubspot: FakeHubSpot) -> None:
    fake_hubspot.throttle = 2
    fake_hubspot.retry_after = "1"
    run = await running_run("hubspot", await accounts_with_ids(3, prefix="HS"))
    started = time.monotonic()
    await push_hubspot_sync(hs_ctx, run.id, 1)
    assert time.monotonic() - started >= 2.0
    assert (await finished(run.id)).status == "succeeded"
    assert len(fake_hubspot.server.requests("POST")) == 3


async def test_long_retry_after_continues_in_a_later_job(
    hs_ctx: dict[str, Any], fake_hubspot: FakeHubSpot
) -> None:
    fake_hubspot.throttle = 1
    fake_hubspot.retry_after = "120"
    run = await running_run("hubspot", await accounts_with_ids(2, prefix="HS"))
    await push_hubspot_sync(hs_ctx, run.id, 1)
    assert (await finished(run.id)).status == "running"
    assert set((await outcomes(run.id)).values()) == {"pending"}
    job = await QueuedJob.objects().where(QueuedJob.key == f"crm-sync:{run.id}:step:2").first()
    assert job is not None and (job.run_at - job.requested_at).total_seconds() >= 119
    await push_hubspot_sync(hs_ctx, run.id, 2)
    assert (await finished(run.id)).status == "succeeded"


async def test_partial_errors_fail_only_those_accounts(
    hs_ctx: dict[str, Any], fake_hubspot: FakeHubSpot
) -> None:
    accounts = await accounts_with_ids(5, prefix="HS")
    fake_hubspot.fail_ids = {accounts[2].crm_external_id}
    run = await running_run("hubspot", accounts)
    await push_hubspot_sync(hs_ctx, run.id, 1)
    run = await finished(run.id)
    assert run.status == "partial" and (run.succeeded, run.failed) == (4, 1)
    bad = (
        await SyncItem.select(SyncItem.error)
        .where(SyncItem.external_id == accounts[2].crm_external_id)
        .first()
    )
    assert "not valid" in bad["error"]
    assert accounts[2].id not in {r["account"] for r in await SyncState.select(SyncState.account)}


@pytest.mark.parametrize(
    ("knob", "value", "error"), [("always", 500, "HTTP 500"), ("garbage", True, "not JSON")]
)
async def test_server_errors_and_garbage_lose_nothing(
    hs_ctx: dict[str, Any], fake_hubspot: FakeHubSpot, knob: str, value: Any, error: str
) -> None:
    setattr(fake_hubspot, knob, value)
    run = await running_run("hubspot", await accounts_with_ids(3, prefix="HS"))
    await push_hubspot_sync(hs_ctx, run.id, 1)
    run = await finished(run.id)
    assert run.status == "failed" and run.failed == 3
    items = await SyncItem.select(SyncItem.error)
    assert all(error in item["error"] for item in items)
    assert await SyncState.count() == 0


async def test_refused_token_stops_the_run(
    hs_ctx: dict[str, Any], fake_hubspot: FakeHubSpot
) -> None:
    fake_hubspot.token = "another-token"
    run = await running_run("hubspot", await accounts_with_ids(150, prefix="HS"))
    await push_hubspot_sync(hs_ctx, run.id, 1)
    run = await finished(run.id)
    assert run.status == "failed" and run.failed == 150 and "401" in run.error
    assert len(fake_hubspot.server.requests("POST")) == 1
    assert "pat-na1-test" not in run.error
