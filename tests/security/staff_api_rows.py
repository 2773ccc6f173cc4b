"""The authorisation matrix's rows for the staff API (accounts, members, events, forum
categories: staff sessions or scoped tokens, which the role token lacks) and Zoom's button and
webhook (the rest are in test_authz_matrix.py)."""

from __future__ import annotations

from typing import Any

from tests.security.matrix import (
    STAFF_API,
    Route,
    none,
)
from tests.security.world import World


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


STAFF_API_ROWS: dict[str, Route] = {
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
}
