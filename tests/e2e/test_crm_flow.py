"""Browser: an admin maps Salesforce fields, downloads the CSV, registers a webhook to a local
receiver and sees a delivered event in the delivery log."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.crm.servers import WebhookReceiver, standard_webhooks_valid
from tests.e2e.conftest import start_server, stop_server

pytestmark = pytest.mark.e2e

ADMIN = "admin@kizuna.example"
PRIVATE_TARGETS = "WEBHOOK_ALLOW_PRIVATE_TARGETS"


@pytest.fixture(scope="module")
def crm_live_server() -> Iterator[str]:
    """A live server of its own that may post webhooks to loopback (the receiver below).

    The shared `live_server` has no way to take extra environment, so the variable is set
    around this server's start only.
    """
    previous = os.environ.get(PRIVATE_TARGETS)
    os.environ[PRIVATE_TARGETS] = "true"
    try:
        with tempfile.TemporaryDirectory(prefix="kizuna-e2e-crm-") as var_dir:
            process, base = start_server(var_dir)
            try:
                yield base
            finally:
                stop_server(process)
    finally:
        if previous is None:
            os.environ.pop(PRIVATE_TARGETS, None)
        else:
            os.environ[PRIVATE_TARGETS] = previous


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver().start()
    yield server
    server.stop()


def sign_in_admin(page: Any, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", ADMIN)
    page.fill("input[name=password]", "kizuna-demo-2026")
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(re.compile(re.escape(base) + r"/(\?.*)?$"))


def test_admin_maps_downloads_and_sees_a_delivered_webhook(
    crm_live_server: str, browser_page: Any, receiver: WebhookReceiver, tmp_path: Path
) -> None:
    page, base = browser_page, crm_live_server
    sign_in_admin(page, base)
    page.click("nav >> text=管理")  # the administration menu holds it
    page.click("nav >> text=CRMエクスポート")
    page.wait_for_url(f"{base}/staff/crm")

    mapping = page.locator("#mapping-salesforce")
    mapping.locator("input[name=field_score]").fill("Kizuna_Score__c")
    mapping.locator("input[name=include_trend]").uncheck()
    mapping.locator("button[type=submit]").click()
    assert "マッピングを保存しました" in page.content()
    assert (
        page.locator("#mapping-salesforce input[name=field_score]").input_value()
        == "Kizuna_Score__c"
    )

    with page.expect_download() as download_info:
        page.click("a[data-format=salesforce]")
    target = tmp_path / "salesforce.csv"
    download_info.value.save_as(target)
    header = target.read_bytes().split(b"\n", 1)[0]
    assert header == (
        b"Id,Kizuna_Score__c,Engagement_Band__c,Community_Score__c,Event_Score__c,"
        b"Last_Engagement_Date__c"
    )

    page.goto(f"{base}/staff/crm/webhooks")
    page.fill("input[name=url]", f"{receiver.url}/kizuna")
    page.fill("input[name=description]", "e2e receiver")
    page.click("form[action='/staff/crm/webhooks'] button[type=submit]")
    secret = page.locator("#new-secret").inner_text()
    assert secret.startswith("whsec_")

    page.click("text=配信ログを開く")
    page.click("button:has-text('テストイベントを送信')")
    for _ in range(50):
        if page.locator("tr[data-status=delivered]").count():
            break
        page.wait_for_timeout(200)
        page.reload()
    row = page.locator("tr[data-status=delivered]").first
    assert "webhook.test" in row.inner_text() and "200" in row.inner_text()
    [request] = receiver.requests("POST")
    assert standard_webhooks_valid(secret, request.headers, request.body)
