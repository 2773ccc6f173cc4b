"""The authorisation matrix's rows for events: the pages and API for members, the staff pages
(the rest are in test_authz_matrix.py). Path parameters name account A's event, whose
audience is account A, and alice's registration to it (world.py)."""

from __future__ import annotations

from typing import Any

from tests.events.attendance_helpers import report
from tests.security.matrix import MEMBER_PAGE, PUBLIC_PAGE, STAFF_PAGE, Route, none


def attendance_report() -> dict[str, Any]:
    name = "zoom_meeting_participants.csv"
    return {"file": (name, report(name), "text/csv")}


EVENT_ROWS: dict[str, Route] = {
    # --- events, for members -------------------------------------------------------------
    "GET /events": Route(MEMBER_PAGE, shows=("event_a", "draft_event")),
    "GET /events/{event_id}": Route("login 200 404 200 200 login", shows=("event_a",)),
    # Alice registered already (303, "already registered"); staff never register (403). She
    # cancels on the page (phase 1), registers again through the API (2), cancels there (3).
    "POST /events/{event_id}/register": Route("login 303 404 403 403 403", form=none),
    "POST /events/{event_id}/cancel": Route("login 303 404 404 404 403", form=none, phase=1),
    "GET /events/{event_id}/checkin": Route(
        "login 200 404 200 200 login",
        query=lambda w: f"?code={w.checkin_code}",
        shows=("event_a",),
    ),
    # Alice's code: she is let in and told check-in is not open yet; staff check her in.
    "POST /events/{event_id}/checkin": Route(
        "login 400 404 303 303 403", form=lambda w: {"code": w.checkin_code}
    ),
    "GET /events/{event_id}/checkin/qr.svg": Route("login 200 404 404 404 login"),
    # Let in, then refused: the event has not started (and staff did not attend). The form is
    # offered only once the event started, to those who attended (issue 12).
    "GET /events/{event_id}/feedback": Route("login 400 404 400 400 login"),
    "POST /events/{event_id}/feedback": Route(
        "login 400 404 400 400 403", form=lambda w: {"rating": "5", "comment": "良かった"}
    ),
    "GET /events/calendar": Route(MEMBER_PAGE),
    "POST /events/calendar": Route("login 200 200 200 200 403", form=none),
    "POST /events/calendar/revoke": Route("login 303 303 303 303 403", form=none),
    "GET /events/calendar/{filename}": Route(
        PUBLIC_PAGE,
        # The feed needs no sign-in: the secret token in its address is the key (alice's).
        public=("event_a",),
        shows=("event_a",),
    ),
    # --- events API ----------------------------------------------------------------------
    "GET /api/v1/events": Route("401 200 200 200 200 403", shows=("event_a",)),
    "GET /api/v1/events/{event_id}": Route("401 200 404 200 200 403", shows=("event_a",)),
    "POST /api/v1/events/{event_id}/register": Route("401 201 404 403 403 403", phase=2),
    "POST /api/v1/events/{event_id}/cancel": Route("401 200 404 404 404 403", phase=3),
    "GET /api/v1/events/{event_id}/roster": Route(
        "401 403 403 200 200 403", shows=("member_a_email",)
    ),
    "GET /api/v1/events/{event_id}/attendance": Route("401 403 403 200 200 403"),
    # Staff are let in; the import then refuses a report of an event that has not started.
    "POST /api/v1/events/{event_id}/attendance": Route(
        "401 403 403 422 422 403", files=lambda w: attendance_report()
    ),
    # --- events, for staff ---------------------------------------------------------------
    "GET /staff/events": Route(STAFF_PAGE, shows=("event_a", "draft_event")),
    "GET /staff/events/new": Route(STAFF_PAGE),
    "POST /staff/events/new": Route(
        "login 403 403 303 303 403", form=lambda w: w.forms["event_new"]
    ),
    "GET /staff/events/{event_id}/edit": Route(STAFF_PAGE, shows=("event_a",)),
    "POST /staff/events/{event_id}/edit": Route(
        "login 403 403 303 303 403", form=lambda w: w.forms["event_edit"]
    ),
    # Staff are let in; A's event is published already and has not ended.
    "POST /staff/events/{event_id}/publish": Route("login 403 403 400 400 403", form=none),
    "POST /staff/events/{event_id}/finish": Route("login 403 403 400 400 403", form=none, phase=1),
    "POST /staff/events/{event_id}/cancel": Route("login 403 403 303 303 403", form=none, phase=2),
    "GET /staff/events/{event_id}/roster": Route(
        STAFF_PAGE, shows=("member_a_name", "member_a_email")
    ),
    "GET /staff/events/{event_id}/export.csv": Route(STAFF_PAGE, shows=("member_a_email",)),
    "POST /staff/events/{event_id}/roster/add": Route(
        "login 403 403 303 303 403", form=lambda w: {"email": w.anna.email}
    ),
    "POST /staff/events/{event_id}/roster/{registration_id}/checkin": Route(
        "login 403 403 303 303 403", form=none
    ),
    "POST /staff/events/{event_id}/roster/{registration_id}/checkin/undo": Route(
        "login 403 403 303 303 403", form=none
    ),
    "POST /staff/events/{event_id}/roster/{registration_id}/remove": Route(
        "login 403 403 303 303 403", form=none
    ),
    "GET /staff/events/{event_id}/attendance": Route(STAFF_PAGE, shows=("member_a_name",)),
    "POST /staff/events/{event_id}/attendance": Route(
        "login 403 403 400 400 403", files=lambda w: attendance_report()
    ),
    "GET /staff/events/series/{series_id}": Route(STAFF_PAGE, shows=("series_a",)),
    "POST /staff/events/series/{series_id}": Route(
        "login 403 403 303 303 403", form=lambda w: w.forms["series_edit"]
    ),
    "POST /staff/events/series/{series_id}/publish": Route("login 403 403 303 303 403", form=none),
}
