"""Attendance pulled from Zoom when a meeting ends, into the same import as the CSV.

A pull (one `PlatformPull` row, the event's visible log) starts three ways: a CSM's button on
the attendance page, Zoom's `meeting.ended` / `webinar.ended` webhook (verified), and a poll
every 15 minutes for Zoom-hosted events that ended in the last two days without a pull — since
webhooks get lost. The job reads the participants report (meetings, then webinars) and applies
it with `imports.apply_report` — the CSV's matching, rejoin sums, thresholds, walk-ins,
signals, and one application per report. A report Zoom has not made yet is tried again later
(up to MAX_ATTEMPTS); what cannot succeed is logged with its reason.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Response

from core.database import transaction
from core.errors import Conflict, DomainError
from core.guards import requires_staff
from core.i18n import N_, lazy
from core.ids import PathId
from core.jobs import enqueue
from core.timeutil import utcnow
from core.web import flash, redirect
from events.attendance import imports
from events.attendance.zoom_api import (
    RETENTION_DAYS,
    TIMEOUT,
    ZoomClient,
    ZoomError,
    meeting_id_of,
    report_digest,
    report_of,
    signature_valid,
    url_validation,
)
from events.rules import get_event
from events.settings import EventsSettings
from events.tables import Event, EventStatus, PlatformPull

MAX_ATTEMPTS = 12
ACTIVE = ("queued", "waiting")
POLL_WITHIN = timedelta(days=2)


async def start_pull(event_id: int, origin: str, member_id: int | None = None) -> int:
    """A queued pull of the event's Zoom attendance and its job; Conflict while one is under
    way; a DomainError when the event is not on Zoom."""
    event = await get_event(event_id)
    if meeting_id_of(event.join_url) is None:
        raise DomainError(N_("The event's join URL is not a Zoom meeting."))
    async with transaction():
        busy = await PlatformPull.exists().where(
            (PlatformPull.event == event_id) & PlatformPull.status.is_in(list(ACTIVE))
        )
        if busy:
            raise Conflict(N_("Attendance is already being pulled from Zoom."))
        [row] = await PlatformPull.insert(
            PlatformPull(event=event_id, origin=origin, requested_by=member_id)
        ).returning(PlatformPull.id)
        await enqueue(pull_zoom_attendance, int(row["id"]), job_id=f"zoom-pull:{row['id']}")
    return int(row["id"])


async def _log(pull_id: int, status: str, message: str, **params: Any) -> None:
    await PlatformPull.update(
        {
            PlatformPull.status: status,
            PlatformPull.message: message,
            PlatformPull.params: {k: str(v) for k, v in params.items()},
            PlatformPull.updated_at: utcnow(),
        }
    ).where(PlatformPull.id == pull_id)


async def pull_zoom_attendance(ctx: dict[str, Any], pull_id: int) -> None:
    """One attempt of a pull: fetch the report, apply it, or log why not (and retry later
    when the report may yet come)."""
    settings: EventsSettings = ctx["settings"]
    pull = await PlatformPull.select().where(PlatformPull.id == pull_id).first()
    if pull is None or pull["status"] not in ACTIVE:
        return
    attempts = int(pull["attempts"]) + 1
    await PlatformPull.update({PlatformPull.attempts: attempts}).where(PlatformPull.id == pull_id)
    event = await get_event(int(pull["event"]))
    meeting_id = meeting_id_of(event.join_url)
    if meeting_id is None:
        await _log(pull_id, "failed", N_("The event's join URL is not a Zoom meeting."))
        return
    if event.ends_at < utcnow() - timedelta(days=RETENTION_DAYS):
        await _log(
            pull_id,
            "failed",
            N_("Zoom keeps reports for %(days)s days: import the report's CSV export instead."),
            days=RETENTION_DAYS,
        )
        return
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False) as http:
            client = ZoomClient(http, settings)
            await client.login()
            rows, webinar = await _participants(client, meeting_id)
        report = report_of(meeting_id, webinar, rows)
        result = await imports.apply_report(
            None, event.id, report, f"Zoom {meeting_id}", report_digest(meeting_id, rows)
        )
    except ZoomError as exc:
        if exc.later and attempts < MAX_ATTEMPTS:
            await _log(pull_id, "waiting", exc.message, **exc.params)
            await enqueue(
                pull_zoom_attendance,
                pull_id,
                job_id=f"zoom-pull:{pull_id}:{attempts}",
                defer_by=settings.zoom_retry_seconds,
            )
        else:
            await _log(pull_id, "failed", exc.message, **exc.params)
        return
    except DomainError as exc:
        await _log(pull_id, "failed", exc.message, **exc.params)
        return
    await PlatformPull.update({PlatformPull.attendance_import: result.import_id}).where(
        PlatformPull.id == pull_id
    )
    await _log(
        pull_id,
        "succeeded",
        N_("%(rows)s rows from Zoom: %(attended)s attended, %(unmatched)s emails matched no one."),
        rows=result.rows,
        attended=result.attended,
        unmatched=len(result.unmatched),
    )


async def _participants(client: ZoomClient, meeting_id: str) -> tuple[list[dict[str, Any]], bool]:
    """The meeting's report, else the webinar's (the same ID is one or the other)."""
    try:
        return await client.participants(meeting_id, webinar=False), False
    except ZoomError as exc:
        if not exc.missing:
            raise
    return await client.participants(meeting_id, webinar=True), True


async def poll_ended_zoom_events(ctx: dict[str, Any]) -> None:
    """The fallback: Zoom-hosted events that ended in the last two days, with no pull yet."""
    if not ctx["settings"].zoom_configured:
        return
    now = utcnow()
    rows = await Event.select(Event.id, Event.join_url).where(
        (Event.ends_at <= now)
        & (Event.ends_at >= now - POLL_WITHIN)
        & Event.status.is_in([EventStatus.published.value, EventStatus.finished.value])
        & Event.join_url.like("%zoom.%")
    )
    pulled = {
        int(r["event"])
        for r in await PlatformPull.select(PlatformPull.event).where(
            PlatformPull.event.is_in([int(r["id"]) for r in rows] or [0])
        )
    }
    for row in rows:
        if int(row["id"]) not in pulled and meeting_id_of(row["join_url"]):
            try:
                await start_pull(int(row["id"]), "poll")
            except DomainError:
                continue


async def pulls_of(event_id: int) -> list[dict[str, Any]]:
    """The event's pulls, newest first (the attendance page's log)."""
    return list(
        await PlatformPull.select()
        .where(PlatformPull.event == event_id)
        .order_by(PlatformPull.id, ascending=False)
        .limit(10)
        .output(load_json=True)
    )


class ZoomPullController(Controller):
    """A CSM pulls an event's attendance from Zoom now."""

    path = "/staff/events"
    guards = [requires_staff]
    include_in_schema = False

    @post("/{event_id:int}/attendance/zoom")
    async def pull_now(
        self,
        request: Request[Any, Any, Any],
        event_id: PathId,
        settings: NamedDependency[EventsSettings],
    ) -> Redirect:
        back = f"/staff/events/{event_id}/attendance"
        if not settings.zoom_configured:
            flash(request, lazy("Zoom is not connected."), "error")
            return redirect(back)
        try:
            await start_pull(event_id, "manual", request.user.id)
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            flash(request, exc.as_text(), "error")
            return redirect(back)
        flash(request, lazy("Attendance is being pulled from Zoom."), "success")
        return redirect(back)


