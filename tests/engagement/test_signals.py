"""The signals ledger: a fact is written once; a member's first visit of the day is a signal."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.database import transaction
from core.timeutil import utcnow
from engagement import visits
from engagement.signals import SignalKind, record_signal
from engagement.tables import Signal
from tests.accounts.helpers import sign_in_as
from tests.factories import make_account, make_member


async def signals(kind: str | None = None) -> list[dict]:
    query = Signal.select().order_by(Signal.id)
    if kind is not None:
        query = query.where(Signal.kind == kind)
    return await query


async def test_duplicate_signal_is_ignored(settings):
    account = await make_account()
    member = await make_member(account)
    for expected in (True, False):
        async with transaction():
            written = await record_signal(
                account.id, member.id, SignalKind.topic_created, None, 1, "community", "topic:7"
            )
        assert written is expected
    [row] = await signals()
    assert row["kind"] == "topic_created"
    assert row["account"] == account.id
    assert row["member"] == member.id
    assert row["dedupe_key"] == "topic:7"


async def test_signal_rolls_back_with_its_action(settings):
    account = await make_account()
    with pytest.raises(RuntimeError):
        async with transaction():
            await record_signal(account.id, None, "reply_created", None, 1, "community", "reply:1")
            raise RuntimeError("the reply failed")
    assert await signals() == []


async def test_unknown_kind_is_refused(settings):
    account = await make_account()
    with pytest.raises(ValueError):
        await record_signal(account.id, None, "page_liked", None, 1, "community", "x:1")
    assert await signals() == []


async def test_first_visit_of_the_day_is_one_signal(client, settings, monkeypatch):
    account = await make_account()
    member = await sign_in_as(client, "customer", account)
    assert (await client.get("/")).status_code == 200
    assert (await client.get("/")).status_code == 200
    [visit] = await signals("daily_visit")
    assert visit["member"] == member.id
    assert visit["account"] == account.id

    # The next day (in Tokyo), the first visit counts again.
    tomorrow = utcnow() + timedelta(days=1)
    monkeypatch.setattr(visits, "utcnow", lambda: tomorrow)
    await client.get("/")
    await client.get("/")
    assert len(await signals("daily_visit")) == 2


async def test_staff_visits_record_no_signal(client, settings):
    await sign_in_as(client, "csm")
    assert (await client.get("/")).status_code == 200
    assert await signals() == []


async def test_anonymous_visits_record_no_signal(client, settings):
    assert (await client.get("/login")).status_code == 200
    assert await signals() == []
