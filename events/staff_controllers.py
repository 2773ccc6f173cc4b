"""Staff pages: the event list, the event and series forms, status changes, the roster with
add/remove and its CSV export.

Adding someone from the roster goes through the same allocation as registering (a full event
puts them on the waitlist); the "over capacity" box confirms them beyond the capacity.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from accounts.services import staff_members
from core.errors import DomainError
from core.forms import form_failure, read_form, validate
from core.guards import requires_staff
from core.i18n import gettext, lazy
from core.ids import PathId
from core.templating import get_timezone
from core.timeutil import to_zone
from core.web import flash, redirect
from events import rules, series, services
from events.attendance.roster import roster_counts, roster_csv, roster_rows
from events.registration import allocation as registration
from events.registration.audience import past_events, status_counts, upcoming_events
from events.registration.policies import POLICIES
from events.rows import EventRow
from events.schemas import AddRegistrantIn, EventFormIn, SeriesIn
from events.tables import Allocation, RegistrationStatus

ZONES = [
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Shanghai",
    "Asia/Singapore",
    "Asia/Kolkata",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "UTC",
]
TIME_FIELDS = (
    "starts_at",
    "ends_at",
    "draw_at",
    "registration_opens_at",
    "registration_closes_at",
    "cancellation_deadline",
)


def event_form_values(event: EventRow, hosts: list[int], accounts: list[int]) -> dict:
    """An event row as the form shows it: times as wall-clock times in the event's zone."""
    zone = event.timezone
    values = {key: getattr(event, key) for key in ("kind", "title", "description", "timezone")}
    for key in TIME_FIELDS:
        moment = getattr(event, key)
        values[key] = to_zone(moment, zone).strftime("%Y-%m-%dT%H:%M") if moment else ""
    values.update(
        online=event.online,
        join_url=event.join_url,
        venue=event.venue,
        address=event.address,
        capacity=event.capacity,
        allocation=event.allocation,
        audience=event.audience,
        audience_tiers=event.audience_tiers.split(),
        audience_accounts=accounts,
        hosts=hosts,
    )
    return values


def series_form_values(data: SeriesIn) -> dict[str, Any]:
    values = data.model_dump()
    for key in TIME_FIELDS:
        moment = values.get(key)
        values[key] = moment.strftime("%Y-%m-%dT%H:%M") if isinstance(moment, datetime) else ""
    return values


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in (value if isinstance(value, list) else [value])]


async def form_page(
    mode: str,
    action: str,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status: int = 200,
    **extra: Any,
) -> Template:
    zone = values.get("timezone") or get_timezone()
    zones = ZONES if zone in ZONES else [zone, *ZONES]
    return Template(
        "events/form.html",
        context={
            "mode": mode,
            "action": action,
            "values": {**values, "timezone": zone},
            "selected_tiers": as_list(values.get("audience_tiers")),
            "selected_accounts": as_list(values.get("audience_accounts")),
            "selected_hosts": as_list(values.get("hosts")),
            "errors": errors or {},
            "zones": zones,
            "accounts": await services.all_accounts(),
            "staff": await staff_members(),
            "allocations": [(value, gettext(policy.label)) for value, policy in POLICIES.items()],
            **extra,
        },
        status_code=status,
    )


