"""Pulls of accounts and renewal outcomes from Salesforce (SOQL) and HubSpot (companies, closed
deals by pipeline), against the loopback CRMs: created, updated, unchanged, refused rows,
accounts gone from the CRM flagged and back, the CRM's fields winning, a missing field
stopping everything, the pages and the nightly cron."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import SecretStr

from accounts.tables import Account, AccountDomain
from crm.imports.jobs import pull_crms_nightly, pull_from_crm
from crm.imports.sync import create_pull, get_pull
from crm.tables import CrmMapping, GoneFromCrm, PullRun
from renewals.tables import Renewal
from settings import Settings
from tests.crm.servers import FakeHubSpot, FakeSalesforce
from tests.factories import make_account, make_member
from tests.support import sign_in_as

SF_ACCOUNT_FIELDS = {
    "Id",
    "Name",
    "Email_Domains__c",
    "ARR__c",
    "Plan__c",
    "Owner",
    "Contract_Start__c",
    "Renewal_Date__c",
    "Touch_Tier__c",
}
SF_OPPORTUNITY_FIELDS = {"Id", "AccountId", "CloseDate", "IsWon", "Amount", "Previous_ARR__c"}


def sf_account(id_: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "Id": id_,
        "Name": name,
        "Email_Domains__c": None,
        "ARR__c": 1200000.0,
        "Plan__c": "Enterprise",
        "Owner": {"Email": "nobody@vendor.example"},
        "Contract_Start__c": "2025-04-01",
        "Renewal_Date__c": "2027-03-31",
        "Touch_Tier__c": "high",
        **extra,
    }


def opportunity(id_: str, account: str, close: str, won: bool, amount: float | None, prev: float):
    return {
        "Id": id_,
        "AccountId": account,
        "CloseDate": close,
        "IsWon": won,
        "IsClosed": True,
        "Type": "Renewal",
        "Amount": amount,
        "Previous_ARR__c": prev,
    }


@pytest.fixture
def sf_ctx(settings: Settings, fake_salesforce: FakeSalesforce) -> dict[str, Any]:
    fake_salesforce.sobject_fields = {
        "Account": SF_ACCOUNT_FIELDS,
        "Opportunity": SF_OPPORTUNITY_FIELDS,
    }
    return {
        "settings": settings.model_copy(
            update={
                "salesforce_login_url": fake_salesforce.url,
                "salesforce_client_id": fake_salesforce.client_id,
                "salesforce_client_secret": SecretStr(fake_salesforce.client_secret),
            }
        )
    }


@pytest.fixture
def hs_ctx(settings: Settings, fake_hubspot: FakeHubSpot) -> dict[str, Any]:
    fake_hubspot.known = {
        "companies": {
            "kizuna_account_id",
            "name",
            "domain",
            "kizuna_arr",
            "kizuna_plan",
            "hubspot_owner_id",
            "contract_start_date",
            "renewal_date",
            "touch_tier",
        },
        "deals": {"closedate", "hs_is_closed_won", "amount", "previous_arr"},
    }
    return {
        "settings": settings.model_copy(
            update={
                "hubspot_access_token": SecretStr(fake_hubspot.token),
                "hubspot_base_url": fake_hubspot.url,
            }
        )
    }


async def pull(ctx: dict[str, Any], crm: str, kind: str) -> PullRun:
    run_id = await create_pull(crm, kind, None)
    await pull_from_crm(ctx, run_id)
    run = await get_pull(run_id)
    assert run is not None
    return run


async def test_salesforce_accounts_created_updated_refused_and_gone(
    sf_ctx: dict[str, Any], fake_salesforce: FakeSalesforce
) -> None:
    csm = await make_member(None, role="csm", email="Sato@Vendor.example")
    kept = await make_account(
        "旧社名", crm_external_id="001A", allow_self_signup=True, touch_tier="low"
    )
    gone = await make_account("もう無い社", crm_external_id="001GONE")
    fake_salesforce.query_page = 2  # three records: two pages through nextRecordsUrl
    fake_salesforce.sobjects["Account"] = [
        sf_account("001A", "新社名株式会社", ARR__c=3000000.0),
        sf_account(
            "001B",
            "新規株式会社",
            Email_Domains__c="shinki.example; shinki.co.jp",
            Owner={"Email": "sato@vendor.example"},
        ),
        sf_account("001C", "階層不明社", Touch_Tier__c="platinum"),
    ]
    run = await pull(sf_ctx, "salesforce", "accounts")
    assert run.status == "partial", run.error
    assert (run.fetched, run.created, run.updated, run.refused, run.flagged) == (3, 1, 1, 1, 1)
    assert len(fake_salesforce.queries) == 2
    assert fake_salesforce.queries[0].startswith("SELECT Id, Name, Email_Domains__c, ARR__c")
    updated = await Account.objects().where(Account.id == kept.id).first()
    assert (updated.name, updated.arr, updated.touch_tier) == ("新社名株式会社", 3000000, "high")
    assert updated.allow_self_signup is True  # Kizuna's field: the CRM does not own it
    assert updated.contract_start == date(2025, 4, 1)
    created = await Account.objects().where(Account.crm_external_id == "001B").first()
    assert created.owner == csm.id
    domains = await AccountDomain.select(AccountDomain.domain).where(
        AccountDomain.account == created.id
    )
    assert sorted(d["domain"] for d in domains) == ["shinki.co.jp", "shinki.example"]
    assert not await Account.exists().where(Account.crm_external_id == "001C")
    [problem] = [p for p in run.problems if p["external_id"] == "001C"]
    assert "platinum" in problem["params"]["value"]
    assert await GoneFromCrm.exists().where(GoneFromCrm.account == gone.id)
    assert await Account.exists().where(Account.id == gone.id)  # flagged, never deleted
    change = next(c for c in run.changes if c["external_id"] == "001A")
    assert change["fields"]["name"] == ["旧社名", "新社名株式会社"]

    # Again, with the gone account back: nothing else changes.
    fake_salesforce.sobjects["Account"].append(
        sf_account("001GONE", "もう無い社", Owner={"Email": None})  # no owner: nothing to note
    )
    again = await pull(sf_ctx, "salesforce", "accounts")
    assert {p["external_id"] for p in again.problems} == {"001A", "001C"}
    assert (again.created, again.updated, again.unchanged) == (0, 1, 2)
    assert not await GoneFromCrm.exists().where(GoneFromCrm.account == gone.id)
    assert {c["action"] for c in again.changes} == {"updated", "back"}


async def test_salesforce_renewals_from_closed_opportunities(
    sf_ctx: dict[str, Any], fake_salesforce: FakeSalesforce
) -> None:
    account = await make_account("更新元社", crm_external_id="001R", arr=1_000_000)
    manual = Renewal(
        account=account.id,
        renewal_date=date(2025, 3, 31),
        outcome="renewed",
        arr_before=1,
        arr_after=1,
        source="manual",
    )
    await manual.save()
    other_type = {**opportunity("006X", "001R", "2024-03-31", True, 5.0, 5.0), "Type": "New"}
    fake_salesforce.sobjects["Opportunity"] = [
        opportunity("006A", "001R", "2025-03-31", True, 1500000.0, 1000000.0),
        opportunity("006B", "001R", "2026-03-31", False, None, 1500000.0),
        opportunity("006C", "001UNKNOWN", "2026-03-31", True, 1.0, 1.0),
        other_type,
    ]
    run = await pull(sf_ctx, "salesforce", "renewals")
    assert run.status == "partial"
    assert (run.fetched, run.created, run.updated, run.refused) == (3, 1, 1, 1)
    assert "Type = 'Renewal'" in fake_salesforce.queries[0]
    rows = (
        await Renewal.select().where(Renewal.account == account.id).order_by(Renewal.renewal_date)
    )
    assert [(r["outcome"], r["arr_before"], r["arr_after"], r["external_id"]) for r in rows] == [
        ("expanded", 1000000, 1500000, "006A"),  # the manual record, adopted: the CRM wins
        ("churned", 1500000, 0, "006B"),
    ]
    assert rows[0]["id"] == manual.id and rows[0]["source"] == "salesforce"
    assert run.problems[0]["params"]["id"] == "001UNKNOWN"
    again = await pull(sf_ctx, "salesforce", "renewals")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


async def test_an_unknown_salesforce_field_stops_the_pull(
    sf_ctx: dict[str, Any], fake_salesforce: FakeSalesforce
) -> None:
    fake_salesforce.sobject_fields["Account"] = SF_ACCOUNT_FIELDS - {"Plan__c"}
    fake_salesforce.sobjects["Account"] = [sf_account("001A", "何か社")]
    run = await pull(sf_ctx, "salesforce", "accounts")
    assert run.status == "failed"
    assert run.problems[0]["params"] == {"field": "Plan__c"}  # said in the user's language
    assert await Account.count() == 0


async def test_hubspot_companies_and_closed_deals_by_pipeline(
    hs_ctx: dict[str, Any], fake_hubspot: FakeHubSpot
) -> None:
    csm = await make_member(None, role="csm", email="tanaka@vendor.example")
    fake_hubspot.page_size = 1
    fake_hubspot.owners = [{"id": "77", "email": "tanaka@vendor.example"}]
    base = {
        "domain": "hs.example",
        "kizuna_arr": "2400000",
        "kizuna_plan": "Pro",
        "hubspot_owner_id": "77",
        "contract_start_date": "1711929600000",  # 2024-04-01 in milliseconds
        "renewal_date": "2027-04-01",
        "touch_tier": "Tech Touch",
    }
    fake_hubspot.companies = [
        {"id": "501", "properties": {"kizuna_account_id": "HS-1", "name": "HS株式会社", **base}},
        {"id": "502", "properties": {"kizuna_account_id": None, "name": "鍵なし社"}},
    ]
    run = await pull(hs_ctx, "hubspot", "accounts")
    assert (run.created, run.refused) == (1, 1)
    account = await Account.objects().where(Account.crm_external_id == "HS-1").first()
    assert (account.arr, account.touch_tier, account.owner) == (2400000, "tech", csm.id)
    assert account.contract_start == date(2024, 4, 1)
    assert "kizuna_account_id" in run.problems[0]["params"]["field"]

    fake_hubspot.deals = [
        {
            "id": "9001",
            "properties": {
                "pipeline": "renewals",
                "hs_is_closed": True,
                "closedate": "2026-04-01T00:00:00Z",
                "hs_is_closed_won": "true",
                "amount": "2000000",
                "previous_arr": "2400000",
            },
        },
        {"id": "9002", "properties": {"pipeline": "sales", "hs_is_closed": True}},
    ]
    fake_hubspot.deal_companies = {"9001": "501"}
    renewals = await pull(hs_ctx, "hubspot", "renewals")
    assert renewals.status == "succeeded", renewals.problems
    [row] = await Renewal.select().where(Renewal.account == account.id)
    assert (row["outcome"], row["arr_before"], row["arr_after"]) == ("downgraded", 2400000, 2000000)
    assert row["external_id"] == "9001" and row["source"] == "hubspot"


async def test_a_property_hubspot_does_not_know_stops_the_pull(
    hs_ctx: dict[str, Any], fake_hubspot: FakeHubSpot
) -> None:
    fake_hubspot.known["companies"].discard("kizuna_plan")
    fake_hubspot.companies = [
        {"id": "501", "properties": {"kizuna_account_id": "HS-1", "name": "HS株式会社"}}
    ]
    run = await pull(hs_ctx, "hubspot", "accounts")
    assert run.status == "failed"
    assert run.problems[0]["params"] == {"field": "kizuna_plan"}
    assert await Account.count() == 0


async def test_pages_start_a_pull_and_show_its_log(
    app, client, run_jobs, fake_salesforce: FakeSalesforce, settings: Settings
) -> None:
    admin = await sign_in_as(client, "admin")
    page = await client.get("/staff/crm/pulls")
    assert page.status_code == 200
    assert 'id="pull-salesforce"' in page.text and 'id="pull-hubspot"' in page.text
    refused = await client.post_form("/staff/crm/pulls/salesforce/accounts")
    assert refused.status_code == 400
    assert await PullRun.count() == 0
    missing = await client.post_form("/staff/crm/pulls/zoho/accounts")
    assert missing.status_code == 404
    bad = await client.post_form(
        "/staff/crm/pulls/salesforce/fields", {"pull_name": "Name; DROP", "pull_account": ""}
    )
    assert bad.status_code == 400
    assert not await CrmMapping.exists()
    form = {f"pull_{k}": v for k, v in {"name": "Name", "close_date": "CloseDate"}.items()}
    form |= {"pull_account": "AccountId", "pull_won": "IsWon", "pull_arr_after": "Amount"}
    form |= {"pull_renewal_filter": "Renewal", "pull_plan": ""}
    saved = await client.post_form("/staff/crm/pulls/salesforce/fields", form)
    assert saved.status_code == 303
    row = await CrmMapping.objects().where(CrmMapping.crm == "salesforce").first()
    assert row.key_field == "Id" and admin.id == row.updated_by
    shown = await client.get("/staff/crm/pulls")  # read back from the saved row
    assert shown.status_code == 200
    assert 'name="pull_plan" type="text" value=""' in shown.text  # Salesforce's, saved blank
    assert 'name="pull_plan" type="text" value="kizuna_plan"' in shown.text  # HubSpot's default


async def test_a_pull_from_the_page_runs_as_a_job(
    app, client, run_jobs, sf_ctx: dict[str, Any], fake_salesforce: FakeSalesforce
) -> None:
    from crm.pushes.credentials import save_credentials

    admin = await sign_in_as(client, "admin")
    settings = app.state.settings
    await save_credentials(
        "salesforce",
        {
            "login_url": fake_salesforce.url,
            "client_id": fake_salesforce.client_id,
            "client_secret": fake_salesforce.client_secret,
        },
        admin,
        settings.model_copy(update={"webhook_allow_private_targets": True}),
    )
    fake_salesforce.sobjects["Account"] = [sf_account("001P", "ページ社")]
    started = await client.post_form("/staff/crm/pulls/salesforce/accounts")
    assert started.status_code == 303
    twice = await client.post_form("/staff/crm/pulls/salesforce/accounts")
    assert twice.status_code == 409
    await run_jobs()
    run_page = await client.get(started.headers["location"])
    assert run_page.status_code == 200
    assert "ページ社" in run_page.text
    csm_client = client
    await sign_in_as(csm_client, "csm")
    assert (await csm_client.get("/staff/crm/pulls")).status_code == 403


async def test_the_nightly_cron_pulls_accounts_then_renewals(
    sf_ctx: dict[str, Any], fake_salesforce: FakeSalesforce
) -> None:
    fake_salesforce.sobjects = {"Account": [sf_account("001N", "夜間社")], "Opportunity": []}
    await pull_crms_nightly(sf_ctx)
    await pull_crms_nightly(sf_ctx)  # a second worker's cron: the pull is under way
    [accounts] = await PullRun.select().where(PullRun.kind == "accounts")
    assert accounts["origin"] == "schedule"
    await pull_from_crm(sf_ctx, accounts["id"])
    [renewals] = await PullRun.select().where(PullRun.kind == "renewals")
    assert renewals["status"] == "queued" and renewals["origin"] == "schedule"
    await pull_from_crm(sf_ctx, renewals["id"])
    assert (await get_pull(renewals["id"])).status == "succeeded"
