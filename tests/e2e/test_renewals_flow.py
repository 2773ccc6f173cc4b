"""Browser: an admin imports a renewal CSV (Shift_JIS, as Excel in Japan saves it), opens the
backtest on the demo's two years of renewals, reads the rates per band and the AUC, and
applies the suggested weights as a new scoring version."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

ADMIN = "admin@kizuna.example"
ACCOUNT = "株式会社さくらテック"


def test_import_renewals_then_backtest_and_apply(live_server: str, browser_page: Any) -> None:
    page, base = browser_page, live_server
    sign_in(page, base, ADMIN)
    day = (date.today() - timedelta(days=1)).isoformat()
    csv = f'会社名,更新日,結果,更新前ARR,更新後ARR\n{ACCOUNT},{day},拡大,"24,000,000",30000000\n'
    page.goto(f"{base}/staff/renewals/import")
    page.set_input_files(
        "#f-file",
        files=[{"name": "更新.csv", "mimeType": "text/csv", "buffer": csv.encode("cp932")}],
    )
    page.click("form[action='/staff/renewals/import'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/staff/renewals$"))
    assert "作成 1件" in page.inner_text("body")
    row = page.locator("#renewals tbody tr", has_text=ACCOUNT).first
    assert "アップセル" in row.inner_text() and "30,000,000" in row.inner_text()

    page.click("nav[aria-label='契約更新'] a:text-is('スコアの検証')")
    page.wait_for_url(re.compile(r".*/staff/renewals/backtest$"))
    cases = int(page.inner_text("#case-count"))
    assert cases >= 30  # the demo's two years
    assert re.fullmatch(r"0\.\d\d", page.inner_text("#auc"))
    counts = [int(c) for c in page.locator("#bands tbody tr td:nth-child(2)").all_inner_texts()]
    assert sum(counts[:3]) == cases and counts[3] == cases  # three bands, then all
    assert page.locator("#weights tbody tr").count() >= 10

    page.click("button:text-is('新しいスコア設定のバージョンとして適用')")
    page.wait_for_url(re.compile(r".*/staff/engagement/config$"))
    assert re.search(r"スコア設定のバージョン\d+として保存しました", page.inner_text("body"))
