"""The in-process gate in front of an event's row lock: one holder per event at a time, other
events not held up, and nothing left behind once the crowd has gone (cancelled waiters too)."""

from __future__ import annotations

import asyncio

from events import locking


async def test_one_holder_per_event_and_other_events_pass() -> None:
    inside: dict[int, int] = {1: 0, 2: 0}
    most: dict[int, int] = {1: 0, 2: 0}

    async def visit(event_id: int) -> None:
        async with locking._event_gate(event_id):
            inside[event_id] += 1
            most[event_id] = max(most[event_id], inside[event_id])
            await asyncio.sleep(0.001)
            inside[event_id] -= 1

    await asyncio.gather(*(visit(1 + i % 2) for i in range(60)))
    assert most == {1: 1, 2: 1}
    assert locking._gates == {}


async def test_a_held_event_does_not_hold_up_another() -> None:
    release = asyncio.Event()

    async def hold() -> None:
        async with locking._event_gate(1):
            await release.wait()

    holder = asyncio.create_task(hold())
    await asyncio.sleep(0)
    async with asyncio.timeout(5):
        async with locking._event_gate(2):
            assert set(locking._gates) == {1, 2}
    release.set()
    await holder
    assert locking._gates == {}


async def test_cancelled_waiters_leave_no_gate_behind() -> None:
    holder_in, release = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with locking._event_gate(5):
            holder_in.set()
            await release.wait()

    async def wait() -> None:
        async with locking._event_gate(5):
            raise AssertionError("a cancelled waiter must not enter")

    holder = asyncio.create_task(hold())
    await holder_in.wait()
    waiters = [asyncio.create_task(wait()) for _ in range(5)]
    await asyncio.sleep(0)
    assert locking._gates[5][1] == 6
    for waiter in waiters:
        waiter.cancel()
    await asyncio.gather(*waiters, return_exceptions=True)
    assert locking._gates[5][1] == 1
    release.set()
    await holder
    assert locking._gates == {}
