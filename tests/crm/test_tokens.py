"""API tokens: created by admins and shown once, hashed, scoped, expiring, revocable, limited."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from core.security import token_digest
from core.timeutil import utcnow
from crm.pull.tokens import create_token
from crm.tables import ApiToken
from tests.factories import PASSWORD, make_account, make_member
from tests.support import FormClient


async def admin_client(client: FormClient) -> Any:
    admin = await make_member(role="admin", email="admin@kizuna.example")
    await client.login(admin.email, PASSWORD)
    return admin


async def issue(scopes: list[str], days: int | None = None) -> str:
    admin = await make_member(role="admin")
    return (await create_token("reverse-ETL", scopes, days, admin)).secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


async def test_admin_creates_token_shown_once_and_stored_hashed(client: FormClient) -> None:
    await admin_client(client)
    response = await client.post_form(
        "/staff/crm/tokens",
        {
            "name": "Hightouch",
            "scopes": ["scores:read", "webhooks:manage"],
            "expires_in_days": "30",
        },
    )
    assert response.status_code == 201
    secret = re.search(r'id="new-token">(kz_[A-Za-z0-9_\-]+)<', response.text).group(1)
    rows = await ApiToken.select()
    assert len(rows) == 1
    assert rows[0]["digest"] == token_digest(secret)
    assert secret not in str(rows[0])
    assert rows[0]["scopes"] == "scores:read webhooks:manage"
    assert timedelta(days=29) < rows[0]["expires_at"] - utcnow() <= timedelta(days=30)
    listing = await client.get("/staff/crm/tokens")
    assert secret not in listing.text and secret[:10] in listing.text
    used = await client.api("GET", "/api/v1/webhooks", headers=bearer(secret))
    assert used.status_code == 200, used.text


async def test_token_form_errors_save_nothing(client: FormClient) -> None:
    await admin_client(client)
    response = await client.post_form("/staff/crm/tokens", {"name": "", "expires_in_days": "7"})
    assert response.status_code == 400
    assert "入力してください" in response.text or "選んでください" in response.text
    assert await ApiToken.count() == 0


async def test_only_admins_manage_tokens(client: FormClient) -> None:
    csm = await make_member(role="csm")
    await client.login(csm.email, PASSWORD)
    assert (await client.get("/staff/crm/tokens")).status_code == 403
    response = await client.post_form("/staff/crm/tokens", {"name": "x", "scopes": "scores:read"})
    assert response.status_code == 403
    assert await ApiToken.count() == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"revoked_at": "now"}, "失効"),
        ({"expires_at": "past"}, "有効期限"),
    ],
)
async def test_revoked_and_expired_tokens_answer_401(
    client: FormClient, change: dict[str, str], message: str
) -> None:
    secret = await issue(["webhooks:manage"], days=30)
    assert (await client.api("GET", "/api/v1/webhooks", headers=bearer(secret))).status_code == 200
    column, _ = next(iter(change.items()))
    moment = utcnow() - timedelta(seconds=1)
    await ApiToken.update({getattr(ApiToken, column): moment}).where(
        ApiToken.digest == token_digest(secret)
    )
    response = await client.api("GET", "/api/v1/webhooks", headers=bearer(secret))
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert message in response.json()["detail"]
    assert "invalid_token" in response.headers["www-authenticate"]


async def test_unknown_token_and_wrong_scope(client: FormClient) -> None:
    response = await client.api("GET", "/api/v1/webhooks", headers=bearer("kz_not-a-real-token"))
    assert response.status_code == 401
    assert "正しくありません" in response.json()["detail"]
    secret = await issue(["scores:read"])
    response = await client.api("GET", "/api/v1/webhooks", headers=bearer(secret))
    assert response.status_code == 403
    assert "webhooks:manage" in response.json()["detail"]


async def test_token_cannot_act_as_a_member(client: FormClient) -> None:
    secret = await issue(["scores:read", "webhooks:manage"])
    response = await client.api("GET", "/api/v1/me", headers=bearer(secret))
    assert response.status_code == 403
    assert "受け付けません" in response.json()["detail"]


async def test_revoke_from_the_page(client: FormClient) -> None:
    admin = await admin_client(client)
    issued = await create_token("old", ["webhooks:manage"], None, admin)
    response = await client.post_form(f"/staff/crm/tokens/{issued.token.id}/revoke")
    assert response.status_code == 303
    again = await client.api("GET", "/api/v1/webhooks", headers=bearer(issued.secret))
    assert again.status_code == 401
    assert (await client.post_form("/staff/crm/tokens/999999/revoke")).status_code == 404


async def test_last_used_written_at_most_once_a_minute(client: FormClient) -> None:
    secret = await issue(["webhooks:manage"])
    for _ in range(3):
        assert (
            await client.api("GET", "/api/v1/webhooks", headers=bearer(secret))
        ).status_code == 200
    first = (await ApiToken.select(ApiToken.last_used_at).first())["last_used_at"]
    assert first is not None
    await client.api("GET", "/api/v1/webhooks", headers=bearer(secret))
    assert (await ApiToken.select(ApiToken.last_used_at).first())["last_used_at"] == first
    old = utcnow() - timedelta(minutes=2)
    await ApiToken.update({ApiToken.last_used_at: old}, force=True)
    await client.api("GET", "/api/v1/webhooks", headers=bearer(secret))
    assert (await ApiToken.select(ApiToken.last_used_at).first())["last_used_at"] > old


async def test_customer_session_cannot_reach_token_endpoints(client: FormClient) -> None:
    account = await make_account()
    customer = await make_member(account)
    await client.login(customer.email, PASSWORD)
    token_only = await client.api("GET", "/api/v1/webhooks")
    assert token_only.status_code == 401 and "Bearer" in token_only.headers["www-authenticate"]
    assert (await client.get("/staff/crm")).status_code == 403
