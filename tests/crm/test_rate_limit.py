"""API tokens are rate-limited per token (a tiny limit here)."""

from __future__ import annotations

import pytest

from core.settings import Settings
from crm.tokens import create_token
from tests.factories import make_member
from tests.support import FormClient


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"api_token_rate_limit_per_minute": 3})


async def test_rate_limited_per_token(client: FormClient) -> None:
    admin = await make_member(role="admin")
    secret = (await create_token("a", ["webhooks:manage"], None, admin)).secret
    other = (await create_token("b", ["webhooks:manage"], None, admin)).secret
    statuses = [
        (
            await client.raw.get("/api/v1/webhooks", headers={"Authorization": f"Bearer {secret}"})
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    limited = await client.raw.get(
        "/api/v1/webhooks", headers={"Authorization": f"Bearer {secret}"}
    )
    assert limited.status_code == 429 and limited.headers["retry-after"] == "60"
    assert "秒後" in limited.json()["detail"]
    fresh = await client.raw.get("/api/v1/webhooks", headers={"Authorization": f"Bearer {other}"})
    assert fresh.status_code == 200
