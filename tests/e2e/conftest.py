"""Browser tests: the app in a real uvicorn process, driven by Debian's chromium via Playwright.

Fixtures:
- `live_server` (session): base URL (a str, no trailing slash) of `uvicorn app:create_app` on a
  free loopback port, with a fresh VAR_DIR, the embedded default (SQLite, in-process jobs, file
  sessions, emails in VAR_DIR/outbox: no DATABASE_URL or REDIS_URL) and the demo data loaded.
  The browser tests run once, on this embedded default; the rest of the suite covers PostgreSQL.
- `browser` (session): Playwright's chromium at /usr/bin/chromium (never `playwright install`).
- `browser_page` (per test): a page in a fresh context (no cookies), locale ja-JP, Asia/Tokyo,
  1280x900; the context is closed after the test.
- `sign_in(page, base_url, email, password=DEMO_PASSWORD)`: signs in through the login form.

Write browser tests with Playwright's SYNC API as plain `def test_...` functions (not async):
pytest-asyncio only runs its session event loop while an async test or fixture is running, so
the sync API finds no running loop in the test's thread. Do not mix in async fixtures such as
`client` or `settings`: a browser test talks to the live server only, through the page (or
`httpx` for a plain request).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support import free_port

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "kizuna-demo-2026"
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags chromium keeps knocking on the closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def server_command(port: int) -> list[str]:
    """The command line of a live server (shared with scripts/screenshots.py)."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]


def server_environment(port: int, var_dir: str) -> dict[str, str]:
    """The embedded default with demo data: no DATABASE_URL, REDIS_URL or SMTP_HOST."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SMTP_HOST", "PASSWORD_HASHING"}
    }
    env.update(
        ENVIRONMENT="development",
        VAR_DIR=var_dir,
        LOAD_DEMO_DATA="true",
        MIGRATE_ON_START="true",
        SECRET_KEY="e2e-secret-key-not-for-production",
        BASE_URL=f"http://127.0.0.1:{port}",
    )
    return env


def start_server(
    var_dir: str, environment: Callable[[int, str], dict[str, str]] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """Start a live server with its log in VAR_DIR/server.log; return it once /healthz answers.
    `environment(port, var_dir)` is its environment (the embedded default with demo data when
    not given; the API fuzz test gives the tests' own backend)."""
    port = free_port()
    log = Path(var_dir) / "server.log"
    with log.open("wb") as output:
        # Our own interpreter and arguments: nothing here comes from outside.
        process = subprocess.Popen(  # noqa: S603
            server_command(port),
            cwd=ROOT,
            env=(environment or server_environment)(port, var_dir),
            stdout=output,
            stderr=output,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process, log)
    except BaseException:
        stop_server(process)
        raise
    return process, base


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _wait_until_up(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not start:\n{log.read_text(errors='replace')}")


def launch_chromium(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def new_japanese_context(browser: Any) -> Any:
    return browser.new_context(
        locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 1280, "height": 900}
    )


def sign_in(page: Any, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login form and wait for the home page."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(re.compile(re.escape(base_url) + r"/(\?.*)?$"))


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """A uvicorn process serving the app on a free loopback port; yields its base URL."""
    with tempfile.TemporaryDirectory(prefix="kizuna-e2e-") as var_dir:
        process, base = start_server(var_dir)
        try:
            yield base
        finally:
            stop_server(process)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = launch_chromium(playwright)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def browser_page(browser: Any) -> Iterator[Any]:
    """A page in a fresh context (no cookies), Japanese first like most of our members."""
    context = new_japanese_context(browser)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
