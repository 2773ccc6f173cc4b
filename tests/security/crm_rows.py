"""The authorisation matrix's rows for the CRM side: the export and its mapping, connections
and syncs, API tokens, webhooks (pages and API), the pull API, pulls from the CRM; and renewal
outcomes with the backtest and the leader's report (the rest are in test_authz_matrix.py)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.security.matrix import (
    ADMIN_PAGE,
    ADMIN_WRITE,
    STAFF_API,
    STAFF_PAGE,
    STAFF_WRITE,
    Route,
    in_days,
    none,
)
from tests.security.world import MARKERS, World

SALESFORCE_MAPPING = {
    "key_field": "Kizuna_Id__c",
    "include_score": "1",
    "field_score": "Engagement_Score__c",
}


def webhook(world: World) -> dict[str, Any]:
    return {"url": world.receiver_url, "events": ["score.updated"], "description": "BI"}


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


def renewals_csv(world: World) -> dict[str, Any]:
    text = f"account,renewal_date,outcome\n{MARKERS['account_a']},2024-04-01,更新\n"
    return {"file": ("renewals.csv", text.encode("cp932"), "text/csv")}


def pull_fields(_: World) -> dict[str, Any]:
    return {
        "pull_name": "Name",
        "pull_account": "AccountId",
        "pull_close_date": "CloseDate",
        "pull_won": "IsWon",
        "pull_arr_after": "Amount",
        "pull_renewal_filter": "Renewal",
    }


CRM_ROWS: dict[str, Route] = {
    # --- CRM export: overview and downloads (staff), the rest admins ---------------------
    "GET /staff/crm": Route(STAFF_PAGE),
    "GET /staff/crm/export": Route(STAFF_PAGE, query="?format=csv", shows=("account_a",)),
    "POST /staff/crm/mapping/{crm}": Route(
        "login 403 403 403 303 403", form=lambda w: SALESFORCE_MAPPING
    ),
    # An empty connection form: admins are let in and nothing is saved, so the sync, refused
    # without a connection, never reaches out to a real CRM.
    "GET /staff/crm/connections": Route(ADMIN_PAGE),
    "POST /staff/crm/connections/{crm}": Route("login 403 403 403 400 403", form=none),
    "POST /staff/crm/sync/{crm}": Route("login 403 403 403 400 403", form=none),
    "GET /staff/crm/syncs/{run_id}": Route(ADMIN_PAGE),
    "GET /staff/crm/tokens": Route(ADMIN_PAGE),
    "POST /staff/crm/tokens": Route(
        "login 403 403 403 201 403", form=lambda w: {"name": "BI", "scopes": "scores:read"}
    ),
    "POST /staff/crm/tokens/{token_id}/revoke": Route("login 403 403 403 303 403", form=none),
    "GET /staff/crm/webhooks": Route(ADMIN_PAGE),
    "POST /staff/crm/webhooks": Route("login 403 403 403 201 403", form=lambda w: webhook(w)),
    "GET /staff/crm/webhooks/{endpoint_id}": Route(ADMIN_PAGE),
    "POST /staff/crm/webhooks/{endpoint_id}/disable": Route("login 403 403 403 303 403", form=none),
    "POST /staff/crm/webhooks/{endpoint_id}/enable": Route("login 403 403 403 303 403", form=none),
    "POST /staff/crm/webhooks/{endpoint_id}/test": Route("login 403 403 403 303 403", form=none),
    "POST /staff/crm/webhooks/deliveries/{delivery_id}/redeliver": Route(
        "login 403 403 403 303 403", form=none
    ),
    "POST /staff/crm/webhooks/{endpoint_id}/delete": Route(
        "login 403 403 403 303 403", form=none, phase=1
    ),
    # --- CRM pull API and webhooks API: bearer tokens ------------------------------------
    "GET /api/v1/scores": Route(
        "401 403 403 200 200 200",
        # Every account's score with its name is what the export is for.
        public=("account_a",),
        shows=("account_a",),
    ),
    # Token-only: a session is not the scheme these take, so it is a 401 with a challenge.
    "GET /api/v1/webhooks": Route("401 401 401 401 401 200"),
    "POST /api/v1/webhooks": Route("401 401 401 401 401 201", json=lambda w: webhook(w)),
    "DELETE /api/v1/webhooks/{endpoint_id}": Route("401 401 401 401 401 204", phase=1),
    # --- pulls from the CRM (admins; no CRM is connected in the world) ------------------
    "GET /staff/crm/pulls": Route(ADMIN_PAGE),
    "POST /staff/crm/pulls/{crm}/{kind}": Route("login 403 403 403 400 403", form=none),
    "POST /staff/crm/pulls/{crm}/fields": Route(ADMIN_WRITE, form=pull_fields),
    "GET /staff/crm/pulls/runs/{pull_id}": Route(ADMIN_PAGE),
    # --- renewal outcomes and the backtest (staff; applying weights is for admins) ------
    "GET /staff/renewals": Route(STAFF_PAGE, shows=("account_a",)),
    "POST /staff/renewals": Route(STAFF_WRITE, form=renewal_form),
    "GET /staff/renewals/{renewal_id}/edit": Route(STAFF_PAGE, shows=("account_a",)),
    "POST /staff/renewals/{renewal_id}": Route(
        STAFF_WRITE,
        form=lambda w: {
            **renewal_form(w),
            "renewal_date": in_days(-60),
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
        STAFF_API, json=lambda w: {**renewal_json(w), "renewal_date": in_days(-50)}
    ),
    # The page above deleted it first (phase 5): staff reach the handler, which finds nothing.
    "DELETE /api/v1/renewals/{renewal_id}": Route("401 403 403 404 404 403", phase=6),
}
