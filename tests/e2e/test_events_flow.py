"""Browser: a CSM creates a mokumoku-kai with 2 seats; three customers register (the third is
waitlisted); one cancels and the third is promoted; the CSM checks one in from the roster."""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import new_japanese_context, sign_in

pytestmark = pytest.mark.e2e

CSM = "csm@kizuna.example"
FIRST = "yamada@sakura-tech.example"  # 山田 太郎
SECOND = "tanaka@minato-logi.example"  # 田中 美咲
THIRD = "kobayashi@hokuto-foods.example"  # 小林 由美
TITLE = "E2E 年末もくもく会"


def _screenshot(page: Any, name: str) -> None:
    """Kept for the README when KIZUNA_SCREENSHOT_DIR names a directory."""
    directory = os.environ.get("KIZUNA_SCREENSHOT_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(directory) / name), full_page=True)


def _create_event(page: Any, base: str) -> str:
    sign_in(page, base, CSM)
    page.goto(f"{base}/staff/events/new")
    starts = datetime.now(ZoneInfo("Asia/Tokyo")).replace(hour=19, minute=0) + timedelta(days=5)
    page.check("input[name=kind][value=mokumoku]")
    page.fill("input[name=title]", TITLE)
    page.fill("textarea[name=description]", "ノートPCをお持ちください。")
    page.fill("input[name=starts_at]", starts.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=ends_at]", (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=venue]", "Kizuna 大阪オフィス")
    page.fill("input[name=capacity]", "2")
    _screenshot(page, "events-new.png")
    page.click("button[name=action][value=publish]")
    page.wait_for_url(re.compile(re.escape(base) + r"/events/\d+$"))
    assert "イベントを保存しました" in page.inner_text("main")
    assert "定員 2 名・残り 2 席" in page.inner_text("main")
    return page.url


def _register(browser: Any, base: str, url: str, email: str) -> tuple[Any, Any]:
    context = new_japanese_context(browser)
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, base, email)
    page.goto(url)
    page.click(f"form[action='{url.removeprefix(base)}/register'] button[type=submit]")
    page.wait_for_url(url)
    return context, page


def test_register_waitlist_promote_and_check_in(
    live_server: str, browser: Any, browser_page: Any
) -> None:
    base = live_server
    staff = browser_page
    url = _create_event(staff, base)
    path = url.removeprefix(base)

    contexts = []
    try:
        first_ctx, first = _register(browser, base, url, FIRST)
        contexts.append(first_ctx)
        assert "参加が確定しました" in first.inner_text("main")
        second_ctx, second = _register(browser, base, url, SECOND)
        contexts.append(second_ctx)
        assert "参加が確定しました" in second.inner_text("main")
        third_ctx, third = _register(browser, base, url, THIRD)
        contexts.append(third_ctx)
        assert "補欠（キャンセル待ち）として受け付けました（1 番目）" in third.inner_text("main")
        assert "補欠（キャンセル待ち） 1 番目" in third.inner_text(".registration-box")
        _screenshot(third, "events-waitlisted.png")

        # The first cancels: the third is promoted at once.
        first.click(f"form[action='{path}/cancel'] button[type=submit]")
        first.wait_for_url(url)
        assert "参加申込をキャンセルしました" in first.inner_text("main")
        third.reload()
        assert "参加確定" in third.inner_text(".registration-box")
        assert third.locator(".attendance-panel").count() == 1  # the check-in code panel

        # The CSM checks the second registrant in from the roster.
        staff.goto(f"{base}{path}")
        staff.click("a[href$='/roster']")
        staff.wait_for_url(re.compile(r".*/roster$"))
        assert staff.inner_text("[data-count=confirmed]") == "2"
        assert staff.inner_text("[data-count=cancelled]") == "1"
        row = staff.locator("tr[data-status=confirmed]", has_text="田中 美咲")
        row.locator(
            f"form[action*='{path.replace('/events/', '/staff/events/')}/roster/'] "
            "button[type=submit]",
            has_text="受付する",
        ).click()
        staff.wait_for_url(re.compile(r".*/roster$"))
        assert "受付しました" in staff.inner_text("main")
        row = staff.locator("tr[data-status=confirmed]", has_text="田中 美咲")
        assert "出席" in row.inner_text()
        assert staff.inner_text("[data-count=attended]") == "1"
        _screenshot(staff, "events-roster.png")
    finally:
        for context in contexts:
            context.close()
