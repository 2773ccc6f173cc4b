"""The workbench as JSON under /api/v1: tasks and touches for staff, homework for members —
the same services and permission checks as the pages."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.params import Body, QueryParameter

from content.hooks import CONTENT_COMPLETED
from core.guards import requires_member, requires_staff
from core.ids import PathId
from core.problems import SIGNED_IN, WRITE, problem_responses
from core.templating import viewer_today
from core.wiring import Wiring
from success import homework as homework_service
from success import tasks, touches
from success.homework import HomeworkRow
from success.schemas import (
    HomeworkList,
    HomeworkOut,
    TaskChange,
    TaskList,
    TaskOut,
    TouchIn,
    TouchList,
    TouchOut,
)
from success.tasks import TaskRow

READ = problem_responses(400, *SIGNED_IN, 404)
WRITE_ITEM = problem_responses(*WRITE, 404, 409)


def homework_out(row: HomeworkRow, today: Any) -> HomeworkOut:
    return HomeworkOut(
        id=row.id,
        touch_id=row.touch,
        member_id=row.member,
        item_id=row.item,
        item_title=row.item_title,
        due_on=row.due_on,
        completed_at=row.completed_at,
        overdue=row.overdue(today),
    )


def task_out(task: TaskRow) -> TaskOut:
    return TaskOut(
        id=task.id,
        account_id=task.account,
        account_name=task.account_name,
        reason=task.reason,
        reason_text=task.reason_text,
        assignee_id=task.assignee,
        due_on=task.due_on,
        priority=task.priority,
        status=task.status,
        snoozed_until=task.snoozed_until,
        cause_gone=task.cause_gone_at is not None,
        touch_id=task.touch,
        created_at=task.created_at,
        version=task.version,
    )


async def touch_outs(rows: list[touches.TouchRow]) -> list[TouchOut]:
    ids = [row.id for row in rows]
    participants, staff = await touches.people(ids)
    given = await homework_service.touch_homework(ids)
    today = viewer_today()
    return [
        TouchOut(
            id=row.id,
            account_id=row.account,
            kind=row.kind,
            outcome=row.outcome,
            occurred_at=row.occurred_at,
            duration_minutes=row.duration_minutes,
            title=row.title,
            notes_html=row.notes_html,
            next_step=row.next_step,
            next_meeting_on=row.next_meeting_on,
            participant_ids=[p["id"] for p in participants[row.id]],
            staff_ids=[s["id"] for s in staff[row.id]],
            homework=[homework_out(h, today) for h in given[row.id]],
            version=row.version,
        )
        for row in rows
    ]


class WorkbenchApiController(Controller):
    """Tasks and touches (staff: session or the session of a staff member)."""

    path = "/api/v1"
    guards = [requires_staff]
    tags = ["workbench"]

    @get("/tasks", responses=READ)
    async def list_tasks(
        self,
        request: Request[Any, Any, Any],
        which: Annotated[Literal["mine", "all"], QueryParameter(name="scope")] = "mine",
    ) -> TaskList:
        """My open tasks (overdue first), or every open task (`scope=all`)."""
        today = viewer_today()
        if which == "all":
            found = await tasks.all_tasks(today)
        else:
            todo, snoozed = await tasks.my_tasks(request.user, today)
            found = todo + snoozed
        return TaskList(items=[task_out(task) for task in found])

    @get("/tasks/{task_id:int}", responses=READ)
    async def get_task(self, task_id: PathId) -> TaskOut:
        return task_out(await tasks.get_task(task_id))

    @post("/tasks/{task_id:int}/change", status_code=200, responses=WRITE_ITEM)
    async def change_task(
        self, request: Request[Any, Any, Any], task_id: PathId, data: Annotated[TaskChange, Body()]
    ) -> TaskOut:
        """Done, snooze, reassign or reopen; 409 when the task changed since `version`."""
        return task_out(await tasks.change_task(request.user, task_id, data, viewer_today()))

    @get("/accounts/{account_id:int}/touches", responses=READ)
    async def account_touches(self, account_id: PathId) -> TouchList:
        """The account's touches, newest first, with their homework."""
        return TouchList(items=await touch_outs(await touches.account_touches(account_id)))

    @post("/accounts/{account_id:int}/touches", responses=WRITE_ITEM)
    async def log_touch(
        self, request: Request[Any, Any, Any], account_id: PathId, data: Annotated[TouchIn, Body()]
    ) -> TouchOut:
        """Log a touch (times with an offset, or the viewer's zone) with its homework."""
        touch_id = await touches.log_touch(request.user, account_id, data, viewer_today())
        [out] = await touch_outs([await touches.get_touch(touch_id)])
        return out

    @get("/touches/{touch_id:int}", responses=READ)
    async def get_touch(self, touch_id: PathId) -> TouchOut:
        [out] = await touch_outs([await touches.get_touch(touch_id)])
        return out


class HomeworkApiController(Controller):
    """A member's homework."""

    path = "/api/v1/homework"
    guards = [requires_member]
    tags = ["workbench"]

    @get("/", responses=problem_responses(400, *SIGNED_IN))
    async def my_homework(self, request: Request[Any, Any, Any]) -> HomeworkList:
        """The member's homework: open first (by due day), then the latest done."""
        today = viewer_today()
        found = await homework_service.member_homework(request.user.id)
        return HomeworkList(items=[homework_out(row, today) for row in found])

    @post("/{homework_id:int}/complete", status_code=200, responses=WRITE_ITEM)
    async def complete(self, request: Request[Any, Any, Any], homework_id: PathId) -> HomeworkOut:
        """Mark one's homework done (repeating it changes nothing)."""
        wiring: Wiring = request.app.state.wiring
        await homework_service.complete_homework(
            request.user, homework_id, wiring.listeners(CONTENT_COMPLETED)
        )
        row = await homework_service.get_homework(request.user.id, homework_id)
        return homework_out(row, viewer_today())
