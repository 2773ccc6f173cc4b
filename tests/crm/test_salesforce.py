"""Salesforce Bulk API 2.0 pushes against a loopback Salesforce: happy path, refusals, garbage."""

from __future__ import annotations

import csv
import io
import logging
from typing import Any

import pytest
from pydantic import SecretStr

from crm.pushes.credentials import SalesforceCredentials
from crm.pushes.jobs import poll_salesforce_sync, run_crm_sync
from crm.tables import CrmCredential, SyncItem, SyncRun, SyncState
from settings import Settings
from tests.crm.servers import FakeSalesforce
from tests.crm.sync_helpers import accounts_with_ids, outcomes, running_run
from tests.factories import PASSWORD, make_member
from tests.support import FormClient


@pytest.fixture
def sf_ctx(settings: Settings, fake_salesforce: FakeSalesforce) -> dict[str, Any]:
    return {
        "settings": settings.model_copy(
            update={
                "salesforce_login_url": fake_salesforce.url,
                "salesforce_client_id": fake_salesforce.client_id,
                "salesforce_client_secret": SecretStr(fake_salesforce.client_secret),
            }
        )
    }


async def run_to_the_end(ctx: dict[str, Any], run_id: int, polls: int = 5) -> SyncRun:
    await run_crm_sync(ctx, run_id)
    for poll in range(1, polls + 1):
        run = await SyncRun.objects().where(SyncRun.id == run_id).first()
        if run.status != "running":
            break
        await poll_salesforce_sync(ctx, run_id, poll)
    return await SyncRun.objects().where(SyncRun.id == run_id).output(load_json=True).first()


async def test_upsert_job_lifecycle_and_verdicts(
    sf_ctx: dict[str, Any], fake_salesforce: FakeSalesforce
) -> None:
    accounts = await accounts_with_ids(3)
    bad = accounts[1].crm_external_id
    fake_salesforce.fail_keys = {bad: "INVALID_FIELD:Engagement_Band__c:bad value"}
    run = await running_run("salesforce", accounts)
    finished = await run_to_the_end(sf_ctx, run.id)
    assert finished.status == "partial"
    assert (finished.sent, finished.succeeded, finished.failed) == (3, 2, 1)
    [job] = fake_salesforce.jobs.values()
    assert job.external_id_field == "Id" and job.state == "JobComplete"
    rows = list(csv.reader(io.StringIO(job.csv.decode())))
    assert rows[0] == [
        "Id",
        "Engagement_Score__c",
        "Engagement_Band__c",
        "Engagement_Trend__c",
        "Community_Score__c",
        "Event_Score__c",
        "Last_Engagement_Date__c",
    ]
    assert rows[1] == ["001KZ00000001", "41", "yellow", "same", "50", "30", "2026-11-02"]
    assert b"\r" not in job.csv
    assert (await outcomes(run.id))[bad] == "failed"
    error = (await SyncItem.select(SyncItem.error).where(SyncItem.external_id == bad).first())[
        "error"
    ]
    assert "INVALID_FIELD" in error
    acknowledged = {r["account"] for r in await SyncState.select(SyncState.account)}
    assert acknowledged == {accounts[0].id, accounts[2].id}
    assert [j["state"] for j in finished.remote_jobs] == ["JobComplete"]


async def test_parts_become_separate_jobs(
    sf_ctx: dict[str, Any], fake_salesforce: FakeSalesforce
) -> None:
    ctx = {"settings": sf_ctx["settings"].model_copy(update={"crm_export_part_max_bytes": 300})}
    accounts = await accounts_with_ids(7)
    run = await running_run("salesforce", accounts)
    finished = await run_to_the_end(ctx, run.id)
    assert len(fake_salesforce.jobs) >= 3
    for job in fake_salesforce.jobs.values():
        assert len(job.csv) <= 300 and job.csv.startswith(b"Id,")
    assert finished.status == "succeeded" and finished.succeeded == 7
    assert await SyncState.count() == 7


