"""The events JSON API under /api/v1/events: the same services and checks as the pages.

Customers list and read the events of their audience, register and cancel; staff also read
any event and its roster, and — with a session, or an API token of scope events:write acting
as the admin who created it — create and change events, publish, finish or cancel them, and
add to and remove from the roster. (Attendance imports are in events/attendance/api.py.)
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.openapi import ResponseSpec
from litestar.params import Body

from accounts.api import acting_member
from accounts.tables import Member
from core.api_tokens import TOKEN_PROBLEMS, token_route
from core.guards import requires_member
from core.i18n import N_
from core.ids import PathId
from core.problems import SIGNED_IN, WRITE, problem_responses
from events import rules, services
from events.attendance.roster import roster_counts, roster_rows
from events.registration import allocation as registration
from events.registration.audience import status_counts, upcoming_events, visible_event
from events.rows import EventRow, RegistrationRow
from events.rules import require_staff
from events.schemas import (
    EventApiIn,
    EventOut,
    EventStatusIn,
    RegisterOut,
    RegistrationOut,
    RosterAddIn,
    RosterOut,
    RosterRowOut,
)
from events.tables import RegistrationStatus


def registration_out(row: RegistrationRow) -> RegistrationOut:
    confirmed = row.status == RegistrationStatus.confirmed.value
    return RegistrationOut(
        id=row.id,
        event_id=row.event,
        status=row.status,
        waitlist_position=row.waitlist_position,
        checkin_code=row.checkin_code if confirmed else None,
        attendance=row.attendance,
        registered_at=row.registered_at,
        confirmed_at=row.confirmed_at,
        cancelled_at=row.cancelled_at,
    )


async def event_out(member: Member, event: EventRow, counts: dict[str, int]) -> EventOut:
    mine = await registration.my_registration(event.id, member.id)
    confirmed_count = counts.get(RegistrationStatus.confirmed.value, 0)
    capacity = event.capacity
    sees_link = member.is_staff or bool(mine and mine.status == RegistrationStatus.confirmed.value)
    return EventOut(
        id=event.id,
        kind=event.kind,
        title=event.title,
        description_html=event.description_html,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        timezone=event.timezone,
        online=event.online,
        join_url=event.join_url if sees_link and event.join_url else None,
        venue=event.venue,
        address=event.address,
        capacity=capacity,
        confirmed_count=confirmed_count,
        waitlisted_count=counts.get(RegistrationStatus.waitlisted.value, 0),
        seats_left=None if capacity is None else max(0, capacity - confirmed_count),
        allocation=event.allocation,
        draw_at=event.draw_at,
        drawn_at=event.drawn_at,
        draw_seed=event.draw_seed or None,
        status=event.status,
        registration_opens_at=event.registration_opens_at,
        registration_closes_at=event.registration_closes_at,
        cancellation_deadline=event.cancellation_deadline,
        series_id=event.series,
        my_registration=registration_out(mine) if mine else None,
    )


WRITE_SCOPE = "events:write"
SCOPES = {WRITE_SCOPE: N_("Create, change and cancel events; change their rosters")}
CHANGE = problem_responses(*WRITE, 404, 409, 429, described=TOKEN_PROBLEMS)
MEMBERS = [requires_member]
# The staff writes: staff sessions, or API tokens with events:write acting as their creator.
STAFF_WRITE = token_route(WRITE_SCOPE)


async def _event(actor: Any, event_id: int) -> EventOut:
    event = await rules.get_event(event_id)
    counts = await status_counts([event_id])
    return await event_out(actor, event, counts.get(event_id, {}))


class EventsApiController(Controller):
    """Events, registration and the roster; the staff's changes to events and rosters."""

    path = "/api/v1/events"
    tags = ["events"]

    @get("/", responses=problem_responses(*SIGNED_IN), guards=MEMBERS)
    async def list_events(self, request: Request[Any, Any, Any]) -> list[EventOut]:
        """Events that have not ended: a customer's audience (published), or all for staff."""
        events = await upcoming_events(request.user)
        counts = await status_counts([e.id for e in events])
        return [await event_out(request.user, e, counts.get(e.id, {})) for e in events]

    @get("/{event_id:int}", responses=problem_responses(400, *SIGNED_IN, 404), guards=MEMBERS)
    async def read(self, request: Request[Any, Any, Any], event_id: PathId) -> EventOut:
        """One event with the caller's registration (404 if the caller may not see it)."""
        event = await visible_event(request.user, event_id)
        counts = await status_counts([event_id])
        return await event_out(request.user, event, counts.get(event_id, {}))

    @post(
        "/{event_id:int}/register",
        guards=MEMBERS,
        responses={
            **problem_responses(*WRITE, 404, 409),
            200: ResponseSpec(RegisterOut, description="Already registered: that registration."),
        },
    )
    async def register(
        self, request: Request[Any, Any, Any], event_id: PathId
    ) -> Response[RegisterOut]:
        """Register (customers). 201 with the new registration; 200 if already registered."""
        await visible_event(request.user, event_id)
        row, created = await registration.register(request.user, event_id)
        out = RegisterOut(created=created, registration=registration_out(row))
        return Response(out, status_code=201 if created else 200)

    @post(
        "/{event_id:int}/cancel",
        status_code=200,
        responses=problem_responses(*WRITE, 404),
        guards=MEMBERS,
    )
    async def cancel(self, request: Request[Any, Any, Any], event_id: PathId) -> RegistrationOut:
        """Cancel the caller's registration before the cancellation deadline."""
        await visible_event(request.user, event_id)
        row = await registration.cancel(request.user, event_id)
        return registration_out(row)

    @get(
        "/{event_id:int}/roster", responses=problem_responses(400, *SIGNED_IN, 404), guards=MEMBERS
    )
    async def roster(self, request: Request[Any, Any, Any], event_id: PathId) -> RosterOut:
        """Every registration with member and account (staff only)."""
        require_staff(request.user)
        event = await visible_event(request.user, event_id)
        rows = await roster_rows(event.id)
        return RosterOut(
            event_id=event_id,
            counts=roster_counts(rows),
            rows=[
                RosterRowOut(
                    id=row.id,
                    member_id=row.member,
                    display_name=row.member_name,
                    email=row.email,
                    account_name=row.account_name,
                    status=row.status,
                    waitlist_position=row.waitlist_position,
                    attendance=row.attendance,
                    checkin_code=row.checkin_code,
                    registered_at=row.registered_at,
                    cancelled_at=row.cancelled_at,
                )
                for row in rows
            ],
        )

    @post("/", responses=CHANGE, **STAFF_WRITE)
    async def create_event(
        self, request: Request[Any, Any, Any], data: Annotated[EventApiIn, Body()]
    ) -> EventOut:
        """A new event: a draft, or published at once with `publish`."""
        actor = await acting_member(request)
        event_id = await services.create_event(actor, data.as_form(), data.publish)
        return await _event(actor, event_id)

    @put("/{event_id:int}", responses=CHANGE, **STAFF_WRITE)
    async def update_event(
        self,
        request: Request[Any, Any, Any],
        event_id: PathId,
        data: Annotated[EventApiIn, Body()],
    ) -> EventOut:
        """Replace the event's fields (capacity below the confirmed count is refused)."""
        actor = await acting_member(request)
        await rules.get_event(event_id)
        await services.update_event(actor, event_id, data.as_form())
        return await _event(actor, event_id)

    @post("/{event_id:int}/status", status_code=200, responses=CHANGE, **STAFF_WRITE)
    async def change_status(
        self,
        request: Request[Any, Any, Any],
        event_id: PathId,
        data: Annotated[EventStatusIn, Body()],
    ) -> EventOut:
        """Publish a draft, mark a published event finished, or cancel it (its registrants
        are told by email)."""
        actor = await acting_member(request)
        if data.status == "published":
            await services.publish_event(actor, event_id)
        elif data.status == "finished":
            await services.finish_event(actor, event_id)
        else:
            await services.cancel_event(actor, event_id)
        return await _event(actor, event_id)

    @post("/{event_id:int}/registrations", responses=CHANGE, **STAFF_WRITE)
    async def add_to_roster(
        self,
        request: Request[Any, Any, Any],
        event_id: PathId,
        data: Annotated[RosterAddIn, Body()],
    ) -> Response[RegisterOut]:
        """Add a customer by email: 201 with the registration (confirmed, waitlisted or a
        lottery entry), 200 when already registered."""
        actor = await acting_member(request)
        row, created = await registration.add_registrant(
            actor, event_id, data.email, data.over_capacity
        )
        out = RegisterOut(created=created, registration=registration_out(row))
        return Response(out, status_code=201 if created else 200)

    @delete(
        "/{event_id:int}/registrations/{registration_id:int}",
        status_code=204,
        responses=CHANGE,
        **STAFF_WRITE,
    )
    async def remove_from_roster(
        self, request: Request[Any, Any, Any], event_id: PathId, registration_id: PathId
    ) -> None:
        """Take someone off the roster; the first waitlisted takes the seat."""
        actor = await acting_member(request)
        await registration.remove_registrant(actor, event_id, registration_id)
