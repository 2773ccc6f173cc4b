"""Browser: a CSM opens the engagement dashboard, keeps the red accounts, opens one and reads its
score history chart and the explanation (demo data: 120 days of signals and snapshots)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

CSM = "csm@kizuna.example"


def _screenshot(page: Any, name: str) -> None:
    directory = os.environ.get("KIZUNA_SCREENSHOT_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(directory) / name), full_page=True)


def test_csm_filters_red_accounts_and_reads_one(live_server: str, browser_page: Any) -> None:
    base, page = live_server, browser_page
    sign_in(page, base, CSM)
    page.get_by_role("link", name="エンゲージメントスコア").first.click()
    page.wait_for_url(re.compile(r".*/staff/engagement/?$"))
    rows = page.locator("table.engagement-table tbody tr")
    assert rows.count() >= 5  # three demo accounts and the two engagement demo ones
    _screenshot(page, "dashboard.png")

    page.select_option("select[name=band]", "red")
    page.get_by_role("button", name="絞り込む").click()
    page.wait_for_url(re.compile(r".*band=red.*"))
    red_rows = page.locator("table.engagement-table tbody tr")
    assert red_rows.count() >= 1
    bands = page.locator("table.engagement-table tbody [data-band]").all_inner_texts()
    assert bands and all(text == "要注意" for text in bands)
    assert "東雲製作所株式会社" in page.locator("table.engagement-table").inner_text()

    page.get_by_role("link", name="東雲製作所株式会社").click()
    page.wait_for_url(re.compile(r".*/staff/engagement/accounts/\d+$"))
    assert page.get_by_role("heading", name="東雲製作所株式会社").is_visible()
    chart = page.locator("svg.score-chart[role=img]").first
    assert chart.is_visible()
    assert "東雲製作所株式会社" in (chart.locator("title").text_content() or "")
    points = chart.locator("polyline.series").get_attribute("points") or ""
    assert len(points.split()) >= 100  # about four months of daily snapshots
    page.get_by_text("データを表で見る").click()
    assert page.locator("table.history-table tbody tr").count() >= 100

    explanation = page.locator("#explanation")
    assert explanation.get_by_role("heading", name="スコアの内訳").is_visible()
    assert explanation.locator("tbody tr").count() >= 1
    assert page.locator("#score [data-band=red]").is_visible()
    _screenshot(page, "account-score.png")
