"""The authorisation matrix's rows for the content library and the CSM's workbench (the rest
are in test_authz_matrix.py). Path parameters name account A's objects: a content item for
A only, the CSM's touch with alice (its notes are staff-only), alice's homework, a task on A,
a paused playbook, the CSM's capacity."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.security.matrix import Route
from tests.security.world import MARKERS, World

STAFF_PAGE = "login 403 403 200 200 login"
ADMIN_PAGE = "login 403 403 403 200 login"
MEMBER_PAGE = "login 200 200 200 200 login"
STAFF_WRITE = "login 403 403 303 303 403"
ADMIN_WRITE = "login 403 403 403 303 403"
STAFF_API = "401 403 403 200 200 403"


def none(_: World) -> dict[str, Any]:
    return {}


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
    return {"action": "snooze", "version": "1", "snoozed_until": _in_days(7)}


def new_task(_: World) -> dict[str, Any]:
    return {"title": "フォロー", "due_on": _in_days(3), "priority": "normal"}


def playbook_form(_: World) -> dict[str, Any]:
    return {"name": "要注意", "trigger": "score_red", "due_in_days": "3", "priority": "high"}


def renewal_form(world: World) -> dict[str, Any]:
    """A renewal of account A on a day of the caller's own (each role adds one)."""
    me = world.me.id if world.me else 0
    day = date.today() - timedelta(days=400 + me)
    return {
        "account_id": str(world.account_a.id),
        "renewal_date": day.isoformat(),
        "outcome": "expanded",
        "arr_before": "1000000",
        "arr_after": "1500000",
    }


def renewal_json(world: World) -> dict[str, Any]:
    me = world.me.id if world.me else 0
    return {
        "account_id": world.account_a.id,
        "renewal_date": (date.today() - timedelta(days=800 + me)).isoformat(),
        "outcome": "expanded",
        "arr_before": 1_000_000,
        "arr_after": 1_500_000,
    }


def event_json(_: World) -> dict[str, Any]:
    return {
        "kind": "webinar",
        "title": "行列のウェビナー",
        "starts_at": "2030-01-20T14:00:00+09:00",
        "ends_at": "2030-01-20T15:00:00+09:00",
        "online": True,
        "join_url": "https://meet.example/matrix",
        "publish": True,
    }


def account_json(_: World) -> dict[str, Any]:
    return {"name": "行列株式会社", "domains": ["matrix-new.example"], "touch_tier": "low"}


def pull_fields(_: World) -> dict[str, Any]:
    return {
        "pull_name": "Name",
        "pull_account": "AccountId",
        "pull_close_date": "CloseDate",
        "pull_won": "IsWon",
        "pull_arr_after": "Amount",
        "pull_renewal_filter": "Renewal",
    }


def renewals_csv(world: World) -> dict[str, Any]:
    text = f"account,renewal_date,outcome\n{MARKERS['account_a']},2024-04-01,更新\n"
    return {"file": ("renewals.csv", text.encode("cp932"), "text/csv")}


