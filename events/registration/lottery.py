"""The lottery draw: applications (`applied`) until `draw_at`, then one published draw.

The draw shuffles the applicants' registration ids, sorted, with `random.Random(seed)`; the
seed (`secrets.token_hex(16)`) is stored in `draw_seed` and shown on the event page with the
drawn order, so anyone can re-run it. The first `capacity` (less anyone staff confirmed
beyond it) are confirmed, the rest waitlisted in the drawn order (`queue_order` =
`lottery_rank`). Each applicant is emailed the result. A cron draws due events every minute.
"""

from __future__ import annotations

import random
import secrets
from typing import Any

from core.database import transaction
from core.timeutil import utcnow
from events.emails import queue_event_email
from events.locking import lock_event
from events.registration.codes import unique_code
from events.rules import count_status
from events.tables import Allocation, Event, EventStatus, Registration, RegistrationStatus


def draw_order(seed: str, registration_ids: list[int]) -> list[int]:
    """The published draw: the applicants' registration ids, sorted, shuffled by the seed."""
    order = sorted(registration_ids)
    random.Random(seed).shuffle(order)
    return order


async def draw_lottery(event_id: int) -> bool:
    """Draw a lottery whose `draw_at` has passed (once): the first `capacity` in the drawn
    order are confirmed, the rest waitlisted in that order; everyone is emailed the result."""
    async with transaction():
        event = await lock_event(event_id)
        now = utcnow()
        if (
            event.allocation != Allocation.lottery.value
            or event.drawn_at is not None
            or event.status != EventStatus.published.value
            or event.draw_at is None
            or event.draw_at > now
        ):
            return False
        applicants = await Registration.select(Registration.id).where(
            (Registration.event == event_id)
            & (Registration.status == RegistrationStatus.applied.value)
        )
        seed = secrets.token_hex(16)
        order = draw_order(seed, [row["id"] for row in applicants])
        confirmed = await count_status(event_id, RegistrationStatus.confirmed.value)
        seats = max(0, (event.capacity or len(order)) - confirmed)
        await Event.update(
            {Event.drawn_at: now, Event.draw_seed: seed, Event.updated_at: now}
        ).where(Event.id == event_id)
        event = event.replace(drawn_at=now, draw_seed=seed)
        for rank, registration_id in enumerate(order, start=1):
            won = rank <= seats
            values: dict[Any, Any] = {
                Registration.lottery_rank: rank,
                Registration.queue_order: rank,
                Registration.status: RegistrationStatus.confirmed.value
                if won
                else RegistrationStatus.waitlisted.value,
            }
            if won:
                values[Registration.confirmed_at] = now
                values[Registration.checkin_code] = await unique_code(event_id)
            await Registration.update(values).where(Registration.id == registration_id)
            kind = "lottery_won" if won else "lottery_waitlisted"
            await queue_event_email(kind, registration_id, position=None if won else rank - seats)
        return True


async def due_lotteries(limit: int = 100) -> list[int]:
    rows = (
        await Event.select(Event.id)
        .where(
            (Event.allocation == Allocation.lottery.value)
            & Event.drawn_at.is_null()
            & (Event.status == EventStatus.published.value)
            & (Event.draw_at <= utcnow())
        )
        .order_by(Event.draw_at)
        .limit(limit)
    )
    return [row["id"] for row in rows]


async def lottery_result(event_id: int) -> list[dict[str, Any]]:
    """The drawn order (rank, registration id, member name) for the event page."""
    return await (
        Registration.select(
            Registration.id,
            Registration.lottery_rank,
            Registration.status,
            Registration.member.display_name.as_alias("member_name"),
        )
        .where((Registration.event == event_id) & Registration.lottery_rank.is_not_null())
        .order_by(Registration.lottery_rank)
    )
