"""Outbound URL checks: scheme, credentials, and private addresses (SSRF)."""

from __future__ import annotations

import ipaddress

import pytest

from core.i18n import using_locale
from crm.tables import WebhookDelivery, WebhookEndpoint
from crm.targets import (
    TargetRefused,
    check_target,
    check_target_form,
    is_public_address,
    parse_target_url,
)
from crm.webhooks.endpoints import create_endpoint
from crm.webhooks.jobs import deliver_webhook
from settings import Settings
from tests.crm.scores import emit, score
from tests.factories import PASSWORD, make_account, make_member
from tests.support import FormClient


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/x",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "example.com/hook",
        "",
        "http://",
    ],
)
def test_only_absolute_http_urls(url: str) -> None:
    with pytest.raises(TargetRefused):
        parse_target_url(url)


def test_credentials_in_url_are_refused() -> None:
    with pytest.raises(TargetRefused) as caught:
        parse_target_url("https://user:pw@example.com/hook")
    with using_locale("ja"):
        assert "ユーザー名" in caught.value.translated()


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 - an address under test, nothing binds to it
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "ff02::1",
    ],
)
def test_internal_addresses_are_not_public(address: str) -> None:
    assert not is_public_address(ipaddress.ip_address(address))


def test_public_addresses_are_public() -> None:
    assert is_public_address(ipaddress.ip_address("93.184.216.34"))
    assert is_public_address(ipaddress.ip_address("2606:2800:220:1:248:1893:25c8:1946"))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "https://[::1]/x",
        "http://169.254.169.254/latest",
    ],
)
async def test_private_targets_refused_unless_allowed(url: str) -> None:
    with pytest.raises(TargetRefused) as caught:
        await check_target(url, allow_private=False)
    with using_locale("ja"):
        assert "プライベート" in caught.value.translated()
    parts, address = await check_target(url, allow_private=True)
    assert not is_public_address(address)
    assert parts.scheme in ("http", "https")


async def test_unresolvable_host_is_refused() -> None:
    with pytest.raises(TargetRefused):
        await check_target("https://no-such-host.invalid/hook", allow_private=False)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9/hook", "http://[::1]/hook", "http://10.1.2.3/", "http://localhost/"]
)
def test_the_form_refuses_private_addresses_written_as_such(url: str) -> None:
    with pytest.raises(TargetRefused):
        check_target_form(url, allow_private=False)
    assert check_target_form(url, allow_private=True).hostname


def test_the_form_needs_no_dns() -> None:
    parts = check_target_form("https://hooks.no-such-host.invalid/x", allow_private=False)
    assert parts.hostname == "hooks.no-such-host.invalid"


UNRESOLVABLE = "https://hooks.example-crm-that-does-not-resolve.invalid/kizuna"


async def test_a_url_is_saved_without_dns(client: FormClient, settings: Settings) -> None:
    """Issue 12: saving needed the host to resolve at that moment. Now the form checks what it
    can without the network; the address is checked (and refused) when delivering."""
    admin = await make_member(role="admin")
    await client.login(admin.email, PASSWORD)
    response = await client.post_form(
        "/staff/crm/webhooks", {"url": UNRESOLVABLE, "events": "score.updated"}
    )
    assert response.status_code == 201, response.text  # the page showing the secret once
    [endpoint] = await WebhookEndpoint.select(WebhookEndpoint.url)
    assert endpoint["url"] == UNRESOLVABLE


async def test_a_url_that_does_not_resolve_fails_at_delivery(settings: Settings) -> None:
    await create_endpoint(UNRESOLVABLE, ["score.updated"], "", None, settings)
    account = await make_account()
    await emit(account.id, None, score(42.0, "yellow"))
    [delivery] = await WebhookDelivery.select(WebhookDelivery.id)
    await deliver_webhook({"settings": settings}, delivery["id"], 0)
    row = await WebhookDelivery.objects().where(WebhookDelivery.id == delivery["id"]).first()
    assert row.status == "pending" and "resolved" in (row.last_error or ""), row.last_error
