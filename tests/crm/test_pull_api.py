"""The pull API: keyset pages, opaque signed cursor, completeness under concurrent updates."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from crm.pull.tokens import create_token
from tests.crm.scores import BASE, put_score
from tests.factories import PASSWORD, make_account, make_member
from tests.support import FormClient


async def token(scopes: list[str] | None = None) -> dict[str, str]:
    admin = await make_member(role="admin")
    issued = await create_token("etl", scopes or ["scores:read"], None, admin)
    return {"Authorization": f"Bearer {issued.secret}"}


async def scored_accounts(count: int) -> list[Any]:
    accounts = []
    for n in range(count):
        account = await make_account(crm_external_id=f"001PULL{n:05d}" if n % 3 else None)
        # Two accounts share each timestamp: the account id breaks the tie.
        await put_score(account.id, minute=n // 2, score=float(n))
        accounts.append(account)
    return accounts


async def pull_all(
    client: FormClient, headers: dict[str, str], limit: int, cursor: str | None = None
) -> tuple[list[dict[str, Any]], str]:
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": limit}
    if cursor:
        params["cursor"] = cursor
    while True:
        response = await client.raw.get("/api/v1/scores", params=params, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        params["cursor"] = page["next_cursor"]
        if not page["has_more"]:
            return items, page["next_cursor"]


async def test_pages_cover_every_score_once_in_order(client: FormClient) -> None:
    accounts = await scored_accounts(7)
    headers = await token()
    items, _ = await pull_all(client, headers, limit=2)
    assert [i["account_id"] for i in items] == [a.id for a in accounts]
    keys = [(i["updated_at"], i["account_id"]) for i in items]
    assert keys == sorted(keys)
    first = items[0]
    assert set(first) == {
        "account_id",
        "account_name",
        "crm_external_id",
        "score",
        "band",
        "trend",
        "community",
        "events",
        "breadth",
        "recency",
        "last_activity_at",
        "updated_at",
        "human_share",
        "last_human_touch_at",
        "open_tasks",
    }
    assert first["crm_external_id"] is None and items[1]["crm_external_id"] == "001PULL00001"


async def test_kept_cursor_returns_only_later_changes(client: FormClient) -> None:
    accounts = await scored_accounts(4)
    headers = await token()
    _, cursor = await pull_all(client, headers, limit=3)
    again, cursor = await pull_all(client, headers, limit=3, cursor=cursor)
    assert again == []
    await put_score(accounts[1].id, minute=500, score=99.0, band="green")
    later, _ = await pull_all(client, headers, limit=3, cursor=cursor)
    assert [(i["account_id"], i["score"], i["band"]) for i in later] == [
        (accounts[1].id, 99, "green")
    ]


async def test_complete_under_concurrent_updates(client: FormClient) -> None:
    accounts = await scored_accounts(9)
    headers = await token()
    seen: dict[int, dict[str, Any]] = {}
    params: dict[str, Any] = {"limit": 2}
    minute = 1000
    for step in range(50):
        page = (await client.raw.get("/api/v1/scores", params=params, headers=headers)).json()
        for item in page["items"]:
            seen[item["account_id"]] = item
        params["cursor"] = page["next_cursor"]
        if step < 3:  # while paging, scores change: one already read, one not yet
            minute += 1
            await put_score(accounts[step].id, minute=minute, score=70.0 + step)
            await put_score(accounts[-1 - step].id, minute=minute, score=80.0 + step)
        if not page["has_more"] and step >= 3:
            break
    assert set(seen) == {a.id for a in accounts}
    for step in range(3):
        assert seen[accounts[step].id]["score"] == 70 + step
        assert seen[accounts[-1 - step].id]["score"] == 80 + step


async def test_updated_since_is_inclusive(client: FormClient) -> None:
    accounts = await scored_accounts(6)
    headers = await token()
    since = (BASE + timedelta(minutes=1)).isoformat()
    response = await client.raw.get(
        "/api/v1/scores", params={"updated_since": since}, headers=headers
    )
    assert [i["account_id"] for i in response.json()["items"]] == [a.id for a in accounts[2:]]


@pytest.mark.parametrize(
    ("since", "status"),
    [
        ("2026-11-01T00:01:00Z", 200),
        ("2026-11-01t00:01:00z", 200),
        ("2026-11-01T09:01:00.000+09:00", 200),
        ("2026-11-01T00:01:00", 200),  # no offset: UTC
        ("0.5", 422),  # a number is not read as a Unix time (the schema allows text: 422)
        ("1761955260", 422),
        ("2026-11-01", 422),
        ("2026-13-01T00:00:00Z", 422),
    ],
)
async def test_updated_since_must_be_a_date_and_time(
    client: FormClient, since: str, status: int
) -> None:
    accounts = await scored_accounts(4)
    headers = await token()
    response = await client.raw.get(
        "/api/v1/scores", params={"updated_since": since}, headers=headers
    )
    assert response.status_code == status, response.text
    if status == 200:
        assert [i["account_id"] for i in response.json()["items"]] == [a.id for a in accounts[2:]]
    else:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["errors"]["updated_since"].startswith("updated_since は ISO 8601")


@pytest.mark.parametrize("cursor", ["garbage", "eyJwIjpudWxsfQ.abc.def", ""])
async def test_bad_cursor_is_a_422(client: FormClient, cursor: str) -> None:
    """A cursor of the documented shape that is not ours: refused by a rule (422), not 400."""
    await scored_accounts(1)
    headers = await token()
    if cursor == "":
        page = (await client.raw.get("/api/v1/scores", params={"limit": 1}, headers=headers)).json()
        good = page["next_cursor"]
        cursor = good[:-2] + ("A" if good[-2] != "A" else "B") + good[-1]  # tampered signature
    response = await client.raw.get("/api/v1/scores", params={"cursor": cursor}, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "カーソル" in response.json()["detail"]


@pytest.mark.parametrize("limit", ["0", "1001", "ten"])
async def test_limit_out_of_range(client: FormClient, limit: str) -> None:
    headers = await token()
    response = await client.raw.get("/api/v1/scores", params={"limit": limit}, headers=headers)
    assert response.status_code == 400


async def test_who_may_pull(client: FormClient) -> None:
    await scored_accounts(2)
    assert (await client.raw.get("/api/v1/scores")).status_code == 401
    wrong = await token(["webhooks:manage"])
    assert (await client.raw.get("/api/v1/scores", headers=wrong)).status_code == 403
    account = await make_account()
    customer = await make_member(account)
    await client.login(customer.email, PASSWORD)
    assert (await client.raw.get("/api/v1/scores")).status_code == 403
    csm = await make_member(role="csm")
    await client.login(csm.email, PASSWORD)
    response = await client.raw.get("/api/v1/scores")
    assert response.status_code == 200 and len(response.json()["items"]) == 2
