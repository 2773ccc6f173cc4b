"""The workbench's emails, written by jobs: a member's new homework after a touch, and a CSM's
new tasks from an evaluation of the playbooks (one email per CSM, however many tasks)."""

from __future__ import annotations

from typing import Any

from accounts.services import member_locale
from accounts.tables import Member
from core.mail import send_email
from core.settings import CoreSettings
from success.tables import Homework, Task


async def homework_email(ctx: dict[str, Any], touch_id: int) -> int:
    """Job: email each member of a touch the homework given to them and not yet done."""
    settings: CoreSettings = ctx["settings"]
    rows = await (
        Homework.select(
            Homework.member,
            Homework.due_on,
            Homework.item,
            Homework.item.title.as_alias("title"),
            Homework.item.minutes.as_alias("minutes"),
        )
        .where((Homework.touch == touch_id) & Homework.completed_at.is_null())
        .order_by(Homework.due_on)
    )
    by_member: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_member.setdefault(row["member"], []).append(row)
    sent = 0
    for member_id, items in by_member.items():
        member = await Member.objects().where(Member.id == member_id).first()
        if member is None or not member.active or not member.email_notifications:
            continue
        await send_email(
            member.email,
            "emails/success_homework.html",
            member_locale(member, settings.default_locale),
            name=member.display_name,
            items=[
                {**item, "link": f"{settings.base_url}/content/{item['item']}"} for item in items
            ],
            link=f"{settings.base_url}/",
        )
        sent += 1
    return sent


async def tasks_email(ctx: dict[str, Any], assignee_id: int, task_ids: list[int]) -> int:
    """Job: tell a CSM about the tasks the playbooks just gave them (still open)."""
    settings: CoreSettings = ctx["settings"]
    member = await Member.objects().where(Member.id == assignee_id).first()
    if member is None or not member.active or not member.email_notifications:
        return 0
    rows = await (
        Task.select(Task.id, Task.account.name.as_alias("account_name"), Task.due_on)
        .where(Task.id.is_in(list(task_ids)) & (Task.status == "open"))
        .order_by(Task.due_on)
    )
    if not rows:
        return 0
    await send_email(
        member.email,
        "emails/success_tasks.html",
        member_locale(member, settings.default_locale),
        name=member.display_name,
        tasks=rows,
        link=f"{settings.base_url}/staff/tasks",
    )
    return 1
