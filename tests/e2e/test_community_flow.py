"""Browser: a question in Japanese, a reply from another customer, the accepted answer, search."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

ADMIN = "admin@kizuna.example"
ASKER = "yamada@sakura-tech.example"  # 株式会社さくらテック
ANSWERER = "tanaka@minato-logi.example"  # みなと物流株式会社
TITLE = "請求書の発行方法を教えてください"


def _sign_out(page: Any) -> None:
    page.click("form[action='/logout'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/login.*"))


def _screenshot(page: Any, name: str) -> None:
    """Kept for the README when KIZUNA_SCREENSHOT_DIR names a directory."""
    directory = os.environ.get("KIZUNA_SCREENSHOT_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(directory) / name), full_page=True)


def _open_category(page: Any, base: str) -> None:
    """An admin opens the forum's first category."""
    sign_in(page, base, ADMIN)
    page.goto(f"{base}/community/categories")
    page.fill("input[name=name]", "使い方の質問")
    page.fill("textarea[name=description]", "製品の使い方について質問しましょう")
    page.click("form[action='/community/categories/'] button[type=submit]")
    page.wait_for_url(f"{base}/community/categories")
    _sign_out(page)


def _ask(page: Any, base: str) -> str:
    """A customer asks in Japanese, previewing first (in place, by script); the topic's URL."""
    sign_in(page, base, ASKER)
    page.goto(f"{base}/community/new")
    page.check("input[name=kind][value=question]")
    page.fill("input[name=title]", TITLE)
    question = "**至急**です。請求書をPDFで発行したいのですが、どこから操作しますか？"
    page.fill("textarea[name=body]", question)
    page.click("[data-preview-button]")
    page.wait_for_selector("[data-preview-target] strong")
    assert page.inner_text("[data-preview-target] strong") == "至急"
    assert "/community/new" in page.url  # the preview did not leave the page
    page.click("button[name=action][value=post]")
    page.wait_for_url(re.compile(r".*/community/t/\d+$"))
    assert page.inner_text("h1") == TITLE
    topic_url = str(page.url)
    _sign_out(page)
    return topic_url


def _answer(page: Any, base: str, topic_url: str) -> None:
    """A customer of another company replies."""
    sign_in(page, base, ANSWERER)
    page.goto(topic_url)
    page.fill("textarea[name=body]", "管理画面の「請求」メニューからPDFを発行できます。")
    page.click("button[name=action][value=post]")
    page.wait_for_selector("#post-2")
    assert "PDFを発行できます" in page.inner_text("#post-2")
    _sign_out(page)


def test_question_answer_accept_and_search(live_server: str, browser_page: Any) -> None:
    base, page = live_server, browser_page
    _open_category(page, base)
    topic_url = _ask(page, base)
    _answer(page, base, topic_url)

    # The asker accepts the reply: the topic shows solved and the answer under the question.
    sign_in(page, base, ASKER)
    page.goto(topic_url)
    page.click("#post-2 form[action$='/accept'] button")
    page.wait_for_selector(".accepted-answer")
    assert "解決済み" in page.inner_text(".topic-header")
    assert "PDFを発行できます" in page.inner_text(".accepted-answer")
    _screenshot(page, "community-topic.png")

    # The topic list shows it solved; searching a two-character Japanese word finds it.
    page.goto(f"{base}/community")
    row = page.locator(".topic-row", has_text=TITLE)
    assert "解決済み" in row.inner_text()
    _screenshot(page, "community-topic-list.png")
    page.fill("#q", "請求")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r".*/community/search\?q=.*"))
    assert TITLE in page.inner_text(".search-results")
    assert page.locator(".search-results mark").first.inner_text() == "請求"
