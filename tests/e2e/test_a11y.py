"""Browser: axe-core (npm, tests/e2e/package.json) finds no serious or critical violation on the
main pages in Japanese and English, and a keyboard alone posts a topic and registers for an event,
every control it passes showing a :focus-visible outline (3:1 or more), not under the sticky header.

The demo data gives the pages their content: a question with answers, a webinar with seats left,
accounts with 120 days of scores. Member preferences switched to English are put back to Japanese
so the other browser tests in this session still see the default.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import DEMO_PASSWORD, sign_in

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
CUSTOMER = "suzuki@sakura-tech.example"  # 鈴木 一郎
CSM = "csm@kizuna.example"
TOPIC = "請求書の締め日を変更するには？"  # demo question with two answers
WEBINAR = "新機能「自動レポート」活用ウェビナー"  # demo webinar, 100 seats
ACCOUNT = "株式会社さくらテック"
BLOCKING = {"serious", "critical"}


@pytest.fixture
def axe_page(browser: Any) -> Iterator[Any]:
    """A Japanese page whose context ignores the app's CSP so axe can be injected.

    The app's CSP allows no inline script, and Playwright's add_script_tag(path=...) inserts the
    file's text inline; bypass_csp is set on this test context only, the app's header is kept.
    """
    context = browser.new_context(
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
        viewport={"width": 1280, "height": 900},
        bypass_csp=True,
    )
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def _switch_locale(page: Any, locale: str) -> None:
    """The nav's language button, as a member uses it (stored on the member)."""
    if page.locator("html").get_attribute("lang") == locale:
        return
    page.click(f"button[name=locale][value={locale}]")
    page.wait_for_function(f"document.documentElement.lang === '{locale}'")


