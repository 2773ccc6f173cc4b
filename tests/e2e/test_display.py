"""Issue 12, item 13, measured in Debian's Chromium: the staff header is one line at 1280 px and
folds behind メニュー on a phone, the score dashboard shows its last column, the roster's
"定員を超えて追加" checkbox sits beside its label, and pages ask for no missing favicon."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

CSM = "csm@kizuna.example"


def header_height(page: Any) -> float:
    return float(page.evaluate("document.querySelector('.site-header').offsetHeight"))


def test_the_staff_header_is_one_line_wide_and_a_menu_on_a_phone(
    live_server: str, browser_page: Any
) -> None:
    base, page = live_server, browser_page
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    sign_in(page, base, CSM)
    page.goto(f"{base}/community/moderation")
    brand = page.locator(".brand").bounding_box()
    assert brand is not None
    assert header_height(page) < 2.2 * brand["height"] + 24  # one line (it was two)
    current = page.locator(".site-header [aria-current=page]")
    assert current.count() == 1 and current.inner_text() == "モデレーション"
    page.locator(".nav-menu > summary").click()
    page.get_by_role("link", name="CRMエクスポート").click()
    page.wait_for_url(re.compile(r".*/staff/crm$"))
    assert missing == [], missing  # the favicon too

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/community")
    closed = header_height(page)
    assert closed < 80  # brand and メニュー: one line (it took four)
    assert not page.get_by_role("link", name="イベント").is_visible()
    page.get_by_text("メニュー", exact=True).click()
    assert page.get_by_role("link", name="イベント").is_visible()
    assert header_height(page) > closed


def test_the_dashboard_shows_every_column(live_server: str, browser_page: Any) -> None:
    base, page = live_server, browser_page
    sign_in(page, base, CSM)
    page.goto(f"{base}/staff/engagement")
    last = page.locator("table.engagement-table thead th").last
    box = last.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 1280  # the last column is on screen, not cut off
    frame = page.locator(".table-wrap").first
    overflow = frame.evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 1, f"the table is {overflow}px wider than its frame"


def test_the_roster_checkbox_sits_beside_its_label(live_server: str, browser_page: Any) -> None:
    base, page = live_server, browser_page
    sign_in(page, base, CSM)
    page.goto(f"{base}/events")
    hrefs = page.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    event_id = next(m.group(1) for h in hrefs if (m := re.fullmatch(r"/events/(\d+)", h or "")))
    page.goto(f"{base}/staff/events/{event_id}/roster")
    box = page.locator("#f-over_capacity").bounding_box()
    label = page.locator("label[for=f-over_capacity]").bounding_box()
    assert box is not None and label is not None
    assert 0 <= label["x"] - (box["x"] + box["width"]) < 24  # was a field's width away
