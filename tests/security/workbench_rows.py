"""The authorisation matrix's rows for the content library and the CSM's workbench (the rest
are in test_authz_matrix.py). Path parameters name account A's objects: a content item for
A only, the CSM's touch with alice (its notes are staff-only), alice's homework, a task on A,
a paused playbook, the CSM's capacity."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.security.matrix import (
    ADMIN_PAGE,
    ADMIN_WRITE,
    MEMBER_PAGE,
    STAFF_API,
    STAFF_PAGE,
    STAFF_WRITE,
    Route,
    in_days,
    none,
)
from tests.security.world import MARKERS, World


def content_form(title: str) -> dict[str, Any]:
    return {
        "title": title,
        "body": "手順です。",
        "kind": "article",
        "minutes": "10",
        "published": "1",
    }


def content_a_form(world: World) -> dict[str, Any]:
    return {
        **content_form(MARKERS["content_a"]),
        "audience": "accounts",
        "audience_accounts": str(world.account_a.id),
    }


def touch_form(world: World) -> dict[str, Any]:
    when = (date.today() - timedelta(days=1)).isoformat() + "T10:00"
    return {
        "kind": "meeting_online",
        "outcome": "held",
        "occurred_at": when,
        "duration_minutes": "30",
        "title": "電話",
        "notes": MARKERS["touch_a"],
        "participant_ids": str(world.alice.id),
        "staff_ids": str(world.csm.id),
    }


def touch_json(world: World) -> dict[str, Any]:
    return {
        "occurred_at": f"{date.today().isoformat()}T01:00:00+00:00",
        "participant_ids": [world.alice.id],
        "notes": "APIから",
    }


def calendar_file(world: World) -> dict[str, Any]:
    start = (date.today() - timedelta(days=1)).strftime("%Y%m%d")
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:matrix-1@example.com\r\nDTSTART:{start}T010000Z\r\nDTEND:{start}T020000Z\r\n"
        f"SUMMARY:定例\r\nATTENDEE:mailto:{world.alice.email}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    return {"file": ("meeting.ics", ics.encode(), "text/calendar")}


def task_change(_: World) -> dict[str, Any]:
    return {"action": "snooze", "version": "1", "snoozed_until": in_days(7)}


def new_task(_: World) -> dict[str, Any]:
    return {"title": "フォロー", "due_on": in_days(3), "priority": "normal"}


def playbook_form(_: World) -> dict[str, Any]:
    return {"name": "要注意", "trigger": "score_red", "due_in_days": "3", "priority": "high"}


WORKBENCH_ROWS: dict[str, Route] = {
    # --- the content library: members read what is for their account -------------------
    "GET /content": Route(MEMBER_PAGE, shows=("content_a",)),
    "GET /content/{item_id}": Route("login 200 404 200 200 login", shows=("content_a",)),
    # A text item's tracked link leads to its page (a view counted for customers only).
    "GET /content/{item_id}/open": Route("login 303 404 303 303 login"),
    # Staff have nothing to complete: refused.
    "POST /content/{item_id}/done": Route("login 303 404 403 403 403", form=none),
    "GET /staff/content": Route(STAFF_PAGE, shows=("content_a",)),
    "GET /staff/content/new": Route(STAFF_PAGE),
    "POST /staff/content/new": Route(STAFF_WRITE, form=lambda w: content_form("新しい記事")),
    "GET /staff/content/{item_id}/edit": Route(STAFF_PAGE, shows=("content_a",)),
    "POST /staff/content/{item_id}/edit": Route(STAFF_WRITE, form=content_a_form),
    "GET /api/v1/content": Route(
        "401 200 200 200 200 403", shows=("content_a",), shows_to=("customer_a", "csm", "admin")
    ),
    "POST /api/v1/content/{item_id}/complete": Route("401 200 404 403 403 403"),
    # --- homework: alice's own ---------------------------------------------------------
    "POST /homework/{homework_id}/done": Route("login 303 404 404 404 403", form=none),
    "GET /api/v1/homework": Route(
        "401 200 200 200 200 403", shows=("content_a",), shows_to=("customer_a",)
    ),
    "POST /api/v1/homework/{homework_id}/complete": Route("401 200 404 404 404 403"),
    # --- touches and tasks on account A (staff) ----------------------------------------
    "GET /staff/success/accounts/{account_id}/touches/new": Route(
        STAFF_PAGE, shows=("account_a", "member_a_name", "content_a")
    ),
    "POST /staff/success/accounts/{account_id}/touches/new": Route(STAFF_WRITE, form=touch_form),
    "POST /staff/success/accounts/{account_id}/touches/import": Route(
        "login 403 403 200 200 403", files=calendar_file
    ),
    "GET /staff/success/touches/{touch_id}": Route(
        STAFF_PAGE, shows=("touch_a", "member_a_name", "content_a")
    ),
    "GET /staff/success/touches/{touch_id}/edit": Route(STAFF_PAGE, shows=("touch_a",)),
    "POST /staff/success/touches/{touch_id}/edit": Route(
        STAFF_WRITE, form=lambda w: {**touch_form(w), "version": "1"}
    ),
    "POST /staff/success/touches/{touch_id}/delete": Route(STAFF_WRITE, form=none, phase=5),
    "GET /staff/success/accounts/{account_id}/tasks/new": Route(STAFF_PAGE, shows=("account_a",)),
    "POST /staff/success/accounts/{account_id}/tasks/new": Route(STAFF_WRITE, form=new_task),
    "GET /staff/success/accounts/{account_id}/timeline": Route(
        STAFF_PAGE, shows=("account_a", "touch_a")
    ),
    "GET /staff/tasks": Route(STAFF_PAGE, shows=("account_a",), shows_to=("csm",)),
    "GET /staff/tasks/all": Route(ADMIN_PAGE, shows=("account_a",)),
    "GET /staff/tasks/{task_id}": Route(STAFF_PAGE, shows=("account_a",)),
    "POST /staff/tasks/{task_id}/change": Route(STAFF_WRITE, form=task_change),
    "POST /staff/tasks/{task_id}/comment": Route(STAFF_WRITE, form=lambda w: {"body": "確認中"}),
    # --- across accounts: the mix, capacity, targets, playbooks ------------------------
    "GET /staff/success/mix": Route(STAFF_PAGE),
    "GET /staff/success/capacity": Route(STAFF_PAGE),
    "POST /staff/success/capacity/{csm_id}": Route(ADMIN_WRITE, form=lambda w: {"hours": "50"}),
    "GET /staff/success/settings": Route(ADMIN_PAGE),
    "POST /staff/success/settings": Route(ADMIN_WRITE, form=lambda w: {"tolerance": "15"}),
    "GET /staff/playbooks": Route(STAFF_PAGE),
    "GET /staff/playbooks/new": Route(ADMIN_PAGE),
    "POST /staff/playbooks/new": Route(ADMIN_WRITE, form=playbook_form),
    "GET /staff/playbooks/{playbook_id}/edit": Route(ADMIN_PAGE),
    "POST /staff/playbooks/{playbook_id}/edit": Route(ADMIN_WRITE, form=playbook_form),
    "POST /staff/playbooks/run": Route(ADMIN_WRITE, form=none),
    # --- the workbench's API (staff) ---------------------------------------------------
    "GET /api/v1/tasks": Route(STAFF_API, shows=("account_a",), shows_to=("csm",)),
    "GET /api/v1/tasks/{task_id}": Route(STAFF_API, shows=("account_a",)),
    # Version 2: the task page's snooze above (same role, earlier in table order) made it so.
    "POST /api/v1/tasks/{task_id}/change": Route(
        STAFF_API, json=lambda w: {"action": "done", "version": 2}
    ),
    "GET /api/v1/accounts/{account_id}/touches": Route(STAFF_API, shows=("touch_a",)),
    "POST /api/v1/accounts/{account_id}/touches": Route("401 403 403 201 201 403", json=touch_json),
    "GET /api/v1/touches/{touch_id}": Route(STAFF_API, shows=("touch_a",)),
}