@pytest.mark.parametrize(
    ("knob", "value", "expected"),
    [
        ("create_status", 500, "HTTP 500"),
        ("create_garbage", True, "not JSON"),
        ("client_secret", "another-secret", "token request refused"),
    ],
)
async def test_crm_errors_leave_every_account_unsent(
    sf_ctx: dict[str, Any],
    fake_salesforce: FakeSalesforce,
    caplog: pytest.LogCaptureFixture,
    knob: str,
    value: Any,
    expected: str,
) -> None:
    setattr(fake_salesforce, knob, value)
    accounts = await accounts_with_ids(2)
    run = await running_run("salesforce", accounts)
    with caplog.at_level(logging.DEBUG):
        finished = await run_to_the_end(sf_ctx, run.id)
    assert finished.status == "failed"
    assert expected in finished.error
    assert set((await outcomes(run.id)).values()) == {"failed"}
    assert await SyncState.count() == 0
    assert "s3cret-value" not in caplog.text and "s3cret-value" not in finished.error
    assert "sf-token-123" not in caplog.text


async def test_failed_job_marks_its_records_failed(
    sf_ctx: dict[str, Any], fake_salesforce: FakeSalesforce
) -> None:
    fake_salesforce.final_state = "Failed"
    run = await running_run("salesforce", await accounts_with_ids(2))
    finished = await run_to_the_end(sf_ctx, run.id)
    assert finished.status == "failed" and finished.failed == 2
    assert await SyncState.count() == 0


async def test_job_still_running_keeps_polling(
    sf_ctx: dict[str, Any], fake_salesforce: FakeSalesforce
) -> None:
    fake_salesforce.polls_before_done = 100
    run = await running_run("salesforce", await accounts_with_ids(1))
    finished = await run_to_the_end(sf_ctx, run.id, polls=3)
    assert finished.status == "running"
    assert set((await outcomes(run.id)).values()) == {"sent"}


def test_credentials_never_show_in_a_repr() -> None:
    credentials = SalesforceCredentials(
        login_url="https://login.salesforce.com",
        client_id="id",
        client_secret="very-secret",
        username="u",
        password="pw-and-token",
    )
    assert "very-secret" not in repr(credentials) and "pw-and-token" not in str(credentials)
    assert "***" in repr(credentials)


async def test_admin_saves_credentials_sealed_and_syncs(
    client: FormClient, settings: Settings, fake_salesforce: FakeSalesforce
) -> None:
    admin = await make_member(role="admin")
    await client.login(admin.email, PASSWORD)
    form = {
        "login_url": fake_salesforce.url,
        "client_id": fake_salesforce.client_id,
        "client_secret": fake_salesforce.client_secret,
        "api_version": "v62.0",
    }
    response = await client.post_form("/staff/crm/connections/salesforce", form)
    assert response.status_code == 303
    stored = await CrmCredential.select().first()
    assert fake_salesforce.client_secret not in stored["sealed"]
    page = await client.get("/staff/crm/connections")
    assert fake_salesforce.client_secret not in page.text and fake_salesforce.client_id in page.text
    again = await client.post_form(
        "/staff/crm/connections/salesforce", {**form, "client_secret": ""}
    )
    assert again.status_code == 303  # blank keeps the stored secret
    bad = await client.post_form(
        "/staff/crm/connections/salesforce", {**form, "login_url": "ftp://x"}
    )
    assert bad.status_code == 400 and "http://" in bad.text
    busy = SyncRun(crm="salesforce", status="running")
    await busy.save()
    twice = await client.post_form("/staff/crm/sync/salesforce")
    assert twice.status_code == 409 and "実行中" in twice.text
    await SyncRun.update({SyncRun.status: "failed"}).where(SyncRun.id == busy.id)
    started = await client.post_form("/staff/crm/sync/salesforce")
    assert started.status_code == 303
    assert await SyncRun.count() == 2


async def test_sync_needs_a_connection(client: FormClient) -> None:
    admin = await make_member(role="admin")
    await client.login(admin.email, PASSWORD)
    response = await client.post_form("/staff/crm/sync/hubspot")
    assert response.status_code == 400 and "接続設定" in response.text
    assert await SyncRun.count() == 0
