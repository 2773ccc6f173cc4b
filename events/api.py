"""The events JSON API under /api/v1/events: the same services and checks as the pages.

Customers list and read the events of their audience, register and cancel; staff also read
any event and its roster. (Attendance imports are in events/attendance/api.py.)
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.openapi import ResponseSpec

from accounts.tables import Member
from core.guards import requires_member
from core.ids import PathId
from core.problems import SIGNED_IN, WRITE, problem_responses
from events.attendance.roster import roster_counts, roster_rows
from events.registration import allocation as registration
from events.registration.audience import status_counts, upcoming_events, visible_event
from events.rows import EventRow, RegistrationRow
from events.rules import require_staff
from events.schemas import EventOut, RegisterOut, RegistrationOut, RosterOut, RosterRowOut
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


class EventsApiController(Controller):
    """Events, registration and the roster."""

    path = "/api/v1/events"
    guards = [requires_member]
    tags = ["events"]

    @get("/", responses=problem_responses(*SIGNED_IN))
    async def list_events(self, request: Request[Any, Any, Any]) -> list[EventOut]:
        """Events that have not ended: a customer's audience (published), or all for staff."""
        events = await upcoming_events(request.user)
        counts = await status_counts([e.id for e in events])
        return [await event_out(request.user, e, counts.get(e.id, {})) for e in events]

    @get("/{event_id:int}", responses=problem_responses(400, *SIGNED_IN, 404))
    async def read(self, request: Request[Any, Any, Any], event_id: PathId) -> EventOut:
        """One event with the caller's registration (404 if the caller may not see it)."""
        event = await visible_event(request.user, event_id)
        counts = await status_counts([event_id])
        return await event_out(request.user, event, counts.get(event_id, {}))

    @post(
        "/{event_id:int}/register",
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

    @post("/{event_id:int}/cancel", status_code=200, responses=problem_responses(*WRITE, 404))
    async def cancel(self, request: Request[Any, Any, Any], event_id: PathId) -> RegistrationOut:
        """Cancel the caller's registration before the cancellation deadline."""
        await visible_event(request.user, event_id)
        row = await registration.cancel(request.user, event_id)
        return registration_out(row)

    @get("/{event_id:int}/roster", responses=problem_responses(400, *SIGNED_IN, 404))
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
