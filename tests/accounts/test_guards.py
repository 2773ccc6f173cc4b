"""Who may reach the staff directory, and what CSMs may not do there."""

from __future__ import annotations

import pytest

from accounts.tables import Account, Invitation, Member
from tests.factories import make_account, make_member
from tests.support import sign_in_as

STAFF_PAGES = [
    "/staff/accounts",
    "/staff/accounts/new",
    "/staff/accounts/import",
    "/staff/members",
    "/staff/members/invite",
]


@pytest.mark.parametrize("path", STAFF_PAGES)
async def test_a_customer_cannot_reach_staff_pages(client, settings, path):
    await sign_in_as(client, "customer", await make_account())
    response = await client.get(path)
    assert response.status_code == 403
    assert "この操作を行う権限がありません" in response.text


async def test_a_customer_cannot_post_to_staff_forms(client, settings):
    account = await make_account("元の名前")
    await sign_in_as(client, "customer", account)
    response = await client.post_form(f"/staff/accounts/{account.id}/edit", {"name": "乗っ取り"})
    assert response.status_code == 403
    response = await client.post_form(f"/staff/accounts/{account.id}/deactivate")
    assert response.status_code == 403
    stored = await Account.objects().where(Account.id == account.id).first()
    assert stored.name == "元の名前" and stored.active


async def test_an_anonymous_visitor_is_sent_to_sign_in(client, settings):
    response = await client.get("/staff/members?role=csm", follow_redirects=False)
    assert response.status_code in (302, 303, 307)
    assert response.headers["location"] == "/login?next=/staff/members%3Frole%3Dcsm"
    api = await client.get("/api/v1/accounts")
    assert api.status_code == 401
    assert api.headers["content-type"].startswith("application/problem+json")


async def test_a_csm_cannot_invite_an_admin(client, mailbox, run_jobs, settings):
    await sign_in_as(client, "csm")
    page = await client.get("/staff/members/invite")
    assert 'value="admin"' not in page.text
    response = await client.post_form(
        "/staff/members/invite",
        {"email": "boss@kizuna.example", "display_name": "ボス", "role": "admin"},
    )
    assert response.status_code == 403
    assert "スタッフを招待できるのは管理者だけです" in response.text
    await run_jobs()
    assert mailbox.messages == []
    assert await Invitation.count() == 0


async def test_a_csm_cannot_promote_a_customer_or_edit_staff(client, settings):
    account = await make_account()
    await sign_in_as(client, "csm")
    customer = await make_member(account)
    admin = await make_member(role="admin", name="管理者")
    response = await client.post_form(
        f"/staff/members/{customer.id}/edit",
        {"display_name": "昇格", "role": "admin", "active": "1"},
    )
    assert response.status_code == 403
    assert "スタッフの変更やスタッフ権限の付与は管理者だけが行えます" in response.text
    assert (await client.get(f"/staff/members/{admin.id}/edit")).status_code == 403
    listing = await client.get("/staff/members")
    assert f"/staff/members/{customer.id}/edit" in listing.text
    assert f"/staff/members/{admin.id}/edit" not in listing.text
    deactivate = await client.post_form(f"/staff/members/{admin.id}/deactivate")
    assert deactivate.status_code == 403
    stored = await Member.objects().where(Member.id.is_in([customer.id, admin.id]))
    assert {m.id: (m.role, m.active) for m in stored} == {
        customer.id: ("customer", True),
        admin.id: ("admin", True),
    }


async def test_an_admin_cannot_lock_themselves_out(client, settings):
    me = await sign_in_as(client, "admin", name="管理者 本人")
    response = await client.post_form(
        f"/staff/members/{me.id}/edit", {"display_name": "管理者 本人", "role": "admin"}
    )
    assert response.status_code == 400
    assert "自分の役割の変更や自分の無効化はできません" in response.text
    assert (await client.get("/api/v1/me")).json()["active"] is True


async def test_staff_forms_without_the_csrf_token_are_rejected(client, settings):
    await sign_in_as(client, "admin")
    response = await client.raw.post("/staff/accounts/new", data={"name": "CSRF株式会社"})
    assert response.status_code == 403
    assert "フォームの有効期限が切れたか" in response.text
    forged = await client.raw.post(
        "/staff/accounts/new", data={"name": "CSRF株式会社", "_csrf_token": "forged"}
    )
    assert forged.status_code == 403
    assert await Account.count() == 0
