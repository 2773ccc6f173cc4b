"""Sign-in, sign-out, wrong password, rate limit, guards and CSRF."""

from __future__ import annotations

from tests.factories import PASSWORD, make_account, make_member


async def test_sign_in_and_out(client, settings):
    account = await make_account()
    member = await make_member(account, email="yamada@example.co.jp", name="山田 太郎")
    response = await client.post_form(
        "/login", {"email": "Yamada@Example.co.jp", "password": PASSWORD}
    )
    assert response.status_code == 303
    page = await client.get("/")
    assert "山田 太郎" in page.text
    me = await client.get("/api/v1/me")
    assert me.json()["id"] == member.id
    response = await client.post_form("/logout")
    assert response.status_code == 303
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_wrong_password_is_refused_in_japanese(client, settings):
    account = await make_account()
    await make_member(account, email="a@example.com")
    response = await client.post_form("/login", {"email": "a@example.com", "password": "nope"})
    assert response.status_code == 400
    assert "メールアドレスまたはパスワードが正しくありません" in response.text
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_rate_limit_after_repeated_failures(client, settings):
    account = await make_account()
    await make_member(account, email="b@example.com")
    for _ in range(settings.signin_limit_per_address):
        response = await client.post_form("/login", {"email": "b@example.com", "password": "x"})
        assert response.status_code == 400
    response = await client.post_form("/login", {"email": "b@example.com", "password": PASSWORD})
    assert response.status_code == 429
    assert response.headers["retry-after"]


async def test_csrf_rejected_without_token(client, settings):
    await client.csrf_token()
    response = await client.raw.post("/login", data={"email": "x@example.com", "password": "y"})
    assert response.status_code == 403
    assert "フォーム" in response.text


async def test_anonymous_is_sent_to_sign_in(client, settings):
    response = await client.get("/settings", follow_redirects=False)
    assert response.status_code in (302, 303, 307)
    assert response.headers["location"].startswith("/login?next=")
