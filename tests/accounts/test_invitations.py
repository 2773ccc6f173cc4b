"""Invitations: staff invite by email, the link sets the password once, within its lifetime."""

from __future__ import annotations

import time
from datetime import timedelta

from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from accounts.auth import INVITATION_PURPOSE, invite_member
from accounts.queries import pending_invitations
from accounts.tables import Invitation, Member
from core.security import sign
from core.timeutil import utcnow
from tests.conftest import link_in
from tests.factories import make_account, make_member
from tests.support import Mailbox, sign_in_as, subject_of

NEW_PASSWORD = "new-member-password-1"
EXPIRED = "この招待は有効期限が切れています"
USED = "この招待はすでに使われています"


async def _invite(client, mailbox, run_jobs, account, email="new@sakura.example") -> str:
    response = await client.post_form(
        "/staff/members/invite",
        {"email": email, "display_name": "新人 花子", "role": "customer", "account_id": account.id},
    )
    assert response.status_code == 303, response.text
    await run_jobs()
    messages = mailbox.to(email)
    assert len(messages) == 1
    assert "Kizunaに招待されました" in subject_of(messages[0])
    return link_in(Mailbox.text_of(messages[0]), "/invitations/accept")


def _token(link: str) -> str:
    return link.split("token=", 1)[1]


async def test_invitation_accepted_signs_the_member_in(
    client, other_client, mailbox, run_jobs, settings
):
    account = await make_account("株式会社さくら")
    await sign_in_as(client, "csm")
    link = await _invite(client, mailbox, run_jobs, account)
    pending = await client.get("/staff/members")
    assert "new@sakura.example" in pending.text

    page = await other_client.get(link)
    assert page.status_code == 200
    assert "new@sakura.example" in page.text and "新人 花子" in page.text
    response = await other_client.post_form(
        "/invitations/accept",
        {
            "token": _token(link),
            "display_name": "新人 花子",
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 303
    me = (await other_client.get("/api/v1/me")).json()
    assert me["email"] == "new@sakura.example"
    assert me["role"] == "customer" and me["account_id"] == account.id
    assert "ようこそ" in (await other_client.get("/")).text
    assert await pending_invitations() == []
    listed = await client.get("/staff/members")
    assert "招待待ちはありません" in listed.text


async def test_mismatched_passwords_leave_the_invitation_usable(
    client, other_client, mailbox, run_jobs, settings
):
    account = await make_account()
    await sign_in_as(client, "admin")
    link = await _invite(client, mailbox, run_jobs, account)
    response = await other_client.post_form(
        "/invitations/accept",
        {
            "token": _token(link),
            "display_name": "x",
            "password": NEW_PASSWORD,
            "password_confirm": "something-else-1",
        },
    )
    assert response.status_code == 400
    assert "2つのパスワードが一致しません" in response.text
    assert not await Member.exists().where(Member.email == "new@sakura.example")
    assert (await other_client.get(link)).status_code == 200


async def test_a_used_invitation_is_refused(client, other_client, mailbox, run_jobs, settings):
    account = await make_account()
    await sign_in_as(client, "admin")
    link = await _invite(client, mailbox, run_jobs, account)
    form = {
        "token": _token(link),
        "display_name": "新人",
        "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD,
    }
    assert (await other_client.post_form("/invitations/accept", form)).status_code == 303
    await other_client.post_form("/logout")

    again = await other_client.get(link)
    assert again.status_code == 409
    assert USED in again.text
    replay = await other_client.post_form("/invitations/accept", form)
    assert replay.status_code == 409
    assert USED in replay.text
    assert await Member.count().where(Member.email == "new@sakura.example") == 1


async def test_an_invitation_signed_too_long_ago_is_refused(other_client, settings):
    account = await make_account()
    inviter = await make_member(role="admin")
    invitation = await invite_member(
        email="late@example.com",
        display_name="",
        role="customer",
        account_id=account.id,
        invited_by=inviter,
        settings=settings,
    )
    past = int(time.time()) - settings.invitation_max_age_seconds - 60

    class SignedInThePast(TimestampSigner):
        def get_timestamp(self) -> int:
            return past

    token = URLSafeTimedSerializer(
        settings.resolved_secret_key(),
        salt=f"kizuna.{INVITATION_PURPOSE}",
        signer=SignedInThePast,
    ).dumps({"i": invitation.id})
    page = await other_client.get(f"/invitations/accept?token={token}")
    assert page.status_code == 400
    assert EXPIRED in page.text
    response = await other_client.post_form(
        "/invitations/accept",
        {
            "token": token,
            "display_name": "遅刻",
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400
    assert EXPIRED in response.text
    assert not await Member.exists().where(Member.email == "late@example.com")


async def test_an_invitation_past_its_expiry_date_is_refused(other_client, settings):
    account = await make_account()
    inviter = await make_member(role="admin")
    invitation = await invite_member(
        email="late2@example.com",
        display_name="",
        role="customer",
        account_id=account.id,
        invited_by=inviter,
        settings=settings,
    )
    await Invitation.update({Invitation.expires_at: utcnow() - timedelta(minutes=1)}).where(
        Invitation.id == invitation.id
    )
    token = sign(settings.resolved_secret_key(), INVITATION_PURPOSE, {"i": invitation.id})
    page = await other_client.get(f"/invitations/accept?token={token}")
    assert page.status_code == 400
    assert EXPIRED in page.text
    response = await other_client.post_form(
        "/invitations/accept",
        {
            "token": token,
            "display_name": "遅刻",
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400
    assert EXPIRED in response.text
    assert not await Member.exists().where(Member.email == "late2@example.com")


async def test_a_tampered_invitation_link_is_refused(other_client, settings):
    token = sign(settings.resolved_secret_key(), INVITATION_PURPOSE, {"i": 1})
    page = await other_client.get(f"/invitations/accept?token={token[:-2]}xx")
    assert page.status_code == 400
    assert "この招待リンクは無効です" in page.text
    missing = sign(settings.resolved_secret_key(), INVITATION_PURPOSE, {"i": 999})
    assert (
        "この招待リンクは無効です"
        in (await other_client.get(f"/invitations/accept?token={missing}")).text
    )


async def test_the_optional_name_may_be_left_blank(client, settings):
    """Issue 12: "名前（任意）" left empty was refused as required (blank fields became None)."""
    account = await make_account("株式会社任意")
    await sign_in_as(client, "csm")
    form = await client.get("/staff/members/invite")
    assert "名前（任意）" in form.text
    response = await client.post_form(
        "/staff/members/invite",
        {
            "email": "noname@nini.example",
            "display_name": "",
            "role": "customer",
            "account_id": account.id,
        },
    )
    assert response.status_code == 303, response.text
    [invitation] = await Invitation.select().where(Invitation.email == "noname@nini.example")
    assert invitation["display_name"] == ""
    required = await client.post_form(
        "/staff/members/invite", {"email": "", "role": "customer", "account_id": account.id}
    )
    assert required.status_code == 400 and "この項目は必須です" in required.text
