"""Self sign-up by email domain: allowed when the account allows it, refused otherwise."""

from __future__ import annotations

from accounts.auth import SIGNUP_PURPOSE
from accounts.tables import Member
from core.security import sign
from tests.conftest import link_in
from tests.factories import make_account, make_member
from tests.support import Mailbox, subject_of

PASSWORD = "signup-password-123"
REFUSED = "このメールアドレスのドメインでは自分で登録できません"


async def test_sign_up_with_an_allowed_domain(client, mailbox, run_jobs, settings):
    account = await make_account("株式会社さくら", domains="sakura.example", allow_self_signup=True)
    page = await client.get("/signup")
    assert page.status_code == 200
    response = await client.post_form(
        "/signup", {"email": "Hanako@Sakura.example", "display_name": "佐々木 花子"}
    )
    assert response.status_code == 200
    assert "にメールを送りました" in response.text
    assert "hanako@sakura.example" in response.text.lower()
    await run_jobs()
    messages = mailbox.to("hanako@sakura.example")
    assert len(messages) == 1
    text = Mailbox.text_of(messages[0])
    assert "株式会社さくら" in text
    link = link_in(text, "/signup/complete")

    complete = await client.get(link)
    assert complete.status_code == 200
    assert "hanako@sakura.example" in complete.text
    response = await client.post_form(
        "/signup/complete",
        {"token": link.split("token=", 1)[1], "password": PASSWORD, "password_confirm": PASSWORD},
    )
    assert response.status_code == 303
    me = (await client.get("/api/v1/me")).json()
    assert me["email"] == "hanako@sakura.example"
    assert me["display_name"] == "佐々木 花子"
    assert me["account_id"] == account.id and me["role"] == "customer"
    replay = await client.post_form(
        "/signup/complete",
        {"token": link.split("token=", 1)[1], "password": PASSWORD, "password_confirm": PASSWORD},
    )
    assert replay.status_code == 409
    assert "このメールアドレスのメンバーはすでに存在します" in replay.text
    assert await Member.count().where(Member.email == "hanako@sakura.example") == 1


async def test_sign_up_refused_when_the_account_does_not_allow_it(
    client, mailbox, run_jobs, settings
):
    await make_account("閉じた株式会社", domains="closed.example", allow_self_signup=False)
    for email in ("someone@closed.example", "someone@unknown.example"):
        response = await client.post_form("/signup", {"email": email, "display_name": "誰か"})
        assert response.status_code == 403
        assert REFUSED in response.text
    await run_jobs()
    assert mailbox.messages == []
    assert await Member.count() == 0


async def test_a_sign_up_link_is_refused_once_the_account_stops_allowing_it(client, settings):
    account = await make_account(domains="later.example", allow_self_signup=True)
    token = sign(
        settings.resolved_secret_key(),
        SIGNUP_PURPOSE,
        {"e": "a@later.example", "n": "A", "a": account.id, "l": "ja"},
    )
    from accounts.services import save_account

    await save_account(account.id, {"name": account.name, "allow_self_signup": False}, [])
    response = await client.post_form(
        "/signup/complete", {"token": token, "password": PASSWORD, "password_confirm": PASSWORD}
    )
    assert response.status_code == 403
    assert "このメールアドレスのドメインでは、自分で登録できなくなりました" in response.text
    assert await Member.count() == 0


async def test_signing_up_again_emails_the_existing_member(client, mailbox, run_jobs, settings):
    account = await make_account(domains="again.example", allow_self_signup=True)
    await make_member(account, email="me@again.example")
    response = await client.post_form("/signup", {"email": "me@again.example", "display_name": "x"})
    assert response.status_code == 200
    await run_jobs()
    (message,) = mailbox.to("me@again.example")
    assert subject_of(message) == "すでにKizunaのアカウントがあります"
    assert link_in(Mailbox.text_of(message), "/password/forgot")
    assert await Member.count() == 1


async def test_bad_sign_up_input_is_refused(client, settings):
    response = await client.post_form("/signup", {"email": "not-an-email", "display_name": ""})
    assert response.status_code == 400
    assert "有効なメールアドレスを入力してください" in response.text
    assert 'id="e-display_name"' in response.text
    page = await client.get("/signup/complete?token=broken")
    assert page.status_code == 400
    assert "この登録リンクは無効です" in page.text
