"""Who sees which score: staff everything; a customer only their own account's score, and only
when an admin turned its self-view on; never another account's (404, as if it did not exist)."""

from __future__ import annotations

import pytest

from accounts.tables import Account
from tests.engagement.ui_helpers import put_score
from tests.factories import make_account
from tests.support import sign_in_as

STAFF_PAGES = [
    "/staff/engagement",
    "/staff/engagement/export.csv",
    "/staff/engagement/silent",
    "/staff/engagement/portfolio",
    "/staff/engagement/alerts",
    "/staff/engagement/config",
]


@pytest.mark.parametrize("path", STAFF_PAGES)
async def test_customer_cannot_open_staff_pages(client, settings, path):
    account = await make_account()
    await put_score(account, 50.0, "yellow")
    await sign_in_as(client, "customer", account)
    response = await client.get(path)
    assert response.status_code == 403
    assert "テスト株式会社" not in response.text


async def test_customer_cannot_open_an_account_page_or_the_list_api(client, settings):
    account = await make_account("自社株式会社")
    await put_score(account, 50.0, "yellow")
    await sign_in_as(client, "customer", account)
    assert (await client.get(f"/staff/engagement/accounts/{account.id}")).status_code == 403
    assert (await client.get("/api/v1/engagement/accounts")).status_code == 403


async def test_anonymous_visitor_is_sent_to_sign_in(client, settings):
    response = await client.get("/staff/engagement")
    assert response.status_code in (302, 303)
    assert response.headers["location"].startswith("/login?next=")
    assert (await client.get("/api/v1/engagement/accounts")).status_code == 401
    assert (await client.get("/engagement/my-account")).status_code in (302, 303)


async def test_self_view_off_by_default(client, settings):
    account = await make_account()
    await put_score(account, 63.4, "yellow")
    await sign_in_as(client, "customer", account)
    assert (await client.get("/engagement/my-account")).status_code == 404
    response = await client.api("GET", f"/api/v1/accounts/{account.id}/score")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    home = await client.get("/")
    assert "/engagement/my-account" not in home.text and "engagement-home" not in home.text


async def test_self_view_on_shows_only_the_own_account(client, other_client, settings):
    mine = await make_account("自社株式会社")
    other = await make_account("他社株式会社")
    await put_score(mine, 63.4, "yellow")
    await put_score(other, 12.3, "red")
    admin = await sign_in_as(other_client, "admin")
    assert admin.is_admin
    response = await other_client.post_form(
        f"/staff/engagement/accounts/{mine.id}/self-view", {"enabled": "1"}
    )
    assert response.status_code == 303
    await other_client.post_form(
        f"/staff/engagement/accounts/{other.id}/self-view", {"enabled": "1"}
    )

    await sign_in_as(client, "customer", mine)
    page = await client.get("/engagement/my-account")
    assert page.status_code == 200
    assert "63.4" in page.text and "自社株式会社" in page.text
    assert 'role="img"' in page.text and "12.3" not in page.text
    own = await client.api("GET", f"/api/v1/accounts/{mine.id}/score")
    assert own.status_code == 200 and own.json()["score"] == 63.4
    # Another account, even with its own self-view on, answers like an unknown one.
    foreign = await client.api("GET", f"/api/v1/accounts/{other.id}/score")
    unknown = await client.api("GET", "/api/v1/accounts/999999/score")
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json()["detail"] == unknown.json()["detail"]
    assert "他社" not in foreign.text
    # The home page links to the own score (its value moves: visits are signals too).
    assert 'href="/engagement/my-account"' in (await client.get("/")).text

    # Turned off again: gone.
    await other_client.post_form(
        f"/staff/engagement/accounts/{mine.id}/self-view", {"enabled": "0"}
    )
    assert (await client.get("/engagement/my-account")).status_code == 404
    assert (await client.api("GET", f"/api/v1/accounts/{mine.id}/score")).status_code == 404


async def test_only_admins_switch_the_self_view(client, settings):
    account = await make_account()
    await sign_in_as(client, "csm")
    response = await client.post_form(
        f"/staff/engagement/accounts/{account.id}/self-view", {"enabled": "1"}
    )
    assert response.status_code == 403
    stored = await Account.objects().where(Account.id == account.id).first()
    assert stored is not None and not stored.score_self_view
    page = await client.get(f"/staff/engagement/accounts/{account.id}")
    assert "/self-view" not in page.text


async def test_staff_see_every_account_score(client, settings):
    account = await make_account()
    await put_score(account, 44.0, "yellow")
    await sign_in_as(client, "csm")
    response = await client.api("GET", f"/api/v1/accounts/{account.id}/score")
    assert response.status_code == 200


async def test_customer_cannot_close_alerts(client, settings):
    from engagement.tables import ScoreAlert

    account = await make_account()
    [alert] = await ScoreAlert.insert(
        ScoreAlert(account=account.id, kind="red", score=10.0)
    ).returning(ScoreAlert.id)
    await sign_in_as(client, "customer", account)
    response = await client.post_form(f"/staff/engagement/alerts/{alert['id']}/close", {})
    assert response.status_code == 403
    row = await ScoreAlert.objects().where(ScoreAlert.id == alert["id"]).first()
    assert row is not None and row.closed_at is None
