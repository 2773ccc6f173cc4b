"""Browser: a CSM logs a 1:1 meeting with homework on an account; the customer sees the
homework on the home page and marks it done; the CSM sees it done on the touch, and the
account's hybrid mix moves (digital touch appears in this month's bar)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import new_japanese_context, sign_in

pytestmark = pytest.mark.e2e

CSM = "csm@kizuna.example"
CUSTOMER = "ito@minato-logi.example"  # 伊藤 翔, みなと物流株式会社
ACCOUNT = "みなと物流株式会社"
HOMEWORK = "CSV インポート準備チェックリスト"


def _account_page(page: Any, base: str) -> str:
    page.goto(f"{base}/staff/engagement")
    page.click(f"a:text-is('{ACCOUNT}')")
    page.wait_for_url(re.compile(r".*/staff/engagement/accounts/\d+$"))
    return page.url


def _mix(page: Any) -> tuple[str, float]:
    """(the human share shown, this month's digital bar height)."""
    share = page.inner_text("#human-share")
    height = page.eval_on_selector_all(
        ".mix-chart rect.bar-digital",
        "bars => parseFloat(bars[bars.length - 1].getAttribute('height'))",
    )
    return share, float(height)


def test_a_meeting_with_homework_moves_the_mix(live_server: str, browser: Any) -> None:
    base = live_server
    csm_context = new_japanese_context(browser)
    csm = csm_context.new_page()
    sign_in(csm, base, CSM)
    account_url = _account_page(csm, base)
    share_before, digital_before = _mix(csm)

    csm.click("a:text-is('タッチ記録を残す')")
    when = datetime.now(ZoneInfo("Asia/Tokyo")) - timedelta(hours=1)
    csm.fill("input[name=occurred_at]", when.strftime("%Y-%m-%dT%H:%M"))
    csm.fill("input[name=duration_minutes]", "30")
    csm.fill("input[name=title]", "E2E 運用相談")
    csm.check("label:has-text('伊藤 翔') >> input[name=participant_ids]")
    csm.fill("textarea[name=notes]", "CSV の取り込みで**つまずいている**とのこと。")
    option = csm.locator("select[name=homework_items] option", has_text=HOMEWORK).first
    csm.select_option("select[name=homework_items]", value=option.get_attribute("value"))
    csm.click("button:text-is('タッチ記録を保存')")
    csm.wait_for_url(re.compile(r".*/staff/success/touches/\d+$"))
    touch_url = csm.url
    assert "タッチ記録を保存しました" in csm.inner_text("main")
    assert "未完了" in csm.inner_text("#homework")

    customer_context = new_japanese_context(browser)
    customer = customer_context.new_page()
    sign_in(customer, base, CUSTOMER)
    homework = customer.locator(".homework-home li", has_text=HOMEWORK).first
    assert "期限" in homework.inner_text()
    homework.locator("button:text-is('完了にする')").click()
    customer.wait_for_url(f"{base}/")
    assert "宿題を完了にしました" in customer.inner_text("main")
    assert "完了" in customer.locator(".homework-home li", has_text=HOMEWORK).first.inner_text()

    csm.goto(touch_url)
    row = csm.locator("#homework tr", has_text="伊藤 翔")
    assert "完了" in row.inner_text() and "未完了" not in row.inner_text()
    csm.goto(account_url)
    share_after, digital_after = _mix(csm)
    assert digital_after > digital_before
    assert share_after != share_before
    csm_context.close()
    customer_context.close()
