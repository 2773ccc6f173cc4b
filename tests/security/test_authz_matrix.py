"""The authorisation matrix: every route of the app, for every kind of caller, against TABLE.

The routes come from the running app's router, so a route added without a row here (or a row
whose route is gone) fails `test_every_route_is_declared`. Each role's test asks every route
once, path parameters naming account A's objects (tests/security/world.py), and checks the
answer's status against the table; no answer may show a marker the role may not read (A's
private topic, A's event and roster, A's account name on score pages, staff-only things), an
allowed page must show the markers it is there to show, and a refused write must change
nothing in the database. Each role's test lists every wrong cell at once.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar

from settings import Settings
from tests.crm.servers import WebhookReceiver
from tests.factories import PASSWORD
from tests.security.crm_rows import CRM_ROWS
from tests.security.events_rows import EVENT_ROWS
from tests.security.matrix import (
    ADMIN_PAGE,
    MEMBER_PAGE,
    PUBLIC_PAGE,
    STAFF_PAGE,
    Route,
    Run,
    caller_for,
    none,
    router_routes,
)
from tests.security.staff_api_rows import STAFF_API_ROWS
from tests.security.workbench_rows import WORKBENCH_ROWS
from tests.security.world import MARKERS, ROLES, World, build_world

WRONG_LOGIN = {"email": "nobody@example.com", "password": "not-the-password"}
SIGNUP = {"email": "newcomer@b.example", "display_name": "新人 さん"}
FORGOT = {"email": "nobody@example.com"}
BAD_TOKEN = {"token": "not-a-token", "password": PASSWORD, "password_confirm": PASSWORD}
SAME_PASSWORD = {"current_password": PASSWORD, "password": PASSWORD, "password_confirm": PASSWORD}
PREVIEW = {"body": "**太字**"}


# Every route of the app, one outcome per role: anon, customer_a, customer_b, csm, admin,
# token. The bearer token counts only on /api/ routes that take one; elsewhere on /api/ it is
# refused (403), pages ignore it (sign-in), and its form posts lack a CSRF token (403).
# Path parameters name A's objects: a topic in A's private category, anna's reply in it, A's
# event (audience: account A) with alice's registration, A's score and alert (world.py).
TABLE: dict[str, Route] = {
    # --- public pages, health, static files and the API schema ---------------------------
    "GET /": Route(PUBLIC_PAGE, shows=("private_topic", "event_a")),
    "GET /healthz": Route(PUBLIC_PAGE),
    "GET /favicon.ico": Route("301 301 301 301 301 301"),
    # One-click unsubscribe (RFC 8058): the signed link is the key, no sign-in and no CSRF
    # token (a mailbox provider posts it); it turns alice's notification emails off.
    "GET /unsubscribe/{token}": Route(PUBLIC_PAGE),
    "POST /unsubscribe/{token}": Route(PUBLIC_PAGE, form=none, phase=3),
    "GET /static/{file_path}": Route(PUBLIC_PAGE),
    "HEAD /static/{file_path}": Route(PUBLIC_PAGE),
    "GET /schema": Route(PUBLIC_PAGE),
    "GET /schema/swagger": Route(PUBLIC_PAGE),
    "GET /schema/openapi.json": Route(PUBLIC_PAGE),
    "GET /schema/oauth2-redirect.html": Route(PUBLIC_PAGE),
    "GET /schema/{path}": Route("404 404 404 404 404 404"),
    # --- signing in, sign-up, invitations, password reset: anyone ------------------------
    # Wrong credentials and unknown tokens: the answer is the form again, for everyone.
    "GET /login": Route("200 303 303 303 303 200"),
    "POST /login": Route("400 400 400 400 400 403", form=lambda w: WRONG_LOGIN),
    "GET /signup": Route(PUBLIC_PAGE),
    "POST /signup": Route("200 200 200 200 200 403", form=lambda w: SIGNUP),
    "GET /signup/complete": Route("400 400 400 400 400 400", query="?token=not-a-token"),
    "POST /signup/complete": Route("400 400 400 400 400 403", form=lambda w: BAD_TOKEN),
    "GET /invitations/accept": Route("400 400 400 400 400 400", query="?token=not-a-token"),
    "POST /invitations/accept": Route(
        "400 400 400 400 400 403", form=lambda w: {**BAD_TOKEN, "display_name": "新人"}
    ),
    "GET /password/forgot": Route(PUBLIC_PAGE),
    "POST /password/forgot": Route("200 200 200 200 200 403", form=lambda w: FORGOT),
    "GET /password/reset": Route("400 400 400 400 400 400", query="?token=not-a-token"),
    "POST /password/reset": Route("400 400 400 400 400 403", form=lambda w: BAD_TOKEN),
    "POST /locale": Route("303 303 303 303 303 403", form=lambda w: {"locale": "ja", "next": "/"}),
    "POST /logout": Route("303 303 303 303 303 403", form=none, phase=9),  # last of all
    # --- the member's own settings and profile -------------------------------------------
    "GET /settings": Route(MEMBER_PAGE),
    "POST /settings": Route("login 303 303 303 303 403", form=lambda w: own_settings(w)),
    "POST /settings/password": Route("login 303 303 303 303 403", form=lambda w: SAME_PASSWORD),
    "GET /api/v1/me": Route("401 200 200 200 200 403"),
    # --- forum pages ---------------------------------------------------------------------
    "GET /community": Route(MEMBER_PAGE, shows=("private_topic", "staff_topic")),
    "GET /community/c/{category_id}": Route(
        "login 200 404 200 200 login", shows=("private_category", "private_topic")
    ),
    "GET /community/t/{topic_id}": Route(
        "login 200 404 200 200 login", shows=("private_topic", "private_post")
    ),
    "GET /community/search": Route(
        # Words of the opening post: the page highlights matches in titles, this keeps it whole.
        "login 200 200 200 200 login",
        query="?q=困っています",
        shows=("private_topic",),
    ),
    "GET /community/u/{handle}": Route(
        MEMBER_PAGE,
        # A member's card (name and company) is public to every member, as on their posts.
        public=("member_a_name", "account_a"),
        shows=("private_topic",),
        shows_to=("customer_a", "csm", "admin"),
    ),
    "GET /community/new": Route(MEMBER_PAGE, shows=("private_category",)),
    "POST /community/new": Route(
        "login 303 404 303 303 403", form=lambda w: new_topic(w.private_category.id)
    ),
    "POST /community/preview": Route("login 200 200 200 200 403", form=lambda w: PREVIEW),
    "POST /community/t/{topic_id}/reply": Route(
        "login 303 404 303 303 403", form=lambda w: {"body": "返信します。"}
    ),
    "POST /community/t/{topic_id}/accept": Route(
        "login 303 404 303 303 403", form=lambda w: {"post_id": w.private_post_id}
    ),
    "POST /community/t/{topic_id}/unaccept": Route("login 303 404 303 303 403", form=none),
    # Anna's reply: alice may read it, not edit it (404, like any post one cannot edit) nor
    # delete it (403).
    "GET /community/p/{post_id}/edit": Route(
        "login 404 404 200 200 login", shows=("private_post",)
    ),
    "POST /community/p/{post_id}/edit": Route(
        "login 404 404 303 303 403", form=lambda w: {"body": MARKERS["private_post"] + " 追記"}
    ),
    "POST /community/p/{post_id}/like": Route("login 303 404 303 303 403", form=none),
    "POST /community/p/{post_id}/unlike": Route("login 303 404 303 303 403", form=none),
    "GET /community/p/{post_id}/flag": Route(
        "login 200 404 200 200 login", shows=("private_post",)
    ),
    "POST /community/p/{post_id}/flag": Route(
        "login 303 404 303 303 403", form=lambda w: {"reason": "off_topic", "note": ""}
    ),
    "POST /community/p/{post_id}/delete": Route("login 403 404 303 303 403", form=none, phase=1),
    # --- forum moderation (staff) and categories (admins) ---------------------------------
    "GET /community/moderation": Route(STAFF_PAGE, shows=("private_post",)),
    "POST /community/moderation/flags/{post_id}": Route(
        "login 403 403 303 303 403", form=lambda w: {"decision": "restore"}
    ),
    "GET /community/p/{post_id}/history": Route(STAFF_PAGE, shows=("private_post",)),
    "POST /community/t/{topic_id}/pin": Route("login 403 403 303 303 403", form=none),
    "POST /community/t/{topic_id}/unpin": Route("login 403 403 303 303 403", form=none),
    "POST /community/t/{topic_id}/lock": Route("login 403 403 303 303 403", form=none),
    "POST /community/t/{topic_id}/unlock": Route("login 403 403 303 303 403", form=none),
    "POST /community/t/{topic_id}/hide": Route("login 403 403 303 303 403", form=none),
    "POST /community/t/{topic_id}/restore": Route("login 403 403 303 303 403", form=none),
    "POST /community/t/{topic_id}/move": Route(
        "login 403 403 303 303 403", form=lambda w: {"category_id": w.private_category.id}
    ),
    "POST /community/p/{post_id}/hide": Route("login 403 403 303 303 403", form=none),
    "POST /community/p/{post_id}/restore": Route("login 403 403 303 303 403", form=none),
    "GET /community/categories": Route(ADMIN_PAGE, shows=("private_category",)),
    "POST /community/categories": Route(
        "login 403 403 403 303 403", form=lambda w: {"name": "新設", "visibility": "all"}
    ),
    "GET /community/categories/{category_id}": Route(ADMIN_PAGE, shows=("private_category",)),
    "POST /community/categories/{category_id}": Route(
        "login 403 403 403 303 403", form=lambda w: private_category_form(w)
    ),
    # --- notifications -------------------------------------------------------------------
    "GET /notifications": Route(MEMBER_PAGE, shows=("private_topic",), shows_to=("customer_a",)),
    "GET /notifications/{notification_id}": Route("login 303 404 404 404 login"),
    "POST /notifications/read": Route("login 303 303 303 303 403", form=none),
    # --- forum API -----------------------------------------------------------------------
    "GET /api/v1/community/categories": Route(
        "401 200 200 200 200 403", shows=("private_category",)
    ),
    "GET /api/v1/community/topics": Route("401 200 200 200 200 403", shows=("private_topic",)),
    "POST /api/v1/community/topics": Route(
        "401 201 404 201 201 403", json=lambda w: new_topic(w.private_category.id, "API")
    ),
    "GET /api/v1/community/topics/{topic_id}": Route(
        "401 200 404 200 200 403", shows=("private_topic", "private_post")
    ),
    "POST /api/v1/community/topics/{topic_id}/posts": Route(
        "401 201 404 201 201 403", json=lambda w: {"body": "APIからの返信"}
    ),
    "POST /api/v1/community/topics/{topic_id}/accept": Route(
        "401 200 404 200 200 403", json=lambda w: {"post_id": w.private_post_id}
    ),
    "DELETE /api/v1/community/topics/{topic_id}/accept": Route("401 200 404 200 200 403"),
    "PUT /api/v1/community/posts/{post_id}/like": Route("401 200 404 200 200 403"),
    "DELETE /api/v1/community/posts/{post_id}/like": Route("401 200 404 200 200 403"),
    "POST /api/v1/community/preview": Route("401 200 200 200 200 403", json=lambda w: PREVIEW),
    "GET /api/v1/community/search": Route(
        "401 200 200 200 200 403", query="?q=極秘", shows=("private_topic",)
    ),
    "GET /api/v1/community/notifications": Route(
        "401 200 200 200 200 403", shows=("private_topic",), shows_to=("customer_a",)
    ),
    # --- events: members, API, staff (events_rows.py) ----------------------------------
    **EVENT_ROWS,
    # --- engagement ----------------------------------------------------------------------
    # Staff have no account of their own: not found, as for a customer without the self-view.
    "GET /engagement/my-account": Route("login 200 200 404 404 login", shows=("account_a",)),
    "GET /api/v1/accounts/{account_id}/score": Route(
        "401 200 404 200 200 403", shows=("account_a",)
    ),
    "GET /api/v1/engagement/accounts": Route("401 403 403 200 200 403", shows=("account_a",)),
    "GET /staff/engagement": Route(STAFF_PAGE, shows=("account_a",)),
    "GET /staff/engagement/export.csv": Route(STAFF_PAGE, shows=("account_a",)),
    "GET /staff/engagement/silent": Route(STAFF_PAGE),
    "GET /staff/engagement/portfolio": Route(STAFF_PAGE),
    "GET /staff/engagement/alerts": Route(STAFF_PAGE, query="?all=1", shows=("account_a",)),
    "POST /staff/engagement/alerts/{alert_id}/close": Route("login 403 403 303 303 403", form=none),
    "GET /staff/engagement/accounts/{account_id}": Route(STAFF_PAGE, shows=("account_a",)),
    "POST /staff/engagement/accounts/{account_id}/self-view": Route(
        "login 403 403 403 303 403", form=lambda w: {"enabled": "1"}
    ),
    "GET /staff/engagement/config": Route(ADMIN_PAGE),
    "POST /staff/engagement/config": Route(
        "login 403 403 403 303 403", form=lambda w: w.forms["scoring_config"]
    ),
    "GET /dashboard/accounts/{account_id}": Route("login 403 403 301 301 login"),
    "GET /staff/dashboard": Route("login 403 403 301 301 login"),
    # --- accounts and members (staff) ----------------------------------------------------
    "GET /staff/accounts": Route(STAFF_PAGE, shows=("account_a",)),
    "GET /staff/accounts/new": Route(STAFF_PAGE),
    "POST /staff/accounts/new": Route(
        "login 403 403 303 303 403", form=lambda w: {"name": "新規株式会社", "touch_tier": "low"}
    ),
    "GET /staff/accounts/{account_id}/edit": Route(STAFF_PAGE, shows=("account_a",)),
    "POST /staff/accounts/{account_id}/edit": Route(
        "login 403 403 303 303 403", form=lambda w: account_a_form(w)
    ),
    # Deactivations come after everything else: they end A's members' access.
    "POST /staff/accounts/{account_id}/deactivate": Route(
        "login 403 403 303 303 403", form=none, phase=8
    ),
    "POST /staff/accounts/{account_id}/activate": Route(
        "login 403 403 303 303 403", form=none, phase=8
    ),
    "GET /staff/accounts/import": Route(STAFF_PAGE),
    "POST /staff/accounts/import": Route(
        "login 403 403 303 303 403", files=lambda w: accounts_csv()
    ),
    "GET /api/v1/accounts": Route("401 403 403 200 200 403", shows=("account_a",)),
    "GET /api/v1/accounts/{account_id}": Route("401 403 403 200 200 403", shows=("account_a",)),
    "GET /staff/members": Route(STAFF_PAGE, shows=("member_a_name", "member_a_email")),
    "GET /staff/members/invite": Route(STAFF_PAGE),
    "POST /staff/members/invite": Route("login 403 403 303 303 403", form=lambda w: invitation(w)),
    "GET /staff/members/{member_id}/edit": Route(STAFF_PAGE, shows=("member_a_name",)),
    "POST /staff/members/{member_id}/edit": Route(
        "login 403 403 303 303 403", form=lambda w: alice_form(w)
    ),
    "POST /staff/members/{member_id}/deactivate": Route(
        "login 403 403 303 303 403", form=none, phase=8
    ),
    # --- the content library and the CSM's workbench (tests/security/workbench_rows.py) ---
    **WORKBENCH_ROWS,
    # --- CRM export, tokens, webhooks, pulls; renewal outcomes (crm_rows.py) --------------
    **CRM_ROWS,
    # --- the staff API, Zoom (staff_api_rows.py) ------------------------------------------
    **STAFF_API_ROWS,
}


def own_settings(world: World) -> dict[str, Any]:
    me = world.me
    name = me.display_name if me is not None else "名無し"
    return {"display_name": name, "locale": "ja", "timezone": "Asia/Tokyo"}


def new_topic(category_id: int, via: str = "form") -> dict[str, Any]:
    title = f"新しい話題 ({via})"
    return {"category_id": category_id, "kind": "discussion", "title": title, "body": "本文"}


def private_category_form(world: World) -> dict[str, Any]:
    return {
        "name": MARKERS["private_category"],
        "visibility": "account",
        "account_id": world.account_a.id,
        "position": "2",
    }


def account_a_form(world: World) -> dict[str, Any]:
    return {
        "name": MARKERS["account_a"],
        "domains": "a.example",
        "touch_tier": "high",
        "arr": "1000000",
        "owner_id": world.csm.id,
        "score_self_view": "1",
    }


def alice_form(world: World) -> dict[str, Any]:
    return {
        "display_name": MARKERS["member_a_name"],
        "role": "customer",
        "account_id": world.account_a.id,
        "active": "1",
    }


def invitation(world: World) -> dict[str, Any]:
    return {
        "email": "invited@a.example",
        "display_name": "招待 さん",
        "role": "customer",
        "account_id": world.account_a.id,
    }


def accounts_csv() -> dict[str, Any]:
    content = "会社名,ドメイン\n株式会社インポート,import.example\n".encode()
    return {"file": ("accounts.csv", content, "text/csv")}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Hundreds of writes by one member in a minute: the write limit is not what is checked.
    return settings.model_copy(
        update={
            "write_limit_per_minute": 100_000,
            "webhook_allow_private_targets": True,
            "scores_api_settle_seconds": 0.0,
        }
    )


@pytest.fixture
async def world(
    app: Litestar, settings: Settings, receiver: WebhookReceiver, run_jobs: Any
) -> World:
    built = await build_world(settings, f"{receiver.url}/hooks")
    await run_jobs()
    return built


def test_every_route_is_declared(app: Litestar) -> None:
    routes = router_routes(app)
    missing = sorted(set(routes) - set(TABLE))
    stale = sorted(set(TABLE) - set(routes))
    assert not missing and not stale, (
        "Declare every route in TABLE (tests/security/test_authz_matrix.py).\n"
        f"Routes of the app missing from the table: {missing}\n"
        f"Rows naming routes the app no longer has: {stale}"
    )


@pytest.mark.parametrize("role", ROLES)
async def test_role_matrix(role: str, app: Litestar, world: World) -> None:
    caller = await caller_for(role, world, app)
    try:
        await caller.raw.get("/")  # the day's visit is recorded here, not in a refused request
        routes = router_routes(app)
        run = Run(TABLE, caller, world, app)
        problems = await run.check_options(set(routes.values()))
        for key in run.order(routes):
            problems += await run.check(key, routes[key])
    finally:
        await caller.raw.aclose()
    assert not problems, f"{role}: {len(problems)} wrong cells\n" + "\n".join(problems)
