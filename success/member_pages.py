"""What members see of the workbench: their homework on the home page, marked done there; and
for staff, their tasks on the home page."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.response import Redirect

from content.hooks import CONTENT_COMPLETED
from core.forms import read_form
from core.guards import requires_member
from core.i18n import lazy
from core.ids import PathId
from core.templating import viewer_today
from core.web import flash, redirect, safe_next
from core.wiring import Wiring
from success import homework as homework_service
from success import tasks


class HomeworkController(Controller):
    path = "/homework"
    guards = [requires_member]
    include_in_schema = False

    @post("/{homework_id:int}/done")
    async def done(self, request: Request[Any, Any, Any], homework_id: PathId) -> Redirect:
        """Mark one's homework done (its content item too)."""
        data = await read_form(request)
        wiring: Wiring = request.app.state.wiring
        changed = await homework_service.complete_homework(
            request.user, homework_id, wiring.listeners(CONTENT_COMPLETED)
        )
        if changed:
            flash(request, lazy("Homework done. Your CSM will see it."), "success")
        else:
            flash(request, lazy("This homework was already done."), "info")
        return redirect(safe_next(data.get("next"), "/"))


async def home_section(member: Any) -> tuple[str, dict[str, Any]] | None:
    """A customer's homework (open first, overdue marked); a CSM's tasks."""
    today = viewer_today()
    if member.is_staff:
        todo, _ = await tasks.my_tasks(member, today)
        return "success/home_tasks.html", {"tasks": todo[:6], "count": len(todo), "today": today}
    found = await homework_service.member_homework(member.id)
    if not found:
        return None
    return "success/home_homework.html", {"homework": found, "today": today}
