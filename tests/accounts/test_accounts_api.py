"""The staff JSON API for accounts: list with pagination, detail, 404, and who may call it."""

from __future__ import annotations

from tests.factories import make_account, make_member
from tests.support import sign_in_as


async def test_list_accounts_with_pagination(client, settings):
    first = await make_account("A社", domains="a.example", crm_external_id="CRM-A", arr=5)
    await make_member(first)
    await make_member(first)
    await make_account("B社")
    await make_account("C社")
    await sign_in_as(client, "csm")
    page = await client.get("/api/v1/accounts", params={"limit": 2})
    assert page.status_code == 200
    body = page.json()
    assert body["total"] == 3 and body["limit"] == 2 and body["offset"] == 0
    assert [a["name"] for a in body["items"]] == ["A社", "B社"]
    item = body["items"][0]
    assert item["domains"] == ["a.example"] and item["member_count"] == 2
    assert item["crm_external_id"] == "CRM-A" and item["arr"] == 5
    rest = (await client.get("/api/v1/accounts", params={"limit": 2, "offset": 2})).json()
    assert [a["name"] for a in rest["items"]] == ["C社"]
    found = (await client.get("/api/v1/accounts", params={"q": "a.example"})).json()
    assert found["total"] == 1


async def test_bad_pagination_is_a_400_problem(client, settings):
    await sign_in_as(client, "admin")
    for params in ({"limit": 0}, {"limit": 1000}, {"offset": -1}, {"limit": "many"}):
        response = await client.get("/api/v1/accounts", params=params)
        assert response.status_code == 400, params
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_account_detail_and_unknown_id(client, settings):
    account = await make_account("詳細株式会社", domains="detail.example", touch_tier="tech")
    await sign_in_as(client, "admin")
    detail = await client.get(f"/api/v1/accounts/{account.id}")
    assert detail.status_code == 200
    assert detail.json() == {
        "id": account.id,
        "name": "詳細株式会社",
        "domains": ["detail.example"],
        "crm_external_id": None,
        "arr": 1_000_000,
        "plan": "",
        "contract_start": None,
        "renewal_date": None,
        "touch_tier": "tech",
        "owner_id": None,
        "allow_self_signup": False,
        "active": True,
        "member_count": 0,
    }
    missing = await client.get("/api/v1/accounts/99999")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert missing.json()["detail"] == "この顧客企業は存在しません。"


async def test_a_customer_may_not_use_the_accounts_api(client, settings):
    account = await make_account()
    await sign_in_as(client, "customer", account)
    for path in ("/api/v1/accounts", f"/api/v1/accounts/{account.id}"):
        response = await client.get(path)
        assert response.status_code == 403
        assert response.json()["status"] == 403


async def test_the_accounts_api_is_documented(client, settings):
    schema = await client.get("/schema/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/accounts" in paths and "/api/v1/accounts/{account_id}" in paths
    assert not any(path.startswith("/staff/") for path in paths)
