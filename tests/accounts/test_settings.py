"""The member's own settings page: profile, language, time zone, password change."""

from __future__ import annotations

from accounts.tables import Member
from tests.factories import PASSWORD, make_account
from tests.support import sign_in_as

NEW_PASSWORD = "settings-new-password"


async def test_profile_is_shown_and_saved(client, settings):
    me = await sign_in_as(client, "customer", await make_account(), name="設定 太郎")
    page = await client.get("/settings")
    assert page.status_code == 200
    assert 'value="設定 太郎"' in page.text and "タイムゾーン" in page.text
    response = await client.post_form(
        "/settings",
        {
            "display_name": "設定 次郎",
            "locale": "en",
            "timezone": "Europe/London",
            "email_notifications": "1",
        },
    )
    assert response.status_code == 303
    stored = await Member.objects().where(Member.id == me.id).first()
    assert (stored.display_name, stored.locale, stored.timezone) == (
        "設定 次郎",
        "en",
        "Europe/London",
    )
    assert stored.email_notifications and not stored.reengagement_opt_out
    english = await client.get("/settings")
    # Issue 12: translated when shown, in the language just chosen (it was Japanese).
    assert "Your settings have been saved." in english.text
    assert "設定を保存しました" not in english.text
    assert 'lang="en"' in english.text and "Time zone" in english.text


async def test_bad_profile_input_is_refused(client, settings):
    me = await sign_in_as(client, "customer", await make_account(), name="元の名前")
    response = await client.post_form(
        "/settings", {"display_name": "x" * 101, "timezone": "Mars/Olympus"}
    )
    assert response.status_code == 400
    assert "100文字以内で入力してください" in response.text
    assert "有効なタイムゾーンを選んでください" in response.text
    stored = await Member.objects().where(Member.id == me.id).first()
    assert stored.display_name == "元の名前"


async def test_password_change_needs_the_current_password(client, other_client, settings):
    me = await sign_in_as(client, "csm")
    wrong = await client.post_form(
        "/settings/password",
        {"current_password": "wrong", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert wrong.status_code == 400
    assert "現在のパスワードが正しくありません" in wrong.text
    mismatch = await client.post_form(
        "/settings/password",
        {"current_password": PASSWORD, "password": NEW_PASSWORD, "password_confirm": "other-one"},
    )
    assert mismatch.status_code == 400
    assert "2つのパスワードが一致しません" in mismatch.text
    assert (await other_client.login(me.email, PASSWORD)).status_code == 303
    await other_client.post_form("/logout")

    done = await client.post_form(
        "/settings/password",
        {"current_password": PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert done.status_code == 303
    old = await other_client.post_form("/login", {"email": me.email, "password": PASSWORD})
    assert old.status_code == 400
    assert (await other_client.login(me.email, NEW_PASSWORD)).status_code == 303


async def test_staff_see_the_directory_in_the_header_and_customers_do_not(
    client, other_client, settings
):
    await sign_in_as(client, "csm")
    page = await client.get("/settings")
    assert 'href="/staff/accounts"' in page.text and 'href="/staff/members"' in page.text
    await sign_in_as(other_client, "customer", await make_account())
    customer_page = await other_client.get("/settings")
    assert 'href="/staff/accounts"' not in customer_page.text
