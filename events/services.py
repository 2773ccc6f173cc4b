"""Events as staff write them: create, edit, publish, finish, cancel; hosts and audience.

Times arrive as wall-clock times in the form's time zone and are stored in UTC. Each write is
one transaction; an edit that lowers the capacity below the confirmed count is refused with
the count, one that raises it fills the new seats from the waitlist
(events.registration.allocation).
"""

from __future__ import annotations

from typing import Any

from accounts.audience import check_audience
from accounts.tables import Account, Member
from core.database import transaction
from core.errors import DomainError
from core.forms import Problems, refuse
from core.i18n import N_, gettext
from core.markdown import render_markdown
from core.templating import get_timezone
from core.timeutil import is_valid_timezone, to_utc, utcnow
from events.calendar import next_sequence
from events.emails import queue_event_email, registrants
from events.locking import locked_event
from events.registration.allocation import fill_seats
from events.registration.policies import policy_of
from events.rows import EventRow
from events.rules import ACTIVE, count_status, get_event, require_staff
from events.schemas import TITLE_MAX, EventIn
from events.tables import (
    Audience,
    Event,
    EventAudienceAccount,
    EventHost,
    EventKind,
    EventStatus,
    RegistrationStatus,
)

# --- loading -----------------------------------------------------------------------------


async def event_hosts(event_id: int) -> list[dict[str, Any]]:
    return await (
        EventHost.select(
            EventHost.member.as_alias("id"),
            EventHost.member.display_name.as_alias("display_name"),
        )
        .where(EventHost.event == event_id)
        .order_by(EventHost.id)
    )


async def audience_account_ids(event_id: int) -> list[int]:
    rows = await EventAudienceAccount.select(EventAudienceAccount.account).where(
        EventAudienceAccount.event == event_id
    )
    return [row["account"] for row in rows]


async def all_accounts() -> list[dict[str, Any]]:
    return await (
        Account.select(Account.id, Account.name, Account.touch_tier)
        .where(Account.active.eq(True))
        .order_by(Account.name)
    )


# --- input -------------------------------------------------------------------------------


def _http_url(url: str) -> bool:
    # No whitespace or control characters: a line break would start a line of its own in the
    # text emails and the .ics (a "Join URL:" of someone else's choosing).
    plain = not any(char.isspace() or not char.isprintable() for char in url)
    return url.startswith(("https://", "http://")) and len(url) > 10 and plain


async def clean_event(data: EventIn) -> tuple[dict[str, Any], list[int], list[int]]:
    """(column values, host ids, audience account ids), or a DomainError naming each problem
    (in the form's order: the first is the headline)."""
    problems: Problems = {}
    title = (data.title or "").strip()
    if not title:
        problems["title"] = (N_("Enter a title."), {})
    elif len(title) > TITLE_MAX:
        problems["title"] = (
            N_("Keep the title to %(max)s characters or fewer (now %(count)s)."),
            {"max": TITLE_MAX, "count": len(title)},
        )
    zone = (data.timezone or get_timezone()).strip()
    if not is_valid_timezone(zone):
        problems["timezone"] = (N_("Choose a valid time zone."), {})
        zone = "UTC"
    values = _event_values(data, title, zone)
    problems.update(_place_problems(values))
    problems.update(policy_of(values["allocation"]).clean_form(values))
    problems.update(_window_problems(values))
    hosts = sorted(set(data.hosts))
    problems.update(await _host_problems(hosts))
    accounts, audience_problems = await check_audience(
        data.audience, list(data.audience_tiers), list(data.audience_accounts)
    )
    problems.update(audience_problems)
    if data.audience != Audience.tiers.value:
        values["audience_tiers"] = ""
    refuse(problems)
    return values, hosts, accounts


