"""Attendance pages and API: report import, roster check-in, self check-in, QR code, feedback.

Staff: /staff/events/{id}/attendance (import form and history, unmatched emails, roster with
search and one-click check-in, feedback), POST /api/v1/events/{id}/attendance (multipart).
Registrants: POST /events/{id}/checkin with their code, GET /events/{id}/checkin?code=…
(what the QR code opens), /events/{id}/checkin/qr.svg, /events/{id}/feedback.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

import segno
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from core.errors import DomainError, NotFound
from core.forms import read_form
from core.guards import requires_member, requires_staff
from core.i18n import N_, Text, gettext, lazy
from core.ids import PathId
from core.timeutil import utcnow
from core.web import flash, redirect, safe_next
from events.attendance import checkin, feedback
from events.attendance import imports as importer
from events.attendance.api import UPLOAD_CEILING, AttendanceApiController, read_upload
from events.attendance.parsing import FORMAT_LABELS, tidy
from events.attendance.same_meeting import ReportOfAnotherMeeting
from events.attendance.zoom_api import meeting_id_of
from events.attendance.zoom_pull import pulls_of
from events.registration.allocation import active_registration
from events.registration.audience import visible_event
from events.rows import EventRow
from events.rules import get_event, threshold_minutes
from events.settings import EventsSettings
from events.tables import Registration, RegistrationStatus


def import_message(result: importer.ImportResult) -> list[Text]:
    """What an import did, to flash (translated, and its time in the viewer's zone, later)."""
    if result.already_imported:
        return [
            lazy(
                "This file was already imported on %(date)s. Nothing was changed.",
                date=result.imported_at,
            )
        ]
    message = [
        lazy(
            "Imported the %(format)s: %(rows)s rows, %(matched)s members matched, "
            "%(attended)s attended (%(walk_ins)s without registration), %(unmatched)s emails "
            "unmatched.",
            format=gettext(FORMAT_LABELS[result.report_format]),
            rows=result.rows,
            matched=result.matched,
            attended=result.attended,
            walk_ins=result.walk_ins,
            unmatched=len(result.unmatched),
        )
    ]
    if result.confirmed_from_waitlist:
        message.append(
            lazy(
                "%(count)s people waiting for a seat attended and were confirmed beyond the "
                "capacity.",
                count=result.confirmed_from_waitlist,
            )
        )
    if result.rows_without_email:
        message.append(
            lazy(
                "%(count)s rows had no email address and could not be matched.",
                count=result.rows_without_email,
            )
        )
    return message


class StaffAttendanceController(Controller):
    """The staff attendance page of an event, its report upload and the roster check-in."""

    path = "/staff/events"
    guards = [requires_staff]
    include_in_schema = False

    @get("/{event_id:int}/attendance")
    async def page(
        self,
        request: Request[Any, Any, Any],
        event_id: PathId,
        settings: NamedDependency[EventsSettings],
        q: FromQuery[str | None] = None,
    ) -> Template:
        """Import form and history, unmatched emails, roster with check-in, feedback."""
        return await _staff_page(event_id, settings, q)

    @post("/{event_id:int}/attendance", request_max_body_size=UPLOAD_CEILING)
    async def upload(
        self,
        request: Request[Any, Any, Any],
        event_id: PathId,
        settings: NamedDependency[EventsSettings],
    ) -> Template | Redirect:
        """Apply an uploaded Zoom or Teams report."""
        form = await request.form()
        try:
            filename, data = await read_upload(form.get("file"))
            result = await importer.import_attendance(
                request.user,
                event_id,
                filename,
                data,
                settings.attendance_max_bytes,
                accept_mismatch=form.get("accept_mismatch") == "1",
            )
        except DomainError as exc:
            if exc.status_code not in (400, 409, 413):
                raise
            errors = {name: gettext(m) for name, m in exc.field_errors.items()}
            errors.setdefault("file", exc.translated())
            errors["__all__"] = exc.translated()
            mismatch = isinstance(exc, ReportOfAnotherMeeting)
            return await _staff_page(event_id, settings, None, errors, exc.status_code, mismatch)
        kind = "info" if result.already_imported else "success"
        flash(request, import_message(result), kind)
        return redirect(f"/staff/events/{event_id}/attendance")

    @post("/{event_id:int}/roster/{registration_id:int}/checkin")
    async def check_in(
        self, request: Request[Any, Any, Any], event_id: PathId, registration_id: PathId
    ) -> Redirect:
        """One-click check-in of a registrant."""
        data = await read_form(request)
        confirm = data.get("confirm") == "1"
        try:
            checked_in = await checkin.staff_check_in(
                request.user, event_id, registration_id, confirm
            )
        except checkin.NotConfirmed as exc:
            flash(request, exc.as_text(), "error")
            return _back(data, event_id)
        if checked_in and confirm:
            flash(request, lazy("Confirmed beyond the capacity and checked in."), "success")
        elif checked_in:
            flash(request, lazy("Checked in."), "success")
        else:
            flash(request, lazy("This registrant was already checked in."), "info")
        return _back(data, event_id)

    @post("/{event_id:int}/roster/{registration_id:int}/checkin/undo")
    async def undo(
        self, request: Request[Any, Any, Any], event_id: PathId, registration_id: PathId
    ) -> Redirect:
        """Take a check-in back."""
        data = await read_form(request)
        if await checkin.undo_check_in(request.user, event_id, registration_id):
            flash(request, lazy("The check-in was undone."), "info")
        return _back(data, event_id)


def _back(data: dict[str, Any], event_id: int) -> Redirect:
    target = data.get("next") if isinstance(data.get("next"), str) else None
    return redirect(safe_next(target, f"/staff/events/{event_id}/attendance"))


async def _staff_page(
    event_id: int,
    settings: EventsSettings,
    q: str | None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    mismatch: bool = False,
) -> Template:
    event = await get_event(event_id)
    q = (q or "").strip()[:100]
    return Template(
        "events/attendance/staff.html",
        context={
            "event": event,
            "threshold": tidy(threshold_minutes(event)),
            "counts": await checkin.attendance_counts(event_id),
            "imports": await importer.import_history(event_id),
            "zoom_pulls": await pulls_of(event_id),
            "zoom_connected": settings.zoom_configured,
            "zoom_meeting": meeting_id_of(event.join_url),
            "roster": await checkin.roster(event_id, q),
            "roster_limit": checkin.ROSTER_LIMIT,
            "q": q,
            "feedback": await feedback.feedback_summary(event_id),
            "format_labels": FORMAT_LABELS,
            "max_mb": tidy(settings.attendance_max_bytes / (1024 * 1024)),
            "errors": errors or {},
            "mismatch": mismatch,
        },
        status_code=status,
    )


class EventCheckinController(Controller):
    """Self check-in with the code, the QR code, and feedback, for registrants.

    An event the member may not see answers 404 here as on its own page
    (events.registration.audience).
    """

    path = "/events"
    guards = [requires_member]
    include_in_schema = False

    @get("/{event_id:int}/checkin")
    async def checkin_page(
        self, request: Request[Any, Any, Any], event_id: PathId, code: FromQuery[str | None] = None
    ) -> Template:
        """What the QR code opens: confirm the check-in (staff see whose code it is)."""
        event = await visible_event(request.user, event_id)
        holder = None
        if code and request.user.is_staff:
            holder = await checkin.registration_for_code(event_id, code)
        return _checkin_page(event, {"code": code or ""}, holder=holder)

    @post("/{event_id:int}/checkin")
    async def check_in(
        self, request: Request[Any, Any, Any], event_id: PathId
    ) -> Template | Redirect:
        """Check in with a code: one's own during the event window; staff anyone's."""
        await visible_event(request.user, event_id)
        data = await read_form(request)
        code = data.get("code") if isinstance(data.get("code"), str) else None
        try:
            registration = await checkin.check_in_with_code(request.user, event_id, code)
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            event = await get_event(event_id)
            errors = {name: gettext(m) for name, m in exc.field_errors.items()}
            errors["__all__"] = exc.translated()
            return _checkin_page(event, {"code": code or ""}, errors, 400)
        if request.user.is_staff and registration["member"] != request.user.id:
            text = lazy("%(name)s is checked in.", name=registration["member_name"])
            flash(request, text, "success")
            return redirect(f"/staff/events/{event_id}/attendance")
        if registration["newly_checked_in"]:
            flash(request, lazy("You are checked in. Enjoy the event!"), "success")
        else:
            flash(request, lazy("You were already checked in."), "info")
        return redirect(f"/events/{event_id}")

    @get("/{event_id:int}/checkin/qr.svg")
    async def qr_code(
        self,
        request: Request[Any, Any, Any],
        event_id: PathId,
        settings: NamedDependency[EventsSettings],
    ) -> Response[bytes]:
        """The viewer's check-in QR code (their confirmed registration's code, as a URL)."""
        row = (
            await Registration.select(Registration.checkin_code)
            .where(
                (Registration.event == event_id)
                & (Registration.member == request.user.id)
                & (Registration.status == RegistrationStatus.confirmed.value)
            )
            .first()
        )
        if row is None or not row["checkin_code"]:
            raise NotFound(N_("You have no check-in code for this event."))
        return Response(
            qr_svg(checkin_url(settings, event_id, row["checkin_code"])),
            media_type="image/svg+xml",
            headers={"cache-control": "private, max-age=3600"},
        )

    @get("/{event_id:int}/feedback")
    async def feedback_page(self, request: Request[Any, Any, Any], event_id: PathId) -> Template:
        """The feedback form, with the member's earlier answer if any."""
        event = await visible_event(request.user, event_id)
        registration = await active_registration(event_id, request.user.id)
        if not feedback.feedback_open(event, registration):
            started = event.starts_at <= utcnow()
            raise DomainError(feedback.NOT_ATTENDED if started else feedback.FEEDBACK_NOT_OPEN)
        mine = await feedback.my_feedback(request.user, event_id)
        return _feedback_page(event, dict(mine or {}), saved=mine is not None)

    @post("/{event_id:int}/feedback")
    async def give_feedback(
        self, request: Request[Any, Any, Any], event_id: PathId
    ) -> Template | Redirect:
        """Rate the event 1–5 with a comment (again: edits the answer)."""
        await visible_event(request.user, event_id)
        data = await read_form(request)
        try:
            await feedback.submit_feedback(
                request.user, event_id, data.get("rating"), data.get("comment")
            )
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            event = await get_event(event_id)
            errors = {name: gettext(m) for name, m in exc.field_errors.items()}
            errors["__all__"] = exc.translated()
            return _feedback_page(event, data, errors=errors, status=400)
        flash(request, lazy("Thank you for your feedback."), "success")
        return redirect(f"/events/{event_id}")


def checkin_url(settings: EventsSettings, event_id: int, code: str) -> str:
    return f"{settings.base_url}/events/{event_id}/checkin?code={quote(code)}"


def qr_svg(text: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="svg", scale=6, border=2, xmldecl=False)
    return buffer.getvalue()


def _checkin_page(
    event: EventRow,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status: int = 200,
    holder: dict[str, Any] | None = None,
) -> Template:
    opens, closes = checkin.checkin_window(event)
    return Template(
        "events/attendance/checkin.html",
        context={
            "event": event,
            "values": values,
            "errors": errors or {},
            "holder": holder,
            "opens": opens,
            "closes": closes,
        },
        status_code=status,
    )


def _feedback_page(
    event: EventRow,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status: int = 200,
    saved: bool = False,
) -> Template:
    return Template(
        "events/attendance/feedback.html",
        context={
            "event": event,
            "values": values,
            "errors": errors or {},
            "saved": saved,
            "ratings": feedback.RATINGS,
        },
        status_code=status,
    )


ATTENDANCE_ROUTES = [StaffAttendanceController, EventCheckinController, AttendanceApiController]
