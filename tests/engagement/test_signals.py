"""The signals ledger: a fact is written once; a member's first visit of the day is a signal."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.database import transaction
from core.timeutil import utcnow
from engagement import visits
from engagement.signals import NewSignal, SignalKind, Subject, SubjectType, record_signals
from engagement.tables import Signal
from tests.factories import make_account, make_member
from tests.support import sign_in_as


async def signals(kind: str | None = None) -> list[dict]:
    query = Signal.select().order_by(Signal.id)
    if kind is not None:
        query = query.where(Signal.kind == kind)
    return await query


def topic(topic_id: int) -> Subject:
    return Subject(SubjectType.topic, topic_id)


async def test_duplicate_signal_is_ignored(settings):
    account = await make_account()
    member = await make_member(account)
    for expected in (1, 0):
        async with transaction():
            signal = NewSignal(SignalKind.topic_created, account.id, member.id, topic(7))
            assert await record_signals(signal) == expected
    [row] = await signals()
    assert row["kind"] == "topic_created"
    assert row["account"] == account.id
    assert row["member"] == member.id
    assert (row["subject_type"], row["subject_id"]) == ("topic", 7)
    assert row["source"] == "community"
    assert row["dedupe_key"] == "topic_created:7"


async def test_a_signal_derives_its_key_from_its_kind_subject_and_detail(settings):
    account = await make_account()
    liker, other = await make_member(account), await make_member(account)
    post = Subject(SubjectType.post, 12)
    like = NewSignal(SignalKind.reaction_received, account.id, None, post, detail=str(liker.id))
    again = NewSignal(SignalKind.reaction_received, account.id, None, post, detail=str(liker.id))
    second = NewSignal(SignalKind.reaction_received, account.id, None, post, detail=str(other.id))
    seat = Subject(SubjectType.registration, 5)
    webinar = NewSignal(SignalKind.webinar_attended, account.id, None, seat, value=90)
    mokumoku = NewSignal(SignalKind.mokumoku_attended, account.id, None, seat, value=90)
    async with transaction():
        # The same like twice is one fact; so is an attendance of either kind.
        assert await record_signals(like, again, second, webinar, mokumoku) == 3
    keys = [row["dedupe_key"] for row in await signals()]
    assert keys == [
        f"reaction_received:12:{liker.id}",
        f"reaction_received:12:{other.id}",
        "attended:5",
    ]


async def test_staff_signals_are_dropped_in_one_place(settings):
    staff_account = None  # staff belong to no account
    async with transaction():
        assert (
            await record_signals(
                NewSignal(
                    SignalKind.reply_created, staff_account, None, Subject(SubjectType.post, 1)
                )
            )
            == 0
        )
    assert await signals() == []


def test_a_signal_about_the_wrong_kind_of_subject_is_refused():
    with pytest.raises(ValueError, match="about a topic"):
        NewSignal(SignalKind.topic_created, 1, None, Subject(SubjectType.post, 3))


async def test_signal_rolls_back_with_its_action(settings):
    account = await make_account()
    with pytest.raises(RuntimeError):
        async with transaction():
            post = Subject(SubjectType.post, 1)
            await record_signals(NewSignal(SignalKind.reply_created, account.id, None, post))
            raise RuntimeError("the reply failed")
    assert await signals() == []


async def test_unknown_kind_is_refused(settings):
    account = await make_account()
    with pytest.raises(ValueError):
        await record_signals(NewSignal("page_liked", account.id, None, topic(1)))  # type: ignore[arg-type]
    assert await signals() == []


async def test_signals_written_before_the_subject_columns_get_them_from_their_keys(settings):
    from migrations.engagement.engagement_2026_12_04t02_30_01_000000 import _backfill

    account = await make_account()
    member = await make_member(account)
    legacy = {
        "topic_created:41": ("topic_created", "topic", 41),
        "reaction_received:9:77": ("reaction_received", "post", 9),
        "attended:13": ("mokumoku_attended", "registration", 13),
        "no_show:14": ("event_no_show", "registration", 14),
        f"daily_visit:{member.id}:2026-11-30": ("daily_visit", "member", member.id),
    }
    await Signal.insert(
        *[
            Signal(
                account=account.id,
                member=member.id,
                kind=kind,
                occurred_at=utcnow(),
                value=1.0,
                source="old",
                dedupe_key=key,
            )
            for key, (kind, _, _) in legacy.items()
        ]
    )
    await _backfill()
    rows = {
        row["dedupe_key"]: (row["kind"], row["subject_type"], row["subject_id"])
        for row in await signals()
    }
    assert rows == legacy


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
