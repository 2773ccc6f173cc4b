"""Locale negotiation, complete catalogs, and times in the viewer's zone (default Asia/Tokyo)."""

from __future__ import annotations

import importlib.util
import re
from datetime import UTC, datetime
from types import ModuleType

import pytest

from accounts.tables import Member
from core.i18n import negotiate
from core.settings import ROOT
from core.templating import localtime
from tests.factories import make_account, make_member
from tests.support import sign_in_as


def i18n_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("preferred", "accept_language", "default", "expected"),
    [
        ("en", "ja-JP,ja;q=0.9", "ja", "en"),  # the member's preference wins
        ("ja", "en-US,en;q=0.9", "en", "ja"),
        (None, "en-US,en;q=0.9,ja;q=0.8", "ja", "en"),  # then the browser
        (None, "fr-FR,ja;q=0.5,en;q=0.4", "en", "ja"),  # first supported, by weight
        (None, "en;q=0.2, ja;q=0.8", "en", "ja"),
        (None, "en;q=0", "ja", "ja"),  # q=0 means "not this one"
        (None, "fr, de", "ja", "ja"),  # then the default
        (None, "", "en", "en"),
        ("xx", None, "ja", "ja"),  # an unknown preference is ignored
        (None, "garbage;q=abc,,", "ja", "ja"),
    ],
)
def test_negotiate(preferred, accept_language, default, expected):
    assert negotiate(preferred, accept_language, default) == expected


async def test_pages_are_japanese_by_default(client):
    response = await client.get("/login")
    assert '<html lang="ja">' in response.text
    assert "ログイン" in response.text


async def test_accept_language_en_gives_english_pages(client):
    response = await client.get("/login", headers={"accept-language": "en-US,en;q=0.9"})
    assert '<html lang="en">' in response.text
    assert "Sign in" in response.text
    assert "ログイン" not in response.text


async def test_member_preference_beats_accept_language(client):
    account = await make_account()
    await sign_in_as(client, "customer", account, locale="en")
    response = await client.get("/", headers={"accept-language": "ja"})
    assert '<html lang="en">' in response.text
    assert "Welcome, " in response.text


async def test_the_routers_own_404_and_405_know_the_viewer(client):
    """Issue 12: a path no route matches was answered before the session was read, so a
    signed-in member who chose English saw a signed-out Japanese header."""
    account = await make_account()
    member = await sign_in_as(client, "customer", account, locale="en")
    missing = await client.get("/no/such/page", headers={"accept-language": "ja"})
    assert missing.status_code == 404
    assert '<html lang="en">' in missing.text and "Sign out" in missing.text
    assert member.display_name in missing.text
    wrong_method = await client.raw.delete("/login")
    assert wrong_method.status_code == 405 and '<html lang="en">' in wrong_method.text


def test_every_japanese_message_is_translated(capsys):
    script = i18n_script()
    assert script.check() == 0, capsys.readouterr().out


def test_catalog_holds_every_message_in_the_code():
    script = i18n_script()
    in_code = {message.id for message in script.extract() if message.id}
    in_catalog = {message.id for message in script.load("ja") if message.id}
    missing = sorted(str(m) for m in in_code - in_catalog)
    assert missing == [], "run `python scripts/i18n.py update` and translate:\n" + "\n".join(
        missing
    )


def test_localtime_defaults_to_tokyo():
    moment = datetime(2026, 1, 1, 0, 30, tzinfo=UTC)
    assert localtime(moment) == "2026年1月1日 09:30"
    assert localtime(moment, zone="Europe/London") == "2026年1月1日 00:30"


async def test_pages_show_times_in_the_viewer_zone(client):
    account = await make_account()
    seen = await make_member(account, email="seen@example.jp")
    await Member.update({Member.last_seen_at: datetime(2026, 1, 1, 0, 30, tzinfo=UTC)}).where(
        Member.id == seen.id
    )
    staff = await sign_in_as(client, "csm")
    page = await client.get("/staff/members")
    assert page.status_code == 200
    assert "2026年1月1日 09:30" in page.text
    assert re.search(r'datetime="2026-01-01T09:30\+09:00"', page.text)

    await Member.update({Member.timezone: "America/New_York"}).where(Member.id == staff.id)
    page = await client.get("/staff/members")
    assert "2025年12月31日 19:30" in page.text
