"""The workbench on an account: log a touch (by hand, from a task, or from a calendar file)
with homework, see and correct touches, write a task, read the account's timeline; and the
workbench's block on the account page (mix chart, open tasks, touches, homework, timeline).

Handlers are thin: parse the form, call a service, render or redirect.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Redirect, Template

from accounts.services import staff_members
from accounts.tables import Account, Member, Role
from content.services import items_for_account
from core.errors import DomainError, NotFound
from core.forms import as_list, fields_of, form_failure, form_token, read_form, validate
from core.guards import requires_staff
from core.i18n import N_, gettext, lazy
from core.ids import PathId
from core.settings import CoreSettings
from core.templating import get_timezone, viewer_today
from core.timeutil import to_utc, to_zone, utcnow
from core.web import flash, redirect
from core.wiring import Wiring
from success import homework as homework_service
from success import tasks, timeline, touches
from success.ics import read_meeting
from success.labels import LABELS
from success.schemas import TaskIn, TouchIn

ACCOUNT_NOT_FOUND = N_("This account does not exist.")
MIX_MONTHS = 12
Cursor = Annotated[str | None, QueryParameter(max_length=100)]
Kinds = Annotated[list[str] | None, QueryParameter(max_items=10)]


def page(template: str, status: int = 200, **context: Any) -> Template:
    return Template(template, context={**LABELS, **context}, status_code=status)


async def account_facts(account_id: int) -> dict[str, Any]:
    row = (
        await Account.select(
            Account.id, Account.name, Account.owner, Account.touch_tier, Account.contract_start
        )
        .where(Account.id == account_id)
        .first()
    )
    if row is None:
        raise NotFound(ACCOUNT_NOT_FOUND)
    return row


# --- the touch form ----------------------------------------------------------------------


def touch_input(data: dict[str, Any], zone: str) -> dict[str, Any]:
    """The touch form's fields as TouchIn takes them: the time in UTC, the homework rows."""
    fields = dict(data)
    moment = str(fields.get("occurred_at") or "")
    if moment:
        # Left as typed when it is no time: validation then says so.
        with contextlib.suppress(ValueError):
            fields["occurred_at"] = to_utc(datetime.fromisoformat(moment), zone)
    for name in ("next_meeting_on", "task_id", "task_version", "version"):
        if fields.get(name) == "":
            fields.pop(name)
    for name in ("participant_ids", "staff_ids"):
        fields[name] = [value for value in as_list(fields.get(name)) if value]
    members = [m for m in as_list(fields.get("homework_members")) if m]
    due = fields.get("homework_due_on") or None
    fields["homework"] = [
        {"item_id": item, "member_ids": members, "due_on": due}
        for item in as_list(fields.get("homework_items"))
    ]
    return fields_of(TouchIn, fields)


async def _form_context(account_id: int, values: dict[str, Any]) -> dict[str, Any]:
    account = await account_facts(account_id)
    members = (
        await Member.select(Member.id, Member.display_name, Member.email)
        .where(
            (Member.account == account_id)
            & Member.active.eq(True)
            & (Member.role == Role.customer.value)
        )
        .order_by(Member.display_name)
    )
    task = None
    if values.get("task_id"):
        try:
            task = await tasks.get_task(int(values["task_id"]))
        except (NotFound, ValueError):
            task = None
    return {
        "account": account,
        "members": members,
        "staff": await staff_members(),
        "items": await items_for_account(account_id),
        "task": task,
        "selected": {
            name: [str(v) for v in as_list(values.get(name))]
            for name in ("participant_ids", "staff_ids", "homework_items", "homework_members")
        },
    }


async def touch_form(
    account_id: int,
    action: str,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status: int = 200,
    **extra: Any,
) -> Template:
    context = await _form_context(account_id, values)
    extra = {
        "editing": None,
        "imported": False,
        "unmatched": [],
        "client_token": form_token(),
        **extra,
    }
    return page(
        "success/touch_form.html",
        status,
        action=action,
        values=values,
        errors=errors or {},
        **context,
        **extra,
    )


