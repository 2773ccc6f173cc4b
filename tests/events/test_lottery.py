"""The lottery: applications until the draw, a published seed that reproduces the order."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accounts.tables import Member
from core.errors import DomainError
from core.timeutil import utcnow
from events.jobs import sweep_lotteries
from events.registration import allocation as reg
from events.registration.lottery import draw_order
from events.rows import RegistrationRow
from events.services import update_event
from events.tables import Event, Registration
from tests.events.event_helpers import (
    Cast,
    event_input,
    event_row,
    new_event,
    registrations,
    subject,
    subjects,
    tokyo,
)
from tests.factories import make_member
from tests.support import signed_in


async def _lottery(cast: Cast, capacity: int = 2) -> int:
    return await new_event(
        cast.csm, capacity=capacity, allocation="lottery", draw_at=tokyo(timedelta(days=2))
    )


async def _due(event_id: int) -> None:
    await Event.update({Event.draw_at: utcnow() - timedelta(minutes=1)}).where(Event.id == event_id)


async def test_draw_confirms_capacity_and_orders_the_rest(app, run_jobs, mailbox) -> None:
    cast = await Cast.create()
    event_id = await _lottery(cast, capacity=2)
    extra = [await make_member(cast.account, email=f"p{i}@sakura.example") for i in range(5)]
    people: list[Member] = [cast.alice, cast.bob, cast.carol, *extra]  # all Japanese
    for member in people:
        row, _ = await reg.register(member, event_id)
        assert row.status == "applied" and row.checkin_code == ""
    assert await sweep_lotteries({}) == 0  # not due yet

    await _due(event_id)
    assert await sweep_lotteries({}) == 1
    assert await sweep_lotteries({}) == 0  # drawn once
    event = await event_row(event_id)
    assert len(event["draw_seed"]) == 32 and event["drawn_at"] is not None

    rows = await registrations(event_id)
    expected = draw_order(event["draw_seed"], [r["id"] for r in rows])
    by_rank = sorted(rows, key=lambda r: r["lottery_rank"])
    assert [r["id"] for r in by_rank] == expected
    assert [r["status"] for r in by_rank] == ["confirmed"] * 2 + ["waitlisted"] * 6
    assert all(r["checkin_code"] for r in by_rank[:2])
    positions = [await reg.waitlist_position(RegistrationRow.of(r)) for r in by_rank[2:]]
    assert positions == [1, 2, 3, 4, 5, 6]

    await run_jobs()
    winner = next(m for m in people if m.id == by_rank[0]["member"])
    loser = next(m for m in people if m.id == by_rank[-1]["member"])
    [won] = [s for s in subjects(mailbox, winner.email) if s.startswith("抽選結果：")]
    assert "参加が確定" in won
    [lost] = [m for m in mailbox.to(loser.email) if subject(m).startswith("抽選結果：")]
    assert "補欠" in subject(lost)
    assert "6 番目" in mailbox.text_of(lost)

    # A seat freed after the draw goes to the first in the drawn order.
    await reg.cancel(winner, event_id)
    promoted = await Registration.select().where(Registration.id == by_rank[2]["id"]).first()
    assert promoted["status"] == "confirmed"


async def test_seed_reproduces_the_order() -> None:
    ids = [5, 3, 9, 1, 7]
    first = draw_order("0123456789abcdef0123456789abcdef", ids)
    assert first == draw_order("0123456789abcdef0123456789abcdef", list(reversed(ids)))
    assert sorted(first) == sorted(ids)
    orders = {tuple(draw_order(f"{n:032x}", ids)) for n in range(50)}
    assert len(orders) > 10  # the seed matters


async def test_draw_is_fair_over_many_seeds() -> None:
    ids = list(range(1, 11))
    wins = dict.fromkeys(ids, 0)
    for n in range(4000):
        for winner in draw_order(f"seed-{n}", ids)[:3]:
            wins[winner] += 1
    # Each of 10 applicants wins 3 in 10 draws: 1200 expected, well within ±15 %.
    assert all(1020 < count < 1380 for count in wins.values()), wins


async def test_event_page_shows_seed_and_order(app, client) -> None:
    cast = await Cast.create()
    event_id = await _lottery(cast, capacity=1)
    for member in (cast.alice, cast.bob, cast.carol):
        await reg.register(member, event_id)
    await signed_in(client, cast.alice)
    page = await client.get(f"/events/{event_id}")
    assert "抽選申込済み" in page.text
    await _due(event_id)
    await sweep_lotteries({})
    event = await event_row(event_id)
    page = await client.get(f"/events/{event_id}")
    assert event["draw_seed"] in page.text
    order = [
        r["id"] for r in sorted(await registrations(event_id), key=lambda r: r["lottery_rank"])
    ]
    positions = [page.text.index(f"<li>#{rid}") for rid in order]
    assert positions == sorted(positions)
    assert "random.Random(seed).shuffle" in page.text


async def test_allocation_cannot_change_after_the_draw(app) -> None:
    cast = await Cast.create()
    event_id = await _lottery(cast)
    await reg.register(cast.alice, event_id)
    await _due(event_id)
    await sweep_lotteries({})
    row = await event_row(event_id)
    data = event_input(capacity=2, allocation="first_come")
    data = data.model_copy(update={"starts_at": row["starts_at"], "ends_at": row["ends_at"]})
    with pytest.raises(DomainError):
        await update_event(cast.csm, event_id, data)
    assert (await event_row(event_id))["allocation"] == "lottery"


async def test_registration_after_the_draw_is_first_come(app) -> None:
    cast = await Cast.create()
    event_id = await _lottery(cast, capacity=2)
    await reg.register(cast.alice, event_id)
    await _due(event_id)
    await sweep_lotteries({})
    late, _ = await reg.register(cast.bob, event_id)
    assert late.status == "confirmed"
    later, _ = await reg.register(cast.carol, event_id)
    assert later.status == "waitlisted" and later.waitlist_position == 1
