"""Categories through the API: admins and tokens of scope community:write create and change
them with the admin page's checks; CSMs, customers and other tokens cannot."""

from __future__ import annotations

from community.tables import Category
from crm.pull.tokens import create_token
from tests.factories import make_account
from tests.support import sign_in_as


async def test_an_admin_creates_and_changes_a_private_category(app, client) -> None:
    await sign_in_as(client, "admin")
    account = await make_account("専用株式会社")
    created = await client.api(
        "POST",
        "/api/v1/community/categories",
        json={"name": "専用の相談", "visibility": "account", "account_id": account.id},
    )
    assert created.status_code == 201, created.text
    category = created.json()
    assert category["account_id"] == account.id
    changed = await client.api(
        "PUT",
        f"/api/v1/community/categories/{category['id']}",
        json={"name": "全体の相談", "visibility": "all", "position": 3},
    )
    assert changed.status_code == 200
    assert changed.json() == {
        **category,
        "name": "全体の相談",
        "visibility": "all",
        "position": 3,
        "account_id": None,
    }
    nameless = await client.api(
        "POST", "/api/v1/community/categories", json={"name": "x", "visibility": "account"}
    )
    assert nameless.status_code == 422
    assert "顧客企業" in nameless.json()["detail"]
    for bad in ({"name": ""}, {"name": "a", "position": True}, {"name": "a", "extra": 1}):
        response = await client.api("POST", "/api/v1/community/categories", json=bad)
        assert response.status_code == 400, bad
    missing = await client.api("PUT", "/api/v1/community/categories/999999", json={"name": "a"})
    assert missing.status_code == 404
    assert await Category.count() == 1


async def test_only_admins_and_scoped_tokens(app, client, other_client) -> None:
    admin = await sign_in_as(client, "admin")
    writer = (await create_token("ops", ["community:write"], None, admin)).secret
    other = (await create_token("bi", ["events:write"], None, admin)).secret
    raw = other_client.raw
    made = await raw.post(
        "/api/v1/community/categories",
        json={"name": "トークンで作成"},
        headers={"Authorization": f"Bearer {writer}"},
    )
    assert made.status_code == 201, made.text
    refused = await raw.post(
        "/api/v1/community/categories",
        json={"name": "別のトークン"},
        headers={"Authorization": f"Bearer {other}"},
    )
    assert refused.status_code == 403
    await sign_in_as(other_client, "csm")
    csm = await other_client.api("POST", "/api/v1/community/categories", json={"name": "CSM"})
    assert csm.status_code == 403
    assert await Category.count() == 1
