"""Screenshots of the main pages for the README, taken in Debian's chromium through Playwright.

python scripts/screenshots.py                  start a live server (embedded default, demo data)
python scripts/screenshots.py --base-url URL   use a running server instead (e.g. one with data)
python scripts/screenshots.py --only a.png     only the named shots

Pages that do not answer 200 (or redirect elsewhere), and links that are not found, are skipped.
Add a page by adding a `Shot` to SHOTS.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import (  # noqa: E402 - after the path is set
    launch_chromium,
    new_japanese_context,
    sign_in,
    start_server,
    stop_server,
)

ADMIN = "admin@kizuna.example"
CSM = "csm@kizuna.example"
CUSTOMER = "yamada@sakura-tech.example"


@dataclass(frozen=True)
class Shot:
    """One screenshot: `path` as `email` (None: a visitor); with `follow`, the first link on
    `path` whose href matches that regular expression is opened and shot instead."""

    file: str
    path: str
    email: str | None = None
    follow: str | None = None


SHOTS = [
    Shot("login.png", "/login"),
    Shot("home-customer.png", "/", CUSTOMER),
    Shot("community-topics.png", "/community", CUSTOMER),
    Shot("community-topic.png", "/community", CUSTOMER, follow=r"^/community/t/\d+"),
    Shot("events.png", "/events", CUSTOMER),
    Shot("event.png", "/events", CUSTOMER, follow=r"^/events/\d+$"),
    Shot("event-roster.png", "/staff/events", CSM, follow=r"/roster$"),
    Shot("dashboard.png", "/staff/engagement", CSM),
    Shot("account-score.png", "/staff/engagement", CSM, follow=r"^/staff/engagement/accounts/\d+$"),
    Shot("staff-members.png", "/staff/members", ADMIN),
    Shot("content-library.png", "/content", CUSTOMER),
    Shot("workbench-account.png", "/staff/engagement/accounts/1", CSM),
    Shot("timeline.png", "/staff/success/accounts/1/timeline", CSM),
    Shot("my-tasks.png", "/staff/tasks", CSM),
    Shot(
        "touch.png",
        "/staff/success/accounts/1/timeline",
        CSM,
        follow=r"^/staff/success/touches/\d+$",
    ),
    Shot("mix.png", "/staff/success/mix", CSM),
    Shot("capacity.png", "/staff/success/capacity", CSM),
    Shot("backtest.png", "/staff/renewals/backtest", CSM),
    Shot("renewals.png", "/staff/renewals", CSM),
    Shot("renewal-report.png", "/staff/renewals/report", CSM),
    Shot("crm-pulls.png", "/staff/crm/pulls", ADMIN),
    Shot("playbooks.png", "/staff/playbooks", ADMIN),
]


def find_link(page: Any, pattern: str) -> str | None:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    for href in hrefs:
        if href and re.search(pattern, urlparse(href).path):
            return str(href)
    return None


def open_page(page: Any, base: str, path: str) -> bool:
    """Open `path`; True when it answered 200 without sending us elsewhere."""
    response = page.goto(urljoin(base, path))
    arrived = urlparse(page.url).path.rstrip("/") == urlparse(path).path.rstrip("/")
    return response is not None and response.status == 200 and arrived


def take(page: Any, base: str, shot: Shot, out: Path) -> str:
    """Take one shot; what happened, in a few words."""
    if not open_page(page, base, shot.path):
        return f"skipped ({shot.path} did not answer 200)"
    if shot.follow:
        href = find_link(page, shot.follow)
        if href is None:
            return f"skipped (no link matching {shot.follow} on {shot.path})"
        if not open_page(page, base, href):
            return f"skipped ({href} did not answer 200)"
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(out / shot.file), full_page=True)
    return f"saved from {urlparse(page.url).path}"


def take_all(base: str, out: Path, shots: list[Shot]) -> int:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    saved = 0
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = new_japanese_context(browser)
        page = context.new_page()
        signed_in: str | None = None
        for shot in shots:
            if shot.email != signed_in:
                context.clear_cookies()
                if shot.email is not None:
                    sign_in(page, base, shot.email)
                signed_in = shot.email
            result = take(page, base, shot, out)
            saved += result.startswith("saved")
            print(f"{shot.file:24} {result}")
        browser.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="a running server (default: start one)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--only", nargs="*", help="file names of the shots to take (default: all)")
    args = parser.parse_args()
    shots = [s for s in SHOTS if not args.only or s.file in args.only]
    if args.base_url:
        saved = take_all(args.base_url.rstrip("/"), args.out, shots)
    else:
        with tempfile.TemporaryDirectory(prefix="kizuna-shots-") as var_dir:
            process, base = start_server(var_dir)
            try:
                saved = take_all(base, args.out, shots)
            finally:
                stop_server(process)
    print(f"{saved} screenshots in {args.out}")
    if saved == 0:
        sys.exit(1)


if __name__ == "__main__":
    main()