def _form_values_of(
    touch: touches.TouchRow, participants: list[int], staff: list[int]
) -> dict[str, Any]:
    zone = get_timezone()
    return {
        "kind": touch.kind,
        "outcome": touch.outcome,
        "occurred_at": to_zone(touch.occurred_at, zone).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": touch.duration_minutes,
        "title": touch.title,
        "notes": touch.notes_markdown,
        "next_step": touch.next_step,
        "next_meeting_on": touch.next_meeting_on.isoformat() if touch.next_meeting_on else "",
        "participant_ids": [str(m) for m in participants],
        "staff_ids": [str(m) for m in staff],
        "version": touch.version,
    }


class TouchPagesController(Controller):
    """Touches and hand-written tasks on one account, and its timeline."""

    path = "/staff/success"
    guards = [requires_staff]
    include_in_schema = False

    @get("/accounts/{account_id:int}/touches/new")
    async def new_touch(
        self,
        request: Request[Any, Any, Any],
        account_id: PathId,
        task_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
    ) -> Template:
        """The form to log a touch (from a task: it closes the task)."""
        now = to_zone(utcnow(), get_timezone())
        values: dict[str, Any] = {
            "kind": "meeting_online",
            "outcome": "held",
            "occurred_at": now.replace(second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 60,
            "staff_ids": [str(request.user.id)],
        }
        if task_id is not None:
            task = await tasks.get_task(task_id)
            if task.account != account_id:
                raise NotFound(tasks.TASK_NOT_FOUND)
            values.update(task_id=task.id, task_version=task.version)
        return await touch_form(
            account_id, f"/staff/success/accounts/{account_id}/touches/new", values
        )

    @post("/accounts/{account_id:int}/touches/new")
    async def create_touch(
        self, request: Request[Any, Any, Any], account_id: PathId
    ) -> Template | Redirect:
        """Log the touch with its homework (and close its task)."""
        action = f"/staff/success/accounts/{account_id}/touches/new"
        data = await read_form(request)
        form, errors = validate(TouchIn, touch_input(data, get_timezone()))
        if form is None:
            return await touch_form(account_id, action, data, errors, 400)
        try:
            touch_id = await touches.log_touch(request.user, account_id, form, viewer_today())
        except DomainError as exc:
            if exc.status_code not in (400, 409):
                raise
            return await touch_form(account_id, action, data, form_failure(exc), exc.status_code)
        flash(request, lazy("The touch was logged."), "success")
        return redirect(f"/staff/success/touches/{touch_id}")

    @post("/accounts/{account_id:int}/touches/import")
    async def import_ics(
        self,
        request: Request[Any, Any, Any],
        account_id: PathId,
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template:
        """A calendar file read into the touch form, for the CSM to check and save."""
        action = f"/staff/success/accounts/{account_id}/touches/new"
        upload = data.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return await touch_form(
                account_id, action, {}, {"__all__": gettext("Choose a calendar file (.ics).")}, 400
            )
        try:
            raw = await upload.read(2 * 1024 * 1024)
        finally:
            await upload.close()
        try:
            meeting = await read_meeting(raw, account_id)
        except DomainError as exc:
            return await touch_form(account_id, action, {}, form_failure(exc), 400)
        zone = get_timezone()
        values = {
            "kind": "meeting_online",
            "outcome": "held",
            "occurred_at": to_zone(meeting.starts_at, zone).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": meeting.minutes,
            "title": meeting.title,
            "ics_uid": meeting.uid,
            "participant_ids": [str(m) for m in meeting.participant_ids],
            "staff_ids": [str(m) for m in meeting.staff_ids or [request.user.id]],
        }
        return await touch_form(
            account_id, action, values, unmatched=meeting.unmatched, imported=True
        )

    @get("/touches/{touch_id:int}")
    async def touch_page(self, touch_id: PathId) -> Template:
        """One touch: notes, who took part, the homework and how far each member got."""
        touch = await touches.get_touch(touch_id)
        participants, staff = await touches.people([touch_id])
        given = await homework_service.touch_homework([touch_id])
        return page(
            "success/touch.html",
            touch=touch,
            account=await account_facts(touch.account),
            participants=participants[touch_id],
            staff=staff[touch_id],
            homework=given[touch_id],
            today=viewer_today(),
        )

    @get("/touches/{touch_id:int}/edit")
    async def edit_touch_page(self, touch_id: PathId) -> Template:
        touch = await touches.get_touch(touch_id)
        participants, staff = await touches.people([touch_id])
        values = _form_values_of(
            touch, [p["id"] for p in participants[touch_id]], [s["id"] for s in staff[touch_id]]
        )
        return await touch_form(
            touch.account, f"/staff/success/touches/{touch_id}/edit", values, editing=touch
        )

    @post("/touches/{touch_id:int}/edit")
    async def edit_touch(
        self, request: Request[Any, Any, Any], touch_id: PathId
    ) -> Template | Redirect:
        """Save a corrected touch (its author or an admin)."""
        touch = await touches.get_touch(touch_id)
        action = f"/staff/success/touches/{touch_id}/edit"
        data = await read_form(request)
        form, errors = validate(TouchIn, touch_input(data, get_timezone()))
        if form is None:
            return await touch_form(touch.account, action, data, errors, 400, editing=touch)
        try:
            await touches.update_touch(request.user, touch_id, form, viewer_today())
        except DomainError as exc:
            if exc.status_code not in (400, 409):
                raise
            return await touch_form(
                touch.account, action, data, form_failure(exc), exc.status_code, editing=touch
            )
        flash(request, lazy("The touch was saved."), "success")
        return redirect(f"/staff/success/touches/{touch_id}")

    @post("/touches/{touch_id:int}/delete")
    async def delete_touch(self, request: Request[Any, Any, Any], touch_id: PathId) -> Redirect:
        """Delete a touch logged by mistake, with its homework and its signals."""
        account_id = await touches.delete_touch(request.user, touch_id)
        flash(request, lazy("The touch was deleted."), "info")
        return redirect(f"/staff/engagement/accounts/{account_id}")

    @get("/accounts/{account_id:int}/tasks/new")
    async def new_task(self, request: Request[Any, Any, Any], account_id: PathId) -> Template:
        account = await account_facts(account_id)
        values = {
            "due_on": (viewer_today() + timedelta(days=3)).isoformat(),
            "priority": "normal",
            "assignee_id": account["owner"] or request.user.id,
        }
        return await _task_form(account_id, values)

    @post("/accounts/{account_id:int}/tasks/new")
    async def create_task(
        self, request: Request[Any, Any, Any], account_id: PathId
    ) -> Template | Redirect:
        """Write a task by hand."""
        data = await read_form(request)
        form, errors = validate(TaskIn, {k: v for k, v in data.items() if v != ""})
        if form is None:
            return await _task_form(account_id, data, errors, 400)
        try:
            task_id = await tasks.create_task(request.user, account_id, form, viewer_today())
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            return await _task_form(account_id, data, form_failure(exc), 400)
        flash(request, lazy("The task was created."), "success")
        return redirect(f"/staff/tasks/{task_id}")

    @get("/accounts/{account_id:int}/timeline")
    async def timeline_page(
        self,
        request: Request[Any, Any, Any],
        account_id: PathId,
        settings: NamedDependency[CoreSettings],
        kind: Kinds = None,
        cursor: Cursor = None,
    ) -> Template:
        """The account's timeline, newest first, filtered by kind."""
        account = await account_facts(account_id)
        wanted = {k for k in (kind or []) if k in LABELS["sources"]}
        wiring: Wiring = request.app.state.wiring
        found = await timeline.timeline(
            account_id,
            wiring.subject_links,
            settings.default_timezone,
            sources=wanted or None,
            cursor=cursor or None,
        )
        return page("success/timeline.html", account=account, timeline=found, kinds_on=wanted)


async def _task_form(
    account_id: int, values: dict[str, Any], errors: dict[str, str] | None = None, status: int = 200
) -> Template:
    return page(
        "success/task_form.html",
        status,
        account=await account_facts(account_id),
        values=values,
        errors=errors or {},
        staff=await staff_members(),
    )
