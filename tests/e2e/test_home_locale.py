"""Browser: a demo customer signs in, sees the Japanese home page, and switches to English."""

from __future__ import annotations

import re
from typing import Any

DEMO_PASSWORD = "kizuna-demo-2026"


def test_customer_sees_japanese_home_and_switches_to_english(
    live_server: str, browser_page: Any
) -> None:
    page = browser_page
    page.goto(f"{live_server}/login")
    assert page.locator("html").get_attribute("lang") == "ja"
    page.fill("input[name=email]", "yamada@sakura-tech.example")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))
    heading = page.locator("h1").first.inner_text()
    assert "山田 太郎" in heading
    assert "ようこそ" in heading
    assert "株式会社さくらテック" in page.content()

    page.click("button[name=locale][value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Welcome, 山田 太郎" in page.locator("h1").first.inner_text()

    page.reload()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Sign out" in page.content()
