"""Event pages for members: the list, the event page, register and cancel, the calendar feed.

Handlers are thin: call a service, render or redirect. Refusals (not open, deadline passed,
not in the audience) are translated error pages and write nothing. Staff pages live in
events/staff_controllers.py, the JSON API in events/api.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from accounts.tables import Member
from core.errors import NotFound
from core.guards import requires_member
from core.i18n import N_, Text, lazy
from core.ids import PathId
from core.settings import CoreSettings
from core.templating import safe
from core.timeutil import utcnow
from core.web import flash, redirect
from events import calendar
from events.api import EventsApiController
from events.attendance.feedback import feedback_open
from events.registration import allocation as registration
from events.registration.audience import (
    in_audience,
    past_events,
    status_counts,
    upcoming_events,
    visible_event,
)
from events.registration.lottery import lottery_result
from events.registration.policies import AllocationPolicy, policy_of
from events.rows import EventRow, RegistrationRow
from events.rules import cancellation_closes, registration_closes
from events.services import event_hosts
from events.staff_controllers import SeriesController, StaffEventsController
from events.tables import EventStatus, Registration, RegistrationStatus


@dataclass(frozen=True, slots=True)
class EventCard:
    """An event as a page lists it: the row, its registration counts and the seats left
    (None: unlimited). Reads through to the row's fields (`card.title`)."""

    event: EventRow
    confirmed_count: int
    waitlisted_count: int
    applied_count: int
    seats_left: int | None

    @property
    def policy(self) -> AllocationPolicy:
        """Its allocation policy: the pages' badge and button."""
        return policy_of(self.event)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.event, name)


def with_counts(event: EventRow, counts: dict[str, int]) -> EventCard:
    """The event with its registration counts and the seats left (None: unlimited)."""
    confirmed = counts.get(RegistrationStatus.confirmed.value, 0)
    capacity = event.capacity
    return EventCard(
        event=event,
        confirmed_count=confirmed,
        waitlisted_count=counts.get(RegistrationStatus.waitlisted.value, 0),
        applied_count=counts.get(RegistrationStatus.applied.value, 0),
        seats_left=None if capacity is None else max(0, capacity - confirmed),
    )


async def events_with_counts(events: list[EventRow]) -> list[EventCard]:
    counts = await status_counts([event.id for event in events])
    return [with_counts(event, counts.get(event.id, {})) for event in events]


async def my_registrations(member_id: int, event_ids: list[int]) -> dict[int, RegistrationRow]:
    if not event_ids:
        return {}
    rows = await Registration.select().where(
        (Registration.member == member_id)
        & Registration.event.is_in(event_ids)
        & (Registration.status != RegistrationStatus.cancelled.value)
    )
    mine = {}
    for found in rows:
        row = RegistrationRow.of(found)
        mine[row.event] = row.replace(waitlist_position=await registration.waitlist_position(row))
    return mine


async def register_state(member: Member, event: EventRow) -> str:
    """Why the member can or cannot register now: open, staff, not_audience, not_open,
    not_yet, closed, full (still open: the waitlist)."""
    if member.is_staff or member.account is None:
        return "staff"
    if event.status != EventStatus.published.value:
        return "not_open"
    if not await in_audience(event, member.account):
        return "not_audience"
    now = utcnow()
    if event.registration_opens_at and now < event.registration_opens_at:
        return "not_yet"
    if now >= registration_closes(event):
        return "closed"
    return "open"