class StaffEventsController(Controller):
    """Creating and running events."""

    path = "/staff/events"
    guards = [requires_staff]
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any]) -> Template:
        """Every event still ahead (drafts too), then the recent past, with counts."""
        upcoming = await upcoming_events(request.user)
        past = await past_events(request.user, limit=30)
        counts = await status_counts([e.id for e in upcoming + past])
        return Template(
            "events/staff_index.html",
            context={"upcoming": upcoming, "past": past, "counts": counts},
        )

    @get("/new")
    async def new_page(self, request: Request[Any, Any, Any]) -> Template:
        """The form for a new event or series."""
        values: dict[str, Any] = {
            "kind": "mokumoku",
            "allocation": Allocation.first_come.value,
            "audience": "all",
            "repeat": "none",
            "occurrences": 4,
            "hosts": [request.user.id],
        }
        return await form_page("new", "/staff/events/new", values)

    @post("/new")
    async def create(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        """Create the event (or the series and its occurrences), as a draft or published."""
        data = await read_form(request)
        publish = data.pop("action", None) == "publish"
        form, errors = validate(EventFormIn, data)
        if form is None:
            return await form_page("new", "/staff/events/new", data, errors, 400)
        try:
            if form.repeat == "none":
                event_id = await services.create_event(request.user, form, publish)
            else:
                series_in = SeriesIn.model_validate(form.model_dump())
                series_id = await series.create_series(request.user, series_in, publish)
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            return await form_page("new", "/staff/events/new", data, form_failure(exc), 400)
        flash(request, lazy("The event was saved."), "success")
        if form.repeat != "none":
            return redirect(f"/staff/events/series/{series_id}")
        return redirect(f"/events/{event_id}")

    @get("/{event_id:int}/edit")
    async def edit_page(self, request: Request[Any, Any, Any], event_id: PathId) -> Template:
        event = await rules.get_event(event_id)
        hosts = [h["id"] for h in await services.event_hosts(event_id)]
        accounts = await services.audience_account_ids(event_id)
        values = event_form_values(event, hosts, accounts)
        return await form_page("edit", f"/staff/events/{event_id}/edit", values, event=event)

    @post("/{event_id:int}/edit")
    async def edit(self, request: Request[Any, Any, Any], event_id: PathId) -> Template | Redirect:
        """Save the event (an occurrence edited here leaves its series' edits)."""
        event = await rules.get_event(event_id)
        action = f"/staff/events/{event_id}/edit"
        data = await read_form(request)
        data.pop("action", None)
        form, errors = validate(EventFormIn, data)
        if form is None:
            return await form_page("edit", action, data, errors, 400, event=event)
        try:
            await services.update_event(request.user, event_id, form)
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            return await form_page("edit", action, data, form_failure(exc), 400, event=event)
        flash(request, lazy("The event was saved."), "success")
        return redirect(f"/events/{event_id}")

    @post("/{event_id:int}/publish")
    async def publish(self, request: Request[Any, Any, Any], event_id: PathId) -> Redirect:
        await services.publish_event(request.user, event_id)
        flash(request, lazy("The event is published."), "success")
        return redirect(f"/events/{event_id}")

    @post("/{event_id:int}/finish")
    async def finish(self, request: Request[Any, Any, Any], event_id: PathId) -> Redirect:
        await services.finish_event(request.user, event_id)
        flash(request, lazy("The event is marked finished."), "info")
        return redirect(f"/events/{event_id}")

    @post("/{event_id:int}/cancel")
    async def cancel(self, request: Request[Any, Any, Any], event_id: PathId) -> Redirect:
        """Cancel the event; registrants are told by email."""
        told = await services.cancel_event(request.user, event_id)
        flash(
            request,
            lazy("The event was cancelled. %(count)s registrants were told.", count=told),
            "info",
        )
        return redirect(f"/events/{event_id}")

    @get("/{event_id:int}/roster")
    async def roster(self, request: Request[Any, Any, Any], event_id: PathId) -> Template:
        """Everyone registered, by status, with check-in and removal."""
        return await roster_page(event_id, {})

    @post("/{event_id:int}/roster/add")
    async def add(self, request: Request[Any, Any, Any], event_id: PathId) -> Template | Redirect:
        """Add a customer by email (same allocation, or beyond the capacity if ticked)."""
        data = await read_form(request)
        form, errors = validate(AddRegistrantIn, data)
        if form is None:
            return await roster_page(event_id, data, errors, 400)
        try:
            row, created = await registration.add_registrant(
                request.user, event_id, form.email, form.over_capacity
            )
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            return await roster_page(event_id, data, form_failure(exc), 400)
        if not created:
            text = lazy("%(name)s is already registered.", name=row.member_name)
        elif row.status == RegistrationStatus.waitlisted.value:
            text = lazy(
                "%(name)s was added to the waitlist (position %(position)s).",
                name=row.member_name,
                position=row.waitlist_position,
            )
        else:
            text = lazy("%(name)s was added.", name=row.member_name)
        flash(request, text, "success" if created else "info")
        return redirect(f"/staff/events/{event_id}/roster")

    @post("/{event_id:int}/roster/{registration_id:int}/remove")
    async def remove(
        self, request: Request[Any, Any, Any], event_id: PathId, registration_id: PathId
    ) -> Redirect:
        """Take someone off the roster; the first waitlisted takes the seat."""
        await registration.remove_registrant(request.user, event_id, registration_id)
        flash(request, lazy("The registrant was removed."), "info")
        return redirect(f"/staff/events/{event_id}/roster")

    @get("/{event_id:int}/export.csv")
    async def export(self, event_id: PathId) -> Response[bytes]:
        """The roster as CSV (UTF-8 with BOM, for Excel)."""
        event = await rules.get_event(event_id)
        body = "\ufeff" + roster_csv(await roster_rows(event.id))
        return Response(
            body.encode("utf-8"),
            media_type="text/csv",
            headers={"content-disposition": f'attachment; filename="event-{event_id}-roster.csv"'},
        )


async def roster_page(
    event_id: int, values: dict[str, Any], errors: dict[str, str] | None = None, status: int = 200
) -> Template:
    event = await rules.get_event(event_id)
    rows = await roster_rows(event_id)
    return Template(
        "events/roster.html",
        context={
            "event": event,
            "rows": rows,
            "counts": roster_counts(rows),
            "values": values,
            "errors": errors or {},
        },
        status_code=status,
    )


class SeriesController(Controller):
    """A series: its occurrences and the form that changes the future ones."""

    path = "/staff/events/series"
    guards = [requires_staff]
    include_in_schema = False

    @get("/{series_id:int}")
    async def page(self, request: Request[Any, Any, Any], series_id: PathId) -> Template:
        row = await series.get_series(series_id)
        values = series_form_values(series.series_form(row))
        return await _series_page(series_id, row, values)

    @post("/{series_id:int}")
    async def save(self, request: Request[Any, Any, Any], series_id: PathId) -> Template | Redirect:
        """Apply the edit to the future occurrences that were not edited on their own."""
        row = await series.get_series(series_id)
        data = await read_form(request)
        data.pop("action", None)
        data.update(repeat=row["frequency"], occurrences=row["occurrences"])
        form, errors = validate(SeriesIn, data)
        if form is None:
            return await _series_page(series_id, row, data, errors, 400)
        try:
            changed = await series.update_series(request.user, series_id, form)
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            return await _series_page(series_id, row, data, form_failure(exc), 400)
        flash(request, lazy("%(count)s future events were updated.", count=changed), "success")
        return redirect(f"/staff/events/series/{series_id}")

    @post("/{series_id:int}/publish")
    async def publish(self, request: Request[Any, Any, Any], series_id: PathId) -> Redirect:
        count = await series.publish_series(request.user, series_id)
        flash(request, lazy("%(count)s events were published.", count=count), "success")
        return redirect(f"/staff/events/series/{series_id}")


async def _series_page(
    series_id: int,
    row: dict[str, Any],
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    return await form_page(
        "series",
        f"/staff/events/series/{series_id}",
        values,
        errors,
        status,
        series=row,
        occurrences=await series.series_events(series_id),
    )
