"""Tasks: written by hand, changed on the version shown (a stale or concurrent change is
refused with nothing written), done by logging a touch, commented."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from core.errors import Conflict, DomainError
from success.schemas import TaskChange, TaskIn
from success.tables import Task
from success.tasks import change_task, create_task, get_task, my_tasks
from tests.success.helpers import Cast, touch_in
from tests.support import signed_in

TODAY = date.today()


async def test_a_hand_written_task_goes_to_the_owner_and_refuses_the_past(app) -> None:
    cast = await Cast.create()
    task_id = await create_task(
        cast.admin, cast.account.id, TaskIn(title="連絡", due_on=TODAY + timedelta(days=1)), TODAY
    )
    task = await get_task(task_id)
    assert task.assignee == cast.csm.id and task.label == "連絡"
    with pytest.raises(DomainError) as refused:
        await create_task(
            cast.csm, cast.account.id, TaskIn(title="x", due_on=TODAY - timedelta(days=1)), TODAY
        )
    assert "due_on" in refused.value.field_errors
    with pytest.raises(DomainError):
        await create_task(
            cast.csm,
            cast.account.id,
            TaskIn(title="x", due_on=TODAY, assignee_id=cast.alice.id),
            TODAY,
        )
    assert await Task.count() == 1


async def test_my_tasks_put_overdue_first_and_snoozed_apart(app) -> None:
    cast = await Cast.create()
    later = await create_task(
        cast.csm, cast.account.id, TaskIn(title="後で", due_on=TODAY + timedelta(days=5)), TODAY
    )
    soon = await create_task(
        cast.csm, cast.account.id, TaskIn(title="すぐ", due_on=TODAY + timedelta(days=1)), TODAY
    )
    late = await create_task(cast.csm, cast.account.id, TaskIn(title="遅れ", due_on=TODAY), TODAY)
    await Task.update({Task.due_on: TODAY - timedelta(days=2)}).where(Task.id == late)
    await change_task(
        cast.csm,
        soon,
        TaskChange(action="snooze", version=1, snoozed_until=TODAY + timedelta(days=2)),
        TODAY,
    )
    todo, snoozed = await my_tasks(cast.csm, TODAY)
    assert [t.id for t in todo] == [late, later] and todo[0].overdue(TODAY)
    assert [t.id for t in snoozed] == [soon]
    with pytest.raises(DomainError):
        await change_task(
            cast.csm, later, TaskChange(action="snooze", version=1, snoozed_until=TODAY), TODAY
        )


async def test_a_stale_change_is_refused_and_two_at_once_make_one(app) -> None:
    cast = await Cast.create()
    task_id = await create_task(
        cast.csm, cast.account.id, TaskIn(title="確認", due_on=TODAY), TODAY
    )
    results = await asyncio.gather(
        change_task(cast.csm, task_id, TaskChange(action="done", version=1), TODAY),
        change_task(
            cast.admin,
            task_id,
            TaskChange(action="reassign", version=1, assignee_id=cast.admin.id),
            TODAY,
        ),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "TaskRow"]
    task = await get_task(task_id)
    assert task.version == 2
    with pytest.raises(Conflict):
        await change_task(cast.csm, task_id, TaskChange(action="reopen", version=1), TODAY)
    assert (await get_task(task_id)).version == 2


async def test_done_by_logging_a_touch_from_the_task(app, client) -> None:
    cast = await Cast.create()
    task_id = await create_task(
        cast.csm, cast.account.id, TaskIn(title="ヒアリング", due_on=TODAY), TODAY
    )
    await signed_in(client, cast.csm)
    form = await client.get(
        f"/staff/success/accounts/{cast.account.id}/touches/new?task_id={task_id}"
    )
    assert "タスク「ヒアリング」が完了になります" in form.text
    when = (TODAY - timedelta(days=1)).isoformat() + "T10:00"
    saved = await client.post_form(
        f"/staff/success/accounts/{cast.account.id}/touches/new",
        {
            "kind": "call",
            "outcome": "held",
            "occurred_at": when,
            "duration_minutes": "20",
            "participant_ids": str(cast.alice.id),
            "task_id": str(task_id),
            "task_version": "1",
        },
    )
    assert saved.status_code == 303, saved.text[:2000]
    task = await get_task(task_id)
    assert task.status == "done" and task.touch is not None
    # The form of a task changed meanwhile is refused whole: no second touch.
    again = await client.post_form(
        f"/staff/success/accounts/{cast.account.id}/touches/new",
        {
            "occurred_at": when,
            "participant_ids": str(cast.alice.id),
            "task_id": str(task_id),
            "task_version": "1",
        },
    )
    assert again.status_code == 409 and "変更されています" in again.text


async def test_the_task_page_changes_and_comments(app, client) -> None:
    cast = await Cast.create()
    task_id = await create_task(
        cast.csm, cast.account.id, TaskIn(title="確認", due_on=TODAY), TODAY
    )
    await signed_in(client, cast.csm)
    bad = await client.post_form(
        f"/staff/tasks/{task_id}/change", {"action": "snooze", "version": "1"}
    )
    assert bad.status_code == 400 and "明日以降の日付" in bad.text
    stale = await client.post_form(
        f"/staff/tasks/{task_id}/change", {"action": "done", "version": "9"}
    )
    assert stale.status_code == 409
    empty = await client.post_form(f"/staff/tasks/{task_id}/comment", {"body": "  "})
    assert empty.status_code == 400 and "コメントを入力してください" in empty.text
    ok = await client.post_form(f"/staff/tasks/{task_id}/comment", {"body": "**電話済み**"})
    assert ok.status_code == 303
    page = await client.get(f"/staff/tasks/{task_id}")
    assert "<strong>電話済み</strong>" in page.text
    api = await client.api(
        "POST", f"/api/v1/tasks/{task_id}/change", json={"action": "done", "version": 1}
    )
    assert api.status_code == 200 and api.json()["status"] == "done"
    customer = await client.get("/staff/tasks")
    assert customer.status_code == 200


async def test_customers_never_reach_tasks_or_touches(app, client) -> None:
    cast = await Cast.create()
    task_id = await create_task(
        cast.csm, cast.account.id, TaskIn(title="確認", due_on=TODAY), TODAY
    )
    await signed_in(client, cast.alice)
    assert (await client.get(f"/staff/tasks/{task_id}")).status_code == 403
    api = await client.api(
        "POST",
        f"/api/v1/accounts/{cast.account.id}/touches",
        json=touch_in([cast.alice.id]).model_dump(mode="json"),
    )
    assert api.status_code == 403