def _event_values(data: EventIn, title: str, zone: str) -> dict[str, Any]:
    """The form as column values: times read in `zone` and stored in UTC."""
    description = (data.description or "").strip()
    return {
        "kind": data.kind,
        "title": title,
        "description": description,
        "timezone": zone,
        "starts_at": to_utc(data.starts_at, zone),
        "ends_at": to_utc(data.ends_at, zone),
        "online": data.kind == EventKind.webinar.value or data.online,
        "join_url": (data.join_url or "").strip(),
        "venue": (data.venue or "").strip(),
        "address": (data.address or "").strip(),
        "capacity": data.capacity,
        "allocation": data.allocation,
        "draw_at": to_utc(data.draw_at, zone),
        "registration_opens_at": to_utc(data.registration_opens_at, zone),
        "registration_closes_at": to_utc(data.registration_closes_at, zone),
        "cancellation_deadline": to_utc(data.cancellation_deadline, zone),
        "audience": data.audience,
        "audience_tiers": " ".join(sorted(set(data.audience_tiers))),
        "description_html": render_markdown(description),
    }


def _place_problems(values: dict[str, Any]) -> Problems:
    """When and where: an end after the start, a join URL online, a venue on site."""
    problems: Problems = {}
    if values["ends_at"] <= values["starts_at"]:
        problems["ends_at"] = (N_("The end must be after the start."), {})
    if values["join_url"] and not _http_url(values["join_url"]):
        problems["join_url"] = (N_("Enter a URL starting with http:// or https://."), {})
    elif values["online"] and not values["join_url"]:
        problems["join_url"] = (N_("Enter the join URL of an online event."), {})
    if not values["online"] and not values["venue"]:
        problems["venue"] = (N_("Enter the venue of an on-site mokumoku-kai."), {})
    return problems


def _window_problems(values: dict[str, Any]) -> Problems:
    """Registration opens before it closes, and both it and cancellation end by the end."""
    problems: Problems = {}
    ends = values["ends_at"]
    opens, closes = values["registration_opens_at"], values["registration_closes_at"]
    if opens and closes and closes <= opens:
        problems["registration_closes_at"] = (N_("Registration must close after it opens."), {})
    if closes and closes > ends:
        problems["registration_closes_at"] = (
            N_("Registration must close before the event ends."),
            {},
        )
    deadline = values["cancellation_deadline"]
    if deadline and deadline > ends:
        problems["cancellation_deadline"] = (
            N_("The cancellation deadline must be before the event ends."),
            {},
        )
    return problems


async def _host_problems(hosts: list[int]) -> Problems:
    if not hosts:
        return {}
    known = await Member.select(Member.id).where(
        Member.id.is_in(hosts) & Member.role.is_in(["csm", "admin"]) & Member.active.eq(True)
    )
    if len(known) != len(hosts):
        return {"hosts": (N_("Hosts must be staff members (CSMs or admins)."), {})}
    return {}


async def _save_links(event_id: int, hosts: list[int], accounts: list[int]) -> None:
    await EventHost.delete().where(EventHost.event == event_id)
    if hosts:
        await EventHost.insert(*[EventHost(event=event_id, member=m) for m in hosts])
    await EventAudienceAccount.delete().where(EventAudienceAccount.event == event_id)
    if accounts:
        await EventAudienceAccount.insert(
            *[EventAudienceAccount(event=event_id, account=a) for a in accounts]
        )


# --- writes ------------------------------------------------------------------------------


async def insert_event(
    actor: Member, values: dict[str, Any], hosts: list[int], accounts: list[int], **extra: Any
) -> int:
    """Insert one event row with its hosts and audience (inside the caller's transaction)."""
    now = utcnow()
    event = Event(**values, **extra, created_by=actor.id, created_at=now, updated_at=now)
    await event.save()
    await _save_links(event.id, hosts, accounts)
    return int(event.id)


async def create_event(actor: Member, data: EventIn, publish: bool = False) -> int:
    """A new event (draft, or published at once)."""
    require_staff(actor)
    values, hosts, accounts = await clean_event(data)
    status = EventStatus.published.value if publish else EventStatus.draft.value
    async with transaction():
        return await insert_event(actor, values, hosts, accounts, status=status)


