"""Staff downloads, the mapping form, the CLI, and incremental syncs over real score rows."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from core.settings import ROOT
from crm.pushes.jobs import run_crm_sync
from crm.services import request_sync
from crm.tables import CrmMapping, SyncRun
from settings import Settings
from tests.crm.scores import put_score
from tests.crm.servers import FakeHubSpot
from tests.factories import PASSWORD, make_account, make_member
from tests.support import FormClient, assert_one_charset

MAPPING_FORM = {
    "key_field": "Kizuna_Account__c",
    "include_score": "1",
    "field_score": "Health__c",
    "include_band": "1",
    "field_band": "Health_Band__c",
}


async def staff(client: FormClient, role: str = "admin") -> Any:
    member = await make_member(role=role)
    await client.login(member.email, PASSWORD)
    return member


async def some_scores() -> list[Any]:
    with_id = await make_account(name="さくら", crm_external_id="001SAKURA")
    other = await make_account(name="みなと", crm_external_id="001MINATO")
    without = await make_account(name="北斗フーズ")
    await put_score(with_id.id, minute=1, score=72.5, band="green")
    await put_score(other.id, minute=2, score=35.0, band="red", last_activity_at=None)
    await put_score(without.id, minute=3)
    return [with_id, other, without]


async def test_mapping_saved_and_used_by_the_download(client: FormClient) -> None:
    await staff(client)
    await some_scores()
    saved = await client.post_form("/staff/crm/mapping/salesforce", MAPPING_FORM)
    assert saved.status_code == 303
    response = await client.get("/staff/crm/export", params={"format": "salesforce"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert_one_charset(response)
    assert (
        'attachment; filename="kizuna-scores-salesforce-' in response.headers["content-disposition"]
    )
    assert response.content == (
        b"Kizuna_Account__c,Health__c,Health_Band__c\n001SAKURA,72.5,green\n001MINATO,35,red\n"
    )


async def test_empty_field_name_saves_nothing(client: FormClient) -> None:
    await staff(client)
    response = await client.post_form(
        "/staff/crm/mapping/salesforce", {**MAPPING_FORM, "field_band": ""}
    )
    assert response.status_code == 400
    assert "CRM項目名を入力してください" in response.text
    assert await CrmMapping.count() == 0
    invalid = await client.post_form(
        "/staff/crm/mapping/hubspot", {**MAPPING_FORM, "key_field": "Bad Name"}
    )
    assert invalid.status_code == 400 and "内部名" in invalid.text
    assert await CrmMapping.count() == 0


async def test_unknown_format_is_a_clear_400(client: FormClient) -> None:
    await staff(client, "csm")
    response = await client.get("/staff/crm/export", params={"format": "xlsx"})
    assert response.status_code == 400
    assert "エクスポート形式「xlsx」は不明です" in response.text


async def test_csm_downloads_but_cannot_map(client: FormClient) -> None:
    await staff(client, "csm")
    await some_scores()
    page = await client.get("/staff/crm")
    assert page.status_code == 200 and "北斗フーズ" in page.text  # listed: no CRM id
    assert 'action="/staff/crm/mapping/salesforce"' not in page.text
    csv_file = await client.get("/staff/crm/export", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(csv_file.content.decode("utf-8-sig"))))
    assert [r["account_name"] for r in rows] == ["さくら", "みなと", "北斗フーズ"]
    jsonl = await client.get("/staff/crm/export", params={"format": "jsonl"})
    assert len(jsonl.content.splitlines()) == 3
    refused = await client.post_form("/staff/crm/mapping/salesforce", MAPPING_FORM)
    assert refused.status_code == 403


async def run_cli(*args: str) -> tuple[int, str]:
    env = {**os.environ, "LOAD_DEMO_DATA": "false", "PYTHONPATH": str(ROOT)}
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "litestar"),
        "--app",
        "app:create_app",
        "scores",
        "export",
        *args,
        cwd=str(ROOT),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    return int(process.returncode or 0), (out + err).decode()


async def test_cli_writes_the_export(settings: Settings, tmp_path: Path) -> None:
    await some_scores()
    out = tmp_path / "scores.csv"
    code, output = await run_cli("--format", "salesforce", "--out", str(out))
    assert code == 0, output
    assert out.read_bytes().splitlines()[1:] == [
        b"001SAKURA,72.5,green,same,40,30,2026-10-30",
        b"001MINATO,35,red,same,40,30,#N/A",
    ]
    assert "北斗フーズ" in output  # accounts left out are named
    code, output = await run_cli(
        "--format", "salesforce", "--out", str(out), "--part-max-bytes", "170"
    )
    assert code == 0, output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "scores.csv",
        "scores_001.csv",
        "scores_002.csv",
    ]


async def test_cli_unknown_format_exits_2(tmp_path: Path) -> None:
    code, output = await run_cli("--format", "excel", "--out", str(tmp_path / "x"))
    assert code == 2
    assert "不明です" in output
    assert not (tmp_path / "x").exists()


@pytest.fixture
def hs_settings(settings: Settings, fake_hubspot: FakeHubSpot) -> Settings:
    return settings.model_copy(
        update={
            "hubspot_access_token": SecretStr(fake_hubspot.token),
            "hubspot_base_url": fake_hubspot.url,
        }
    )


async def test_sync_sends_only_what_changed_since_the_crm_accepted_it(
    hs_settings: Settings, fake_hubspot: FakeHubSpot
) -> None:
    ctx = {"settings": hs_settings}
    sakura, minato, hokuto = await some_scores()

    async def sync() -> SyncRun:
        run = await request_sync("hubspot", None, hs_settings)
        await run_crm_sync(ctx, run.id)
        return await SyncRun.objects().where(SyncRun.id == run.id).first()

    first = await sync()
    assert (first.status, first.sent, first.succeeded, first.skipped) == ("succeeded", 2, 2, 1)
    assert {i["id"] for b in fake_hubspot.batches for i in b} == {"001SAKURA", "001MINATO"}
    fake_hubspot.batches.clear()
    second = await sync()
    assert (second.sent, second.skipped) == (0, 1) and fake_hubspot.batches == []
    await put_score(minato.id, minute=10, score=20.0, band="red")
    fake_hubspot.fail_ids = {"001MINATO"}
    third = await sync()
    assert (third.status, third.sent, third.failed) == ("failed", 1, 1)
    fake_hubspot.fail_ids = set()
    fourth = await sync()  # the refused account is still unsent
    assert (fourth.status, fourth.sent, fourth.succeeded) == ("succeeded", 1, 1)
    assert fake_hubspot.batches[-1][0]["properties"]["engagement_score"] == "20"
    assert {i["id"] for b in fake_hubspot.batches for i in b} == {"001MINATO"}
    assert sakura.id != hokuto.id