def _in_days(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


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
    # --- renewal outcomes and the backtest (staff; applying weights is for admins) ------
    "GET /staff/renewals": Route(STAFF_PAGE, shows=("account_a",)),
    "POST /staff/renewals": Route(STAFF_WRITE, form=renewal_form),
    "GET /staff/renewals/{renewal_id}/edit": Route(STAFF_PAGE, shows=("account_a",)),
    "POST /staff/renewals/{renewal_id}": Route(
        STAFF_WRITE,
        form=lambda w: {
            **renewal_form(w),
            "renewal_date": _in_days(-60),
            "outcome": "renewed",
            "arr_after": "1000000",
        },
    ),
    "POST /staff/renewals/{renewal_id}/delete": Route(STAFF_WRITE, form=none, phase=5),
    "GET /staff/renewals/import": Route(STAFF_PAGE),
    "POST /staff/renewals/import": Route(STAFF_WRITE, files=renewals_csv),
    "GET /staff/renewals/backtest": Route(STAFF_PAGE),
    # Too little history in the world: refused with a message, back to the page.
    "POST /staff/renewals/backtest/apply": Route(
        ADMIN_WRITE, form=lambda w: {"days": "90", "digest": "x"}
    ),
    "GET /staff/renewals/report": Route(STAFF_PAGE),
    "GET /api/v1/renewals": Route(STAFF_API, shows=("account_a",)),
    "POST /api/v1/renewals": Route("401 403 403 201 201 403", json=renewal_json),
    "GET /api/v1/renewals/backtest": Route(STAFF_API),
    "GET /api/v1/renewals/backtest/weights": Route(STAFF_API),
    "GET /api/v1/renewals/report": Route(STAFF_API),
    "GET /api/v1/renewals/report.csv": Route(STAFF_API),
    "GET /api/v1/renewals/{renewal_id}": Route(STAFF_API, shows=("account_a",)),
    "PUT /api/v1/renewals/{renewal_id}": Route(
        STAFF_API, json=lambda w: {**renewal_json(w), "renewal_date": _in_days(-50)}
    ),
    # --- the staff API of accounts and members (staff sessions; the role token lacks the
    # scopes). Late (phases 7 and 8, before signing out), so that the other rows see account
    # A and alice as they were. -----------------------------------------------------------
    "POST /api/v1/accounts": Route("401 403 403 201 201 403", json=account_json),
    "PUT /api/v1/accounts/{account_id}": Route(
        STAFF_API, json=lambda w: {"name": "変更後株式会社", "touch_tier": "low"}, phase=7
    ),
    "POST /api/v1/accounts/{account_id}/deactivate": Route(STAFF_API, phase=8),
    "POST /api/v1/accounts/{account_id}/activate": Route(STAFF_API, phase=8),
    "POST /api/v1/members/invitations": Route(
        "401 403 403 201 201 403",
        json=lambda w: {"email": "invited@matrix.example", "account_id": w.account_a.id},
    ),
    "GET /api/v1/members/{member_id}": Route(STAFF_API),
    "PUT /api/v1/members/{member_id}": Route(
        STAFF_API,
        json=lambda w: {"display_name": "変更後", "role": "customer", "account_id": w.account_a.id},
        phase=7,
    ),
    "POST /api/v1/members/{member_id}/deactivate": Route(STAFF_API, phase=8),
    # --- the staff API of events and categories (the role token lacks their scopes) -----
    "POST /api/v1/events": Route("401 403 403 201 201 403", json=event_json),
    # Alice cancelled hers above (POST /api/v1/events/{event_id}/cancel): added again, 201.
    "POST /api/v1/events/{event_id}/registrations": Route(
        "401 403 403 201 201 403", json=lambda w: {"email": w.alice.email}
    ),
    # Event A was cancelled above (phase 2): staff reach the rule, which refuses (422).
    "PUT /api/v1/events/{event_id}": Route("401 403 403 422 422 403", json=event_json, phase=7),
    "POST /api/v1/events/{event_id}/status": Route(
        "401 403 403 422 422 403", json=lambda w: {"status": "cancelled"}, phase=7
    ),
    # By then the registration is not on the event's roster: staff reach the handler (404).
    "DELETE /api/v1/events/{event_id}/registrations/{registration_id}": Route(
        "401 403 403 404 404 403", phase=7
    ),
    "POST /api/v1/community/categories": Route(
        "401 403 403 403 201 403", json=lambda w: {"name": "行列のカテゴリ"}
    ),
    "PUT /api/v1/community/categories/{category_id}": Route(
        "401 403 403 403 200 403", json=lambda w: {"name": "改名", "visibility": "staff"}, phase=7
    ),
    # --- Zoom (not connected in the world): the button says so; the webhook is not there -
    "POST /staff/events/{event_id}/attendance/zoom": Route("login 403 403 303 303 403", form=none),
    "POST /webhooks/zoom": Route("404 404 404 404 404 404", json=lambda w: {"event": "x"}),
    # --- pulls from the CRM (admins; no CRM is connected in the world) ------------------
    "GET /staff/crm/pulls": Route(ADMIN_PAGE),
    "POST /staff/crm/pulls/{crm}/{kind}": Route("login 403 403 403 400 403", form=none),
    "POST /staff/crm/pulls/{crm}/fields": Route(ADMIN_WRITE, form=pull_fields),
    "GET /staff/crm/pulls/runs/{pull_id}": Route(ADMIN_PAGE),
    # The page above deleted it first (phase 5): staff reach the handler, which finds nothing.
    "DELETE /api/v1/renewals/{renewal_id}": Route("401 403 403 404 404 403", phase=6),
}
