"""Browser: a demo customer signs in, sees the Japanese home page, and switches to English."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import sign_in

CUSTOMER = "yamada@sakura-tech.example"


def test_customer_sees_japanese_home_and_switches_to_english(
    live_server: str, browser_page: Any
) -> None:
    page = browser_page
    page.goto(f"{live_server}/login")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert "ログイン" in page.content()

    sign_in(page, live_server, CUSTOMER)
    assert page.locator("html").get_attribute("lang") == "ja"
    heading = page.locator("h1").first.inner_text()
    assert "ようこそ" in heading
    assert "山田 太郎" in heading
    assert "株式会社さくらテック" in page.content()
    assert "Sign out" not in page.content()

    page.click("button[name=locale][value=en]")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert "Welcome, 山田 太郎" in page.locator("h1").first.inner_text()
    assert "Sign out" in page.content()

    # The choice is the member's preference: it survives a reload and a new sign-in.
    page.reload()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Welcome, 山田 太郎" in page.locator("h1").first.inner_text()
    page.context.clear_cookies()
    sign_in(page, live_server, CUSTOMER)
    assert page.locator("html").get_attribute("lang") == "en"


def test_anonymous_visitor_gets_english_from_the_browser(live_server: str, browser: Any) -> None:
    context = browser.new_context(locale="en-US", timezone_id="Asia/Tokyo")
    try:
        page = context.new_page()
        page.goto(f"{live_server}/login")
        assert page.locator("html").get_attribute("lang") == "en"
        assert "Sign in" in page.content()
    finally:
        context.close()
