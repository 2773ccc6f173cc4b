"""The engagement JSON API: one account's score with history, and the filtered staff list."""

from __future__ import annotations

from datetime import timedelta

from core.timeutil import utcnow
from engagement.recompute import recompute_scores
from engagement.schemas import AccountScoreDetail, AccountScoreList
from tests.engagement.helpers import add_signal
from tests.engagement.ui_helpers import put_score, put_snapshot
from tests.factories import make_account, make_member
from tests.support import sign_in_as


async def test_account_score_detail_with_history(client, settings):
    account = await make_account("詳細商事", arr=12_000_000, touch_tier="low")
    member = await make_member(account)
    now = utcnow()
    await add_signal(account, member, "topic_created", now - timedelta(days=2))
    await add_signal(account, member, "webinar_attended", now - timedelta(days=4), 60)
    await put_snapshot(account, now.date() - timedelta(days=30), 70.0, "green")
    await put_snapshot(account, now.date() - timedelta(days=200), 10.0, "red")  # too old
    await recompute_scores(settings, snapshot=True)
    await sign_in_as(client, "csm")

    response = await client.api("GET", f"/api/v1/accounts/{account.id}/score")
    assert response.status_code == 200, response.text
    body = response.json()
    detail = AccountScoreDetail.model_validate(body)
    assert detail.account_id == account.id and detail.account_name == "詳細商事"
    assert detail.recommended_tier == "high" and detail.assigned_tier == "low"
    assert detail.baseline_score == 70.0
    assert detail.history[0].score == 70.0
    assert len(detail.history) == 2 and detail.history[-1].day == now.date()
    assert {s.kind for s in detail.top_signals} == {"topic_created", "webinar_attended"}
    assert 0 <= detail.score <= 100 and detail.band in ("red", "yellow", "green")
    assert set(body) == set(AccountScoreDetail.model_fields)


async def test_unknown_or_unscored_account_is_404_problem(client, settings):
    await sign_in_as(client, "csm")
    response = await client.api("GET", "/api/v1/accounts/424242/score")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 404 and problem["detail"]
    fresh = await make_account()
    response = await client.api("GET", f"/api/v1/accounts/{fresh.id}/score")
    assert response.status_code == 404
    assert "スコア" in response.json()["detail"]
    huge = await client.api("GET", "/api/v1/accounts/99999999999/score")
    assert huge.status_code == 404


async def test_list_filters_and_pages(client, settings):
    csm = await sign_in_as(client, "csm")
    ids = []
    for n in range(5):
        account = await make_account(
            f"一覧{n}", touch_tier="high" if n % 2 else "tech", owner_id=csm.id if n < 2 else None
        )
        await put_score(account, 10.0 + 20 * n, "red" if n < 2 else "green")
        ids.append(account.id)
    unscored = await make_account("未計算")

    everything = AccountScoreList.model_validate(
        (await client.api("GET", "/api/v1/engagement/accounts")).json()
    )
    assert [i.account_id for i in everything.items] == ids  # ascending id, scored only
    assert unscored.id not in [i.account_id for i in everything.items]
    assert everything.next_cursor is None

    first = (await client.api("GET", "/api/v1/engagement/accounts?limit=2")).json()
    assert [i["account_id"] for i in first["items"]] == ids[:2]
    second = await client.api(
        "GET", f"/api/v1/engagement/accounts?limit=2&cursor={first['next_cursor']}"
    )
    assert [i["account_id"] for i in second.json()["items"]] == ids[2:4]

    red = (await client.api("GET", "/api/v1/engagement/accounts?band=red")).json()
    assert [i["account_id"] for i in red["items"]] == ids[:2]
    high = (await client.api("GET", "/api/v1/engagement/accounts?tier=high")).json()
    assert [i["account_id"] for i in high["items"]] == [ids[1], ids[3]]
    owned = (await client.api("GET", f"/api/v1/engagement/accounts?owner={csm.id}")).json()
    assert [i["account_id"] for i in owned["items"]] == ids[:2]

    for bad in ("band=purple", "limit=0", "limit=1000", "cursor=abc", "tier=mega"):
        response = await client.api("GET", f"/api/v1/engagement/accounts?{bad}")
        assert response.status_code == 400, bad
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_schema_is_documented(client, settings):
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/v1/accounts/{account_id}/score" in schema["paths"]
    assert "/api/v1/engagement/accounts" in schema["paths"]
    assert "AccountScoreDetail" in str(schema["components"]["schemas"])


async def test_a_cursor_beyond_any_id_is_refused_not_an_error(client, settings):
    """Issue 12 (fuzzing on PostgreSQL): cursor=3010728958 overflowed the integer column: 500."""
    from tests.support import sign_in_as

    await sign_in_as(client, "csm")
    response = await client.api("GET", "/api/v1/engagement/accounts?cursor=3010728958")
    assert response.status_code == 422, response.text
    empty = await client.api("GET", "/api/v1/engagement/accounts?cursor=")
    assert empty.status_code == 200  # an empty cursor is the first page
