"""Password reset by emailed link: the new password works, the old does not, the link works once."""

from __future__ import annotations

from tests.conftest import link_in
from tests.factories import PASSWORD, make_account, make_member
from tests.support import Mailbox, subject_of

NEW_PASSWORD = "a-brand-new-password"


async def test_password_reset_by_emailed_link(client, other_client, mailbox, run_jobs, settings):
    account = await make_account()
    await make_member(account, email="forgetful@example.com")
    assert (await client.get("/password/forgot")).status_code == 200
    response = await client.post_form("/password/forgot", {"email": "Forgetful@example.com"})
    assert response.status_code == 200
    await run_jobs()
    (message,) = mailbox.to("forgetful@example.com")
    assert subject_of(message) == "Kizunaのパスワードの再設定"
    link = link_in(Mailbox.text_of(message), "/password/reset")
    token = link.split("token=", 1)[1]

    assert (await client.get(link)).status_code == 200
    response = await client.post_form(
        "/password/reset",
        {"token": token, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert response.status_code == 303
    assert (await client.get("/api/v1/me")).json()["email"] == "forgetful@example.com"

    old = await other_client.post_form(
        "/login", {"email": "forgetful@example.com", "password": PASSWORD}
    )
    assert old.status_code == 400
    new = await other_client.post_form(
        "/login", {"email": "forgetful@example.com", "password": NEW_PASSWORD}
    )
    assert new.status_code == 303

    used = await other_client.get(link)
    assert used.status_code == 400
    assert "このリンクはすでに使われたか、無効です" in used.text
    replay = await other_client.post_form(
        "/password/reset",
        {
            "token": token,
            "password": "yet-another-password",
            "password_confirm": "yet-another-password",
        },
    )
    assert replay.status_code == 400
    assert "このリンクはすでに使われたか、無効です" in replay.text


async def test_unknown_address_gets_the_same_answer_and_no_email(
    client, mailbox, run_jobs, settings
):
    response = await client.post_form("/password/forgot", {"email": "nobody@example.com"})
    assert response.status_code == 200
    await run_jobs()
    assert mailbox.messages == []


async def test_short_new_password_is_refused(client, mailbox, run_jobs, settings):
    await make_member(await make_account(), email="short@example.com")
    await client.post_form("/password/forgot", {"email": "short@example.com"})
    await run_jobs()
    link = link_in(Mailbox.text_of(mailbox.to("short@example.com")[0]), "/password/reset")
    response = await client.post_form(
        "/password/reset",
        {"token": link.split("token=", 1)[1], "password": "short", "password_confirm": "short"},
    )
    assert response.status_code == 400
    assert "10文字以上で入力してください" in response.text
    login = await client.post_form("/login", {"email": "short@example.com", "password": PASSWORD})
    assert login.status_code == 303
