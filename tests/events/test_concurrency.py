"""Capacity under contention (PostgreSQL): each registration or cancellation runs in its own
transaction on its own pooled connection, and the event row lock keeps the count exact."""

from __future__ import annotations

import asyncio

import pytest

from accounts.tables import Member
from events.registration import allocation as reg
from events.rows import RegistrationRow
from events.tables import Registration
from tests.events.event_helpers import Cast, new_event
from tests.factories import make_account

pytestmark = pytest.mark.production_stack

PEOPLE = 200
SEATS = 20


async def _members(count: int) -> list[Member]:
    account = await make_account("同時申込株式会社")
    await Member.insert(
        *[
            Member(
                email=f"rush{i}@rush.example",
                display_name=f"申込 {i}",
                handle=f"rush{i}",
                role="customer",
                account=account.id,
            )
            for i in range(count)
        ]
    )
    return await Member.objects().where(Member.email.like("rush%")).order_by(Member.id)


async def _rows(event_id: int, status: str) -> list[dict]:
    return await (
        Registration.select()
        .where((Registration.event == event_id) & (Registration.status == status))
        .order_by(Registration.queue_order)
    )


async def _positions(event_id: int) -> list[int]:
    rows = await _rows(event_id, "waitlisted")
    return sorted([await reg.waitlist_position(RegistrationRow.of(row)) for row in rows])


async def test_concurrent_registrations_and_cancellations(app) -> None:
    from core.database import get_engine

    assert get_engine().pool is not None  # type: ignore[attr-defined]
    cast = await Cast.create()
    event_id = await new_event(cast.csm, capacity=SEATS)
    members = await _members(PEOPLE)

    results = await asyncio.gather(*(reg.register(m, event_id) for m in members))
    assert all(created for _, created in results)
    confirmed = await _rows(event_id, "confirmed")
    waitlisted = await _rows(event_id, "waitlisted")
    assert len(confirmed) == SEATS
    assert len(waitlisted) == PEOPLE - SEATS
    assert await _positions(event_id) == list(range(1, PEOPLE - SEATS + 1))
    assert len({row["checkin_code"] for row in confirmed}) == SEATS
    assert len({row["queue_order"] for row in waitlisted}) == PEOPLE - SEATS

    # Ten confirmed and five waitlisted cancel at once: exactly ten are promoted, the first
    # ten in line who did not cancel themselves.
    by_id = {m.id: m for m in members}
    leaving = [by_id[row["member"]] for row in confirmed[:10]]
    queue = [by_id[row["member"]] for row in waitlisted]
    also_leaving = queue[3:8]
    await asyncio.gather(*(reg.cancel(m, event_id) for m in leaving + also_leaving))
    expected_promoted = {m.id for m in (queue[:3] + queue[8:15])}

    confirmed_after = await _rows(event_id, "confirmed")
    assert len(confirmed_after) == SEATS
    assert {r["member"] for r in confirmed_after} - {r["member"] for r in confirmed} == (
        expected_promoted
    )
    remaining = PEOPLE - SEATS - 10 - 5
    assert len(await _rows(event_id, "waitlisted")) == remaining
    assert await _positions(event_id) == list(range(1, remaining + 1))
    assert len(await _rows(event_id, "cancelled")) == 15


async def test_concurrent_double_clicks(app) -> None:
    cast = await Cast.create()
    event_id = await new_event(cast.csm, capacity=3)
    results = await asyncio.gather(*(reg.register(cast.alice, event_id) for _ in range(10)))
    assert sum(created for _, created in results) == 1
    assert len({row.id for row, _ in results}) == 1
    assert await Registration.count().where(Registration.event == event_id) == 1
