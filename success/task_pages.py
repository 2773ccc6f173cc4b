"""Task pages: my tasks (overdue first), every task (admins), one task with its comments and
changes (done, snooze, reassign, done by logging a touch)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from accounts.services import staff_members
from core.errors import DomainError
from core.forms import fields_of, read_form, validate
from core.guards import requires_admin, requires_staff
from core.i18n import lazy
from core.ids import PathId
from core.templating import viewer_today
from core.web import flash, redirect
from success import tasks
from success.pages import page
from success.schemas import TaskChange

Status = Annotated[Literal["open", "done"], QueryParameter()]


class TasksController(Controller):
    """A CSM's tasks."""

    path = "/staff/tasks"
    guards = [requires_staff]
    include_in_schema = False

    @get("/")
    async def my_tasks(self, request: Request[Any, Any, Any]) -> Template:
        """My open tasks, overdue first; the snoozed ones apart."""
        today = viewer_today()
        todo, snoozed = await tasks.my_tasks(request.user, today)
        return page("success/my_tasks.html", todo=todo, snoozed=snoozed, today=today)

    @get("/all", guards=[requires_admin])
    async def all_tasks(self, status: Status = "open") -> Template:
        """Every task (admins)."""
        today = viewer_today()
        found = await tasks.all_tasks(today, status=status)
        return page("success/all_tasks.html", tasks=found, shown=status, today=today)

    @get("/{task_id:int}")
    async def task_page(self, task_id: PathId) -> Template:
        return await _task_page(task_id)

    @post("/{task_id:int}/change")
    async def change(self, request: Request[Any, Any, Any], task_id: PathId) -> Template | Redirect:
        """Done, snooze, reassign or reopen, on the version the page showed."""
        data = await read_form(request)
        values = fields_of(TaskChange, {k: v for k, v in data.items() if v != ""})
        form, errors = validate(TaskChange, values)
        if form is None:
            return await _task_page(task_id, errors, 400)
        try:
            await tasks.change_task(request.user, task_id, form, viewer_today())
        except DomainError as exc:
            if exc.status_code not in (400, 409):
                raise
            errors = {name: str(message) for name, message in exc.field_errors.items()}
            errors["__all__"] = exc.translated()
            return await _task_page(task_id, errors, exc.status_code)
        flash(request, lazy("The task was updated."), "success")
        return redirect("/staff/tasks" if form.action == "done" else f"/staff/tasks/{task_id}")

    @post("/{task_id:int}/comment")
    async def comment(
        self, request: Request[Any, Any, Any], task_id: PathId
    ) -> Template | Redirect:
        data = await read_form(request)
        try:
            await tasks.add_comment(request.user, task_id, str(data.get("body") or ""))
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            return await _task_page(task_id, {"body": exc.translated()}, 400)
        return redirect(f"/staff/tasks/{task_id}#comments")


async def _task_page(
    task_id: int, errors: dict[str, str] | None = None, status: int = 200
) -> Template:
    task = await tasks.get_task(task_id)
    return page(
        "success/task.html",
        status,
        task=task,
        comments=await tasks.comments(task_id),
        staff=await staff_members(),
        errors=errors or {},
        today=viewer_today(),
    )
