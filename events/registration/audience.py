"""Who an event is for, and the event lists each viewer sees.

An event's audience is every account, the accounts of chosen touch tiers (Account.touch_tier
at the time of the check), or chosen accounts. Customers see published, finished and
cancelled events of their audience (drafts never); staff see everything.
"""

from __future__ import annotations

from typing import Any

from accounts.tables import Account, Member
from core.database import fetch
from core.errors import NotFound
from core.timeutil import utcnow
from events.rows import EventRow
from events.rules import EVENT_NOT_FOUND, get_event
from events.tables import Audience, Event, EventAudienceAccount, EventStatus, Registration

LIST_LIMIT = 100


async def in_audience(event: EventRow, account_id: int | None) -> bool:
    """Whether members of `account_id` are invited to `event` (staff have no account: no)."""
    if account_id is None:
        return False
    if event.audience == Audience.all.value:
        return True
    if event.audience == Audience.tiers.value:
        row = await Account.select(Account.touch_tier).where(Account.id == account_id).first()
        return row is not None and row["touch_tier"] in event.audience_tiers.split()
    return await EventAudienceAccount.exists().where(
        (EventAudienceAccount.event == event.id) & (EventAudienceAccount.account == account_id)
    )


async def visible_event(member: Member, event_id: int) -> EventRow:
    """The event if `member` may see it, else NotFound (the same answer as for no event)."""
    event = await get_event(event_id)
    if member.is_staff:
        return event
    if event.status != EventStatus.draft.value:
        if await in_audience(event, member.account):
            return event
        # Someone registered keeps seeing the event even if the audience changed since.
        if await Registration.exists().where(
            (Registration.event == event_id) & (Registration.member == member.id)
        ):
            return event
    raise NotFound(EVENT_NOT_FOUND)


async def _audience_where(account_id: int) -> Any:
    tier_row = await Account.select(Account.touch_tier).where(Account.id == account_id).first()
    tier = tier_row["touch_tier"] if tier_row else ""
    chosen = await EventAudienceAccount.select(EventAudienceAccount.event).where(
        EventAudienceAccount.account == account_id
    )
    where: Any = Event.audience == Audience.all.value
    if tier:
        where = where | (
            (Event.audience == Audience.tiers.value) & Event.audience_tiers.like(f"%{tier}%")
        )
    ids = [row["event"] for row in chosen]
    if ids:
        where = where | ((Event.audience == Audience.accounts.value) & Event.id.is_in(ids))
    return where


async def upcoming_events(member: Member, *, include_past: bool = False) -> list[EventRow]:
    """Events for the list page: customers see the published events of their audience that
    have not ended; staff see every event that has not ended (drafts too)."""
    query = Event.select().order_by(Event.starts_at).limit(LIST_LIMIT)
    where: Any = Event.id > 0
    if not include_past:
        where = where & (Event.ends_at > utcnow())
    if member.is_staff:
        return _rows(await query.where(where))
    if member.account is None:
        return []
    where = where & (Event.status == EventStatus.published.value)
    return _rows(await query.where(where & await _audience_where(member.account)))


async def past_events(member: Member, limit: int = 50) -> list[EventRow]:
    """Ended events, newest first (staff: all; customers: those of their audience)."""
    query = Event.select().order_by(Event.starts_at, ascending=False).limit(limit)
    where: Any = Event.ends_at <= utcnow()
    if member.is_staff:
        return _rows(await query.where(where))
    if member.account is None:
        return []
    where = where & Event.status.is_in([EventStatus.published.value, EventStatus.finished.value])
    return _rows(await query.where(where & await _audience_where(member.account)))


def _rows(rows: list[dict[str, Any]]) -> list[EventRow]:
    return [EventRow.of(row) for row in rows]


async def status_counts(event_ids: list[int]) -> dict[int, dict[str, int]]:
    """{event id: {status: count}} for the given events."""
    if not event_ids:
        return {}
    marks = ", ".join("{}" for _ in event_ids)
    rows = await fetch(
        "SELECT event, status, COUNT(*) AS n FROM events_registration "  # noqa: S608
        f"WHERE event IN ({marks}) GROUP BY event, status",
        *event_ids,
    )
    counts: dict[int, dict[str, int]] = {event_id: {} for event_id in event_ids}
    for row in rows:
        counts[int(row["event"])][row["status"]] = int(row["n"])
    return counts