def _axe(page: Any, name: str, locale: str) -> list[str]:
    """Serious and critical violations on the current page, one line per node."""
    assert AXE.is_file(), "axe-core is missing: run `npm ci` in tests/e2e"
    assert page.locator("html").get_attribute("lang") == locale, f"{name}: not in {locale}"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    assert result["passes"], f"{name}: axe checked nothing"
    found = []
    for violation in result["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        for node in violation["nodes"]:
            found.append(
                f"[{locale}] {name} {page.url}: {violation['id']} ({violation['impact']}) "
                f"{node['target']} — {violation['help']}"
            )
    return found


def _check_pages(page: Any, locale: str, pages: list[tuple[str, Any]]) -> list[str]:
    found: list[str] = []
    for name, open_page in pages:
        open_page()
        assert page.locator(".error-page").count() == 0, f"{name}: {page.url} is an error page"
        found += _axe(page, name, locale)
    return found


def _follow(page: Any, url: str, link: str, target: str) -> None:
    """Open `url`, follow its link named `link` and wait for a path matching `target`."""
    page.goto(url)
    page.get_by_role("link", name=link).first.click()
    page.wait_for_url(re.compile(r"https?://[^/]+" + target + "$"))


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_customer_pages_have_no_serious_violations(
    live_server: str, axe_page: Any, locale: str
) -> None:
    base, page = live_server, axe_page
    page.goto(f"{base}/login")
    _switch_locale(page, locale)  # the cookie, for the sign-in page
    found = _axe(page, "sign-in", locale)
    sign_in(page, base, CUSTOMER)
    try:
        _switch_locale(page, locale)  # the member's preference
        found += _check_pages(
            page,
            locale,
            [
                ("home", lambda: page.goto(f"{base}/")),
                ("topic list", lambda: page.goto(f"{base}/community")),
                ("topic", lambda: _follow(page, f"{base}/community", TOPIC, r"/community/t/\d+")),
                ("new topic", lambda: page.goto(f"{base}/community/new")),
                ("event list", lambda: page.goto(f"{base}/events")),
                ("event", lambda: _follow(page, f"{base}/events", WEBINAR, r"/events/\d+")),
            ],
        )
    finally:
        _switch_locale(page, "ja")
    assert not found, "axe: serious or critical violations\n" + "\n".join(found)


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_staff_pages_have_no_serious_violations(
    live_server: str, axe_page: Any, locale: str
) -> None:
    base, page = live_server, axe_page
    sign_in(page, base, CSM)

    def roster() -> None:
        _follow(page, f"{base}/events", WEBINAR, r"/events/\d+")
        page.goto(re.sub(r"/events/(\d+)$", r"/staff/events/\1/roster", page.url))

    def account() -> None:
        _follow(page, f"{base}/staff/engagement", ACCOUNT, r"/staff/engagement/accounts/\d+")

    try:
        _switch_locale(page, locale)
        found = _check_pages(
            page,
            locale,
            [
                ("home", lambda: page.goto(f"{base}/")),
                ("staff event list", lambda: page.goto(f"{base}/staff/events")),
                ("roster", roster),
                ("dashboard", lambda: page.goto(f"{base}/staff/engagement")),
                ("account score", account),
            ],
        )
    finally:
        _switch_locale(page, "ja")
    assert not found, "axe: serious or critical violations\n" + "\n".join(found)


# --- keyboard only: Tab, Shift+Tab, Enter, Space, arrows and typing; no click, no focus() -------

POSTER = "kobayashi@hokuto-foods.example"  # 小林 由美
REGISTRANT = "ito@minato-logi.example"  # 伊藤 翔, not yet registered for the webinar
NEW_TITLE = "キーボードだけで投稿できますか"
CATEGORY = "質問・相談"
MAX_TABS = 80
# What the focused element looks like: its outline, the colour behind it, whether the sticky
# header hides it (tested just inside its top edge, where Shift+Tab scrolls it to).
_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  let background = 'rgb(255, 255, 255)';
  for (let node = el.parentElement; node; node = node.parentElement) {
    const colour = getComputedStyle(node).backgroundColor;
    if (colour !== 'transparent' && !/, 0\\)$/.test(colour)) { background = colour; break; }
  }
  const box = el.getBoundingClientRect();
  const header = document.querySelector('.site-header');
  const top = document.elementFromPoint(
    box.left + box.width / 2, Math.max(box.top, 0) + Math.min(box.height / 2, 8));
  return {
    label: (el.getAttribute('aria-label') || el.innerText || el.value || el.name || el.id || '')
      .trim().slice(0, 40),
    tag: el.tagName.toLowerCase(),
    focusVisible: el.matches(':focus-visible'),
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
    outlineColour: style.outlineColor,
    background: background,
    hidden: !!(header && top && !header.contains(el) && header.contains(top)),
    onScreen: box.bottom > 0 && box.top < innerHeight && box.right > 0 && box.left < innerWidth,
  };
}"""


def _luminance(colour: str) -> float:
    channels = [float(v) / 255 for v in re.findall(r"[\d.]+", colour)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(first: str, second: str) -> float:
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _assert_focus_visible(page: Any) -> dict[str, Any]:
    """The focused control shows a :focus-visible outline (WCAG 2.4.7, 1.4.11, 2.4.11)."""
    focused = page.evaluate(_FOCUSED)
    assert focused is not None, f"{page.url}: focus fell back to the page"
    where = f"{page.url}: <{focused['tag']}> {focused['label']!r}"
    assert focused["focusVisible"], f"{where} is focused but not :focus-visible"
    assert focused["outlineStyle"] != "none", f"{where} has no focus outline"
    assert focused["outlineWidth"] >= 2, f"{where}: focus outline {focused['outlineWidth']}px"
    ratio = _contrast(focused["outlineColour"], focused["background"])
    assert ratio >= 3, (
        f"{where}: focus outline {focused['outlineColour']} on {focused['background']} "
        f"has contrast {ratio:.2f}:1, below 3:1"
    )
    assert focused["onScreen"], f"{where} is focused off screen"
    assert not focused["hidden"], f"{where} is focused under the sticky header"
    return dict(focused)


def _tab_to(page: Any, selector: str, *, text: str = "", key: str = "Tab") -> None:
    """Press Tab (or Shift+Tab) until the focus is on `selector` (containing `text`), checking
    that every control passed on the way shows its focus."""
    script = "([s, t]) => { const el = document.activeElement; "
    script += "return !!el && el.matches(s) && (el.innerText || '').includes(t); }"
    passed = []
    for _ in range(MAX_TABS):
        if page.evaluate(script, [selector, text]):
            _assert_focus_visible(page)
            return
        page.keyboard.press(key)
        passed.append(_assert_focus_visible(page)["label"])
    raise AssertionError(f"{page.url}: {key} never reached {selector} {text!r}; passed {passed}")


def _keyboard_sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    # The field has autofocus: no key is needed, but Chromium applies autofocus at a later
    # rendering step than the load event, so wait for it (and fail if it never comes).
    page.wait_for_function(
        "document.activeElement && document.activeElement.matches('input[name=email]')",
        timeout=5000,
    )
    _tab_to(page, "input[name=email]")
    page.keyboard.type(email)
    _tab_to(page, "input[name=password]")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(base) + r"/(\?.*)?$"))


def test_skip_link_leads_to_the_main_content(live_server: str, browser_page: Any) -> None:
    base, page = live_server, browser_page
    _keyboard_sign_in(page, base, POSTER)
    page.keyboard.press("Tab")
    focused = _assert_focus_visible(page)
    assert page.evaluate("document.activeElement.matches('a.skip-link[href=\"#main\"]')"), focused
    assert focused["label"] == "本文へ移動"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*#main$"))
    page.keyboard.press("Tab")
    _assert_focus_visible(page)
    assert page.evaluate("!!document.activeElement.closest('main')"), "Tab after the skip link"


def test_focus_stays_in_sight_tabbing_back_up_a_long_page(
    live_server: str, browser_page: Any
) -> None:
    """Shift+Tab scrolls each control in at the top edge: the sticky header must not cover it."""
    base, page = live_server, browser_page
    _keyboard_sign_in(page, base, POSTER)
    _tab_to(page, "header a[href='/community']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/community")
    _tab_to(page, "main a", text=TOPIC)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(base) + r"/community/t/\d+$"))
    _tab_to(page, "button[name=action][value=post]")  # the reply form, at the bottom
    assert page.evaluate("scrollY") > 0, "the topic should be longer than the window"
    _tab_to(page, "header a[href='/community']", key="Shift+Tab")


def test_customer_posts_a_topic_with_the_keyboard_only(live_server: str, browser_page: Any) -> None:
    base, page = live_server, browser_page
    _keyboard_sign_in(page, base, POSTER)
    # Into the page with the skip link, then back up to the site navigation.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    _tab_to(page, "header a[href='/community']", key="Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/community")
    _tab_to(page, "main a[href='/community/new']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/community/new")

    _tab_to(page, "select[name=category_id]")
    chosen = "#f-category_id option:checked"
    for _ in range(6):  # the demo has four categories
        if page.inner_text(chosen) == CATEGORY:
            break
        page.keyboard.press("ArrowDown")
    assert page.inner_text(chosen) == CATEGORY
    _tab_to(page, "input[name=kind]")
    page.keyboard.press("ArrowRight")  # discussion → question, as in any radio group
    assert page.is_checked("input[name=kind][value=question]")
    _tab_to(page, "input[name=title]")
    page.keyboard.type(NEW_TITLE)
    _tab_to(page, "textarea[name=body]")
    page.keyboard.type("マウスを使わずに質問を投稿しています。")
    _tab_to(page, "button[name=action][value=post]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(base) + r"/community/t/\d+$"))
    assert page.inner_text("main h1") == NEW_TITLE
    assert "マウスを使わずに質問を投稿しています。" in page.inner_text("main")

    page.goto(f"{base}/community")
    row = page.locator(".topic-row", has_text=NEW_TITLE)
    assert row.count() == 1
    assert "小林 由美" in row.inner_text()


def test_customer_registers_for_an_event_with_the_keyboard_only(
    live_server: str, browser_page: Any
) -> None:
    base, page = live_server, browser_page
    _keyboard_sign_in(page, base, REGISTRANT)
    _tab_to(page, "header a[href='/events']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/events")
    _tab_to(page, "main a[href^='/events/']", text=WEBINAR)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(base) + r"/events/\d+$"))
    event_url = page.url
    _tab_to(page, "form[action$='/register'] button[type=submit]")
    page.keyboard.press("Space")
    page.wait_for_url(event_url)
    assert "参加が確定しました" in page.inner_text("main")
    assert "参加確定" in page.inner_text(".registration-box")