class ZoomWebhookController(Controller):
    """Zoom's event notifications: the URL validation challenge and meeting.ended."""

    path = "/webhooks/zoom"
    include_in_schema = False

    @post("/", exclude_from_csrf=True, status_code=200)
    async def receive(
        self, request: Request[Any, Any, Any], settings: NamedDependency[EventsSettings]
    ) -> Response[Any]:
        secret = settings.zoom_webhook_secret
        if secret is None:
            raise NotFoundException()
        body = await request.body()
        valid = signature_valid(
            secret.get_secret_value(),
            request.headers.get("x-zm-request-timestamp", ""),
            body,
            request.headers.get("x-zm-signature", ""),
        )
        if not valid:
            return Response({"error": "invalid signature"}, status_code=401)
        try:
            message = json.loads(body)
            kind = str(message.get("event") or "")
            payload = message.get("payload") or {}
        except (ValueError, AttributeError):
            return Response({"error": "not JSON"}, status_code=400)
        if kind == "endpoint.url_validation":
            token = str(payload.get("plainToken") or "")
            return Response(url_validation(secret.get_secret_value(), token))
        if kind in ("meeting.ended", "webinar.ended"):
            meeting_id = str((payload.get("object") or {}).get("id") or "")
            if meeting_id.isdigit():
                await _ended(meeting_id)
        return Response({})


async def _ended(meeting_id: str) -> None:
    """Start a pull for every live event whose join URL is that meeting."""
    rows = await Event.select(Event.id, Event.join_url).where(
        Event.join_url.like(f"%{meeting_id}%")
        & Event.status.is_in([EventStatus.published.value, EventStatus.finished.value])
    )
    for row in rows:
        if meeting_id_of(row["join_url"]) == meeting_id:
            try:
                await start_pull(int(row["id"]), "webhook")
            except DomainError:
                continue  # a pull is already under way: it will read the same report