class EventsController(Controller):
    """Events as members see them."""

    path = "/events"
    guards = [requires_member]
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any]) -> Template:
        """Upcoming events the member is invited to (staff: all), with their own status."""
        member = request.user
        events = await events_with_counts(await upcoming_events(member))
        mine = await my_registrations(member.id, [e.id for e in events])
        return Template(
            "events/index.html",
            context={
                "events": events,
                "mine": mine,
                "past": await past_events(member, limit=10),
            },
        )

    @get("/{event_id:int}")
    async def page(self, request: Request[Any, Any, Any], event_id: PathId) -> Template:
        """The event page: details, the member's status, register or cancel."""
        member = request.user
        event = await visible_event(member, event_id)
        counts = await status_counts([event_id])
        card = with_counts(event, counts.get(event_id, {}))
        mine = await registration.my_registration(event_id, member.id)
        active = mine if mine and mine.status != RegistrationStatus.cancelled.value else None
        confirmed = bool(active and active.status == RegistrationStatus.confirmed.value)
        drawn = event.drawn_at is not None  # only a lottery is drawn
        return Template(
            "events/event.html",
            context={
                "event": card,
                "description_html": safe(event.description_html),
                "registration": mine,
                "active": active,
                "is_staff": member.is_staff,
                "hosts": await event_hosts(event_id),
                "state": await register_state(member, event),
                "can_cancel": bool(
                    active
                    and event.status == EventStatus.published.value
                    and utcnow() < cancellation_closes(event)
                ),
                "show_join_url": bool(event.join_url) and (confirmed or member.is_staff),
                "registration_closes": registration_closes(event),
                "cancellation_closes": cancellation_closes(event),
                "draw": await lottery_result(event_id) if drawn else [],
                "feedback_open": feedback_open(event, mine),
            },
        )

    @post("/{event_id:int}/register")
    async def register(self, request: Request[Any, Any, Any], event_id: PathId) -> Redirect:
        """Register in one click (a second click finds the first registration)."""
        await visible_event(request.user, event_id)  # an unseen event is not found, not refused
        row, created = await registration.register(request.user, event_id)
        flash(request, registered_message(row, created), "success" if created else "info")
        return redirect(f"/events/{event_id}")

    @post("/{event_id:int}/cancel")
    async def cancel(self, request: Request[Any, Any, Any], event_id: PathId) -> Redirect:
        """Cancel one's registration before the deadline."""
        await registration.cancel(request.user, event_id)
        flash(request, lazy("Your registration was cancelled."), "info")
        return redirect(f"/events/{event_id}")

    @get("/calendar")
    async def calendar_page(self, request: Request[Any, Any, Any]) -> Template:
        """The private calendar feed: make, remake or revoke its address."""
        return await _calendar_page(request.user, None, None)

    @post("/calendar")
    async def make_feed(
        self, request: Request[Any, Any, Any], settings: NamedDependency[CoreSettings]
    ) -> Template:
        """A new feed address (the previous one stops working); shown once."""
        token = await calendar.create_feed_token(request.user)
        return await _calendar_page(request.user, token, settings)

    @post("/calendar/revoke")
    async def revoke_feed(self, request: Request[Any, Any, Any]) -> Redirect:
        await calendar.revoke_feed_token(request.user)
        flash(request, lazy("The calendar address was turned off."), "info")
        return redirect("/events/calendar")


class CalendarFeedController(Controller):
    """The calendar feed itself: no sign-in, the token in the address is the key."""

    path = "/events/calendar"
    include_in_schema = False

    @get("/{filename:str}")
    async def feed(
        self, filename: FromPath[str], settings: NamedDependency[CoreSettings]
    ) -> Response[bytes]:
        token = filename.removesuffix(".ics")
        body = await calendar.feed_ics(settings, token) if filename.endswith(".ics") else None
        if body is None:
            raise NotFound(N_("This calendar address is unknown or was turned off."))
        return Response(
            body,
            media_type="text/calendar",
            headers={"cache-control": "private, max-age=300"},
        )


async def _calendar_page(
    member: Member, token: str | None, settings: CoreSettings | None
) -> Template:
    urls = calendar.feed_urls(settings, token) if token and settings else None
    return Template(
        "events/calendar.html",
        context={
            "created_at": await calendar.feed_created_at(member),
            "url": urls[0] if urls else None,
            "webcal": urls[1] if urls else None,
        },
    )


def registered_message(row: RegistrationRow, created: bool) -> Text:
    if not created:
        return lazy("You are already registered for this event.")
    if row.status == RegistrationStatus.confirmed.value:
        return lazy("You are registered. A confirmation email with a calendar invitation is sent.")
    if row.status == RegistrationStatus.waitlisted.value:
        return lazy(
            "The event is full: you are on the waitlist (position %(position)s).",
            position=row.waitlist_position,
        )
    return lazy("Your application is in. You will get the lottery result by email.")


async def home_section(member: Member) -> tuple[str, dict[str, Any]] | None:
    """The member's upcoming registrations (staff: the next events), for the home page."""
    events = await upcoming_events(member)
    if member.is_staff:
        return "events/home_section.html", {"events": events[:5], "mine": {}, "staff": True}
    mine = await my_registrations(member.id, [e.id for e in events])
    registered = [e for e in events if e.id in mine]
    return "events/home_section.html", {"events": registered[:5], "mine": mine, "staff": False}


ROUTES = [
    EventsController,
    CalendarFeedController,
    StaffEventsController,
    SeriesController,
    EventsApiController,
]
