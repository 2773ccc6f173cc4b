"""Staff list, filter, invite, edit and deactivate members."""

from __future__ import annotations

from accounts.services import set_account_active
from accounts.tables import Invitation, Member
from tests.conftest import link_in
from tests.factories import PASSWORD, make_account, make_member
from tests.support import Mailbox, sign_in_as


async def test_members_are_filtered_by_account_role_and_search(client, settings):
    sakura = await make_account("さくら")
    minato = await make_account("みなと")
    await make_member(sakura, name="山田 太郎", email="yamada@sakura.example")
    await make_member(minato, name="田中 美咲", email="tanaka@minato.example")
    await sign_in_as(client, "csm", name="佐藤 CSM")
    everyone = await client.get("/staff/members")
    assert all(n in everyone.text for n in ("山田 太郎", "田中 美咲", "佐藤 CSM"))
    by_account = await client.get("/staff/members", params={"account_id": sakura.id})
    assert "山田 太郎" in by_account.text and "田中 美咲" not in by_account.text
    by_role = await client.get("/staff/members", params={"role": "csm", "account_id": ""})
    assert "佐藤 CSM" in by_role.text and "山田 太郎" not in by_role.text
    by_text = await client.get("/staff/members", params={"q": "TANAKA@"})
    assert "田中 美咲" in by_text.text and "山田 太郎" not in by_text.text


async def test_an_admin_invites_a_csm(client, other_client, mailbox, run_jobs, settings):
    await sign_in_as(client, "admin", name="管理者")
    response = await client.post_form(
        "/staff/members/invite",
        {"email": "new-csm@kizuna.example", "display_name": "新任 CSM", "role": "csm"},
    )
    assert response.status_code == 303
    listing = await client.get("/staff/members")
    assert "new-csm@kizuna.example" in listing.text and "管理者" in listing.text
    await run_jobs()
    link = link_in(Mailbox.text_of(mailbox.to("new-csm@kizuna.example")[0]), "/invitations/")
    token = link.split("token=", 1)[1]
    accepted = await other_client.post_form(
        "/invitations/accept",
        {
            "token": token,
            "display_name": "新任",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
    )
    assert accepted.status_code == 303
    me = (await other_client.get("/api/v1/me")).json()
    assert me["role"] == "csm" and me["account_id"] is None


async def test_invitation_input_is_checked(client, settings):
    closed = await make_account()
    await set_account_active(closed.id, False)
    await make_member(await make_account(), email="taken@example.com")
    await sign_in_as(client, "admin")
    cases = [
        ({"email": "bad", "role": "customer"}, 400, "有効なメールアドレスを入力してください"),
        ({"email": "a@example.com", "role": "customer"}, 400, "顧客メンバーには顧客企業が必要です"),
        ({"email": "taken@example.com", "role": "csm"}, 409, "このメールアドレスはすでに登録"),
        ({"email": "b@example.com", "account_id": closed.id}, 400, "この顧客企業は無効です"),
        ({"email": "c@example.com", "role": "owner"}, 400, "選択肢から選んでください"),
    ]
    for form, status, message in cases:
        response = await client.post_form("/staff/members/invite", form)
        assert response.status_code == status, (form, response.text)
        assert message in response.text, form
    assert await Invitation.count() == 0


async def test_staff_edit_a_member(client, settings):
    sakura = await make_account("さくら")
    minato = await make_account("みなと")
    member = await make_member(sakura, name="旧姓 花子")
    await sign_in_as(client, "csm")
    page = await client.get(f"/staff/members/{member.id}/edit")
    assert page.status_code == 200 and "旧姓 花子" in page.text
    response = await client.post_form(
        f"/staff/members/{member.id}/edit",
        {"display_name": "新姓 花子", "role": "customer", "account_id": minato.id, "active": "1"},
    )
    assert response.status_code == 303
    stored = await Member.objects().where(Member.id == member.id).first()
    assert (stored.display_name, stored.account, stored.active) == ("新姓 花子", minato.id, True)
    no_account = await client.post_form(
        f"/staff/members/{member.id}/edit",
        {"display_name": "新姓 花子", "role": "customer", "account_id": "", "active": "1"},
    )
    assert no_account.status_code == 400
    assert "顧客企業を選んでください" in no_account.text
    assert (await client.get("/staff/members/99999/edit")).status_code == 404


async def test_an_admin_makes_a_customer_staff(client, settings):
    member = await make_member(await make_account(), name="昇格 さん")
    await sign_in_as(client, "admin")
    response = await client.post_form(
        f"/staff/members/{member.id}/edit",
        {"display_name": "昇格 さん", "role": "csm", "account_id": "", "active": "1"},
    )
    assert response.status_code == 303
    stored = await Member.objects().where(Member.id == member.id).first()
    assert stored.role == "csm" and stored.account is None


async def test_a_deactivated_member_cannot_sign_in(client, other_client, settings):
    member = await make_member(await make_account(), email="leaving@example.com")
    await other_client.login(member.email, PASSWORD)
    await sign_in_as(client, "csm")
    response = await client.post_form(f"/staff/members/{member.id}/deactivate")
    assert response.status_code == 303
    assert (await other_client.get("/api/v1/me")).status_code == 401
    login = await other_client.post_form("/login", {"email": member.email, "password": PASSWORD})
    assert login.status_code == 400
    listing = await client.get("/staff/members", params={"q": "leaving"})
    assert "無効" in listing.text
    assert (await client.post_form("/staff/members/99999/deactivate")).status_code == 404
