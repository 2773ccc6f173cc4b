"""Locking an event for a write: the row lock, and one waiter per event and process in front
of it (registration, cancellation, promotion, capacity changes)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from core.database import is_postgres, transaction
from core.errors import NotFound
from core.i18n import N_
from events.rows import EventRow
from events.tables import Event

EVENT_NOT_FOUND = N_("This event does not exist, or you cannot see it.")


async def lock_event(event_id: int, *, registrations_may_join: bool = False) -> EventRow:
    """The event row, locked until the transaction ends (PostgreSQL `SELECT … FOR UPDATE`;
    on SQLite the transaction's BEGIN IMMEDIATE already serialises writers).

    `registrations_may_join` takes the weaker `FOR NO KEY UPDATE`: other transactions may
    still add registrations to the event meanwhile (attendance, check-in, no-shows, which
    change registrations but not who may register)."""
    query = Event.select().where(Event.id == event_id)
    if is_postgres():
        query = query.lock_rows("NO KEY UPDATE" if registrations_may_join else "UPDATE")
    row = await query.first()
    if row is None:
        raise NotFound(EVENT_NOT_FOUND)
    return EventRow.of(row)


# One waiter per event and process: a burst of registrations for one event queues here, in
# memory, instead of each request holding a pooled connection while it waits for the row lock
# (which starved the pool and every other request of the process). {event id: (lock, users)}
_gates: dict[int, tuple[asyncio.Lock, int]] = {}


@asynccontextmanager
async def _event_gate(event_id: int) -> AsyncIterator[None]:
    lock, users = _gates.get(event_id, (asyncio.Lock(), 0))
    _gates[event_id] = (lock, users + 1)
    try:
        async with lock:
            yield
    finally:
        lock, users = _gates[event_id]
        if users == 1:
            del _gates[event_id]
        else:
            _gates[event_id] = (lock, users - 1)


@asynccontextmanager
async def locked_event(event_id: int) -> AsyncIterator[EventRow]:
    """A write transaction holding the event row's lock, yielding the row. Callers of one
    process wait for the event in memory first, so a crowd costs one database connection
    per process. Not for use inside a transaction that already locked this event."""
    async with _event_gate(event_id), transaction():
        yield await lock_event(event_id)