async def apply_event_values(
    event: EventRow,
    values: dict[str, Any],
    hosts: list[int],
    accounts: list[int],
    **extra: Any,
) -> None:
    """Write new values to a locked event: capacity checks, reminders re-armed when the start
    moves, new seats filled from the waitlist (inside the caller's transaction)."""
    event_id = event.id
    if event.status in (EventStatus.cancelled.value, EventStatus.finished.value):
        raise DomainError(N_("A cancelled or finished event cannot be edited."))
    confirmed = await count_status(event_id, RegistrationStatus.confirmed.value)
    capacity = values["capacity"]
    if capacity is not None and capacity < confirmed:
        message = N_(
            "The capacity cannot be lower than the %(count)s registrants already confirmed."
        )
        raise DomainError(
            message,
            field_errors={"capacity": gettext(message, count=confirmed)},
            count=confirmed,
        )
    if event.drawn_at is not None and values["allocation"] != event.allocation:
        raise DomainError(
            N_("The lottery was already drawn: the allocation cannot change."),
            field_errors={"allocation": gettext("The lottery was already drawn.")},
        )
    if event.drawn_at is not None:
        values = {**values, "draw_at": event.draw_at}
    update = {**values, **extra, "updated_at": utcnow()}
    if values["starts_at"] != event.starts_at:
        update.update(reminded_24h_at=None, reminded_1h_at=None)
    await Event.update({getattr(Event, key): value for key, value in update.items()}).where(
        Event.id == event_id
    )
    await _save_links(event_id, hosts, accounts)
    if event.status == EventStatus.published.value:
        await fill_seats(event_id)
        await _send_updated_invites(event, values)


CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "timezone", "online", "venue", "address")


async def _send_updated_invites(before: EventRow, values: dict[str, Any]) -> None:
    """A change of title, time, place or join URL: confirmed registrants get the invite again
    (same UID, higher SEQUENCE, METHOD:REQUEST), so their calendars move the entry."""
    fields = (*CALENDAR_FIELDS, "join_url")
    if all(values.get(key, getattr(before, key)) == getattr(before, key) for key in fields):
        return
    await next_sequence(await get_event(before.id))
    for row in await registrants(before.id, (RegistrationStatus.confirmed.value,)):
        await queue_event_email("event_updated", row.id)


async def update_event(actor: Member, event_id: int, data: EventIn) -> None:
    """Save an edited event. An occurrence of a series edited on its own leaves the series
    (later series edits no longer change it)."""
    require_staff(actor)
    values, hosts, accounts = await clean_event(data)
    async with locked_event(event_id) as event:
        extra = {"series_detached": True} if event.series is not None else {}
        await apply_event_values(event, values, hosts, accounts, **extra)


async def publish_event(actor: Member, event_id: int) -> None:
    require_staff(actor)
    async with locked_event(event_id) as event:
        if event.status != EventStatus.draft.value:
            raise DomainError(N_("Only a draft can be published."))
        await Event.update(
            {Event.status: EventStatus.published.value, Event.updated_at: utcnow()}
        ).where(Event.id == event_id)


async def finish_event(actor: Member, event_id: int) -> None:
    require_staff(actor)
    async with locked_event(event_id) as event:
        if event.status != EventStatus.published.value:
            raise DomainError(N_("Only a published event can be marked finished."))
        if event.starts_at > utcnow():
            raise DomainError(N_("An event can be marked finished once it has started."))
        await Event.update(
            {Event.status: EventStatus.finished.value, Event.updated_at: utcnow()}
        ).where(Event.id == event_id)


async def cancel_event(actor: Member, event_id: int) -> int:
    """Cancel the event and email every confirmed, waitlisted or applied registrant; returns
    how many were told. Their registrations stay as they were (the record of who was in)."""
    require_staff(actor)
    async with locked_event(event_id) as event:
        if event.status not in (EventStatus.draft.value, EventStatus.published.value):
            raise DomainError(N_("This event is already finished or cancelled."))
        now = utcnow()
        await Event.update(
            {Event.status: EventStatus.cancelled.value, Event.updated_at: now}
        ).where(Event.id == event_id)
        event = await next_sequence(
            event.replace(status=EventStatus.cancelled.value, updated_at=now)
        )
        people = await registrants(event_id, ACTIVE)
        for row in people:
            await queue_event_email("event_cancelled", row.id)
        return len(people)
