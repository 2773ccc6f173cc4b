"""A Salesforce export beyond the part limit downloads as a ZIP of parts (tiny limit here)."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from settings import Settings
from tests.crm.scores import put_score
from tests.factories import PASSWORD, make_account, make_member
from tests.support import FormClient


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"crm_export_part_max_bytes": 600})


async def test_big_salesforce_export_is_a_zip_of_parts(client: FormClient) -> None:
    admin = await make_member(role="admin")
    await client.login(admin.email, PASSWORD)
    for n in range(30):
        account = await make_account(crm_external_id=f"001ZIP{n:06d}")
        await put_score(account.id, minute=n)
    response = await client.get("/staff/crm/export", params={"format": "salesforce"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].endswith('.zip"')
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert len(names) > 1
    ids = []
    for name in names:
        data = archive.read(name)
        assert len(data) <= 600 and data.startswith(b"Id,Engagement_Score__c")
        ids += [r["Id"] for r in csv.DictReader(io.StringIO(data.decode()))]
    assert ids == [f"001ZIP{n:06d}" for n in range(30)]
