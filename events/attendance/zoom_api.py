"""Attendance pulled from Zoom: the Server-to-Server OAuth token, the participants report of a
meeting (or webinar) through the report API, and the verification of Zoom's webhooks.

The report is read page by page (`next_page_token`, 300 a page), honouring 429 (Retry-After,
else a short backoff); each participant's `duration` (seconds) is summed per email, so a person
who left and rejoined counts once with the total — the same report the CSV import builds.
A report Zoom has not made yet (404 just after the end) is "not ready": the job tries later.
Webhooks are signed with the app's Secret Token (`x-zm-signature: v0=HMAC-SHA256(secret,
"v0:{timestamp}:{body}")`); one older than five minutes is a replay and is refused.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time
from collections.abc import Mapping
from typing import Any

import httpx

from core.i18n import N_
from core.timeutil import retry_after_seconds
from events.attendance.parsing import ZOOM_MEETING, ZOOM_WEBINAR, AttendanceReport
from events.attendance.same_meeting import ZOOM_ID
from events.settings import EventsSettings

PAGE_SIZE = 300
MAX_TRIES = 4
INLINE_WAIT_LIMIT = 10.0
REPLAY_WINDOW_SECONDS = 300
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# How long Zoom keeps meeting reports through the API (its documentation: twelve months).
RETENTION_DAYS = 365


class ZoomError(Exception):
    """Zoom refused or failed; `message` is a msgid (with `params`) for the event's log.
    `later` says the same call may succeed later (a report not made yet, 429, 5xx), `missing`
    that Zoom has no report of that ID."""

    def __init__(
        self, message: str, *, later: bool = False, missing: bool = False, **params: Any
    ) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params
        self.later = later
        self.missing = missing  # Zoom has no report of that ID (not made yet, or not that kind)


def meeting_id_of(join_url: str | None) -> str | None:
    """The Zoom meeting ID in a join URL (zoom.us/j/<id>, /w/<id>…), if it is one."""
    found = ZOOM_ID.search(join_url or "")
    return found.group(1) if found else None


class ZoomClient:
    """Just the calls attendance needs, over one httpx client."""

    def __init__(self, http: httpx.AsyncClient, settings: EventsSettings) -> None:
        self.http = http
        self.settings = settings
        self._token = ""

    async def login(self) -> None:
        """Server-to-Server OAuth: grant_type=account_credentials, client id and secret."""
        settings = self.settings
        if not settings.zoom_configured or settings.zoom_client_secret is None:
            raise ZoomError(N_("Zoom is not connected."))
        basic = f"{settings.zoom_client_id}:{settings.zoom_client_secret.get_secret_value()}"
        try:
            response = await self.http.post(
                settings.zoom_oauth_url,
                params={
                    "grant_type": "account_credentials",
                    "account_id": settings.zoom_account_id,
                },
                headers={"Authorization": "Basic " + base64.b64encode(basic.encode()).decode()},
            )
        except httpx.HTTPError:
            raise ZoomError(N_("Zoom could not be reached."), later=True) from None
        if response.status_code in (400, 401, 403):
            raise ZoomError(N_("Zoom refused the credentials (expired or revoked?)."))
        if response.status_code >= 400:
            raise ZoomError(
                N_("Zoom answered HTTP %(status)s."), later=True, status=response.status_code
            )
        token = _json(response).get("access_token")
        if not token:
            raise ZoomError(N_("Zoom's token answer had no access token."))
        self._token = str(token)

    async def _get(self, path: str, params: Mapping[str, Any]) -> dict[str, Any]:
        for attempt in range(1, MAX_TRIES + 1):
            try:
                response = await self.http.get(
                    self.settings.zoom_api_url.rstrip("/") + path,
                    params=dict(params),
                    headers={"Authorization": f"Bearer {self._token}"},
                )
            except httpx.HTTPError:
                raise ZoomError(N_("Zoom could not be reached."), later=True) from None
            status = response.status_code
            if status == 429 or status >= 500:
                wait = retry_after_seconds(response.headers) or 2.0**attempt
                if attempt == MAX_TRIES or wait > INLINE_WAIT_LIMIT:
                    raise ZoomError(N_("Zoom answered HTTP %(status)s."), later=True, status=status)
                await asyncio.sleep(wait)
                continue
            if status == 404:
                raise ZoomError(
                    N_("Zoom has no report for this meeting yet."), later=True, missing=True
                )
            if status in (401, 403):
                raise ZoomError(N_("Zoom refused the credentials (expired or revoked?)."))
            if status >= 400:
                raise ZoomError(N_("Zoom answered HTTP %(status)s."), status=status)
            return _json(response)
        raise AssertionError("unreachable")

    async def participants(self, meeting_id: str, webinar: bool) -> list[dict[str, Any]]:
        """Every participant row of the meeting's (or webinar's) report, all pages."""
        kind = "webinars" if webinar else "meetings"
        rows: list[dict[str, Any]] = []
        token = ""
        while True:
            params: dict[str, Any] = {"page_size": PAGE_SIZE}
            if token:
                params["next_page_token"] = token
            body = await self._get(f"/report/{kind}/{meeting_id}/participants", params)
            page = body.get("participants")
            if not isinstance(page, list):
                raise ZoomError(N_("Zoom's report had no participants list."))
            rows += [row for row in page if isinstance(row, dict)]
            token = str(body.get("next_page_token") or "")
            if not token:
                return rows


def report_of(meeting_id: str, webinar: bool, rows: list[dict[str, Any]]) -> AttendanceReport:
    """The participants as the attendance import reads a report: minutes summed per email."""
    report = AttendanceReport(ZOOM_WEBINAR if webinar else ZOOM_MEETING, meeting_id=meeting_id)
    for row in rows:
        seconds = row.get("duration")
        minutes = float(seconds) / 60.0 if isinstance(seconds, int | float) else 0.0
        report.add(str(row.get("user_email") or ""), str(row.get("name") or ""), minutes)
    return report


def report_digest(meeting_id: str, rows: list[dict[str, Any]]) -> str:
    """The same answer twice is the same import (applied once)."""
    key = sorted(
        (str(r.get("user_email")), str(r.get("join_time")), str(r.get("duration"))) for r in rows
    )
    return hashlib.sha256(repr((meeting_id, key)).encode()).hexdigest()


def signature_valid(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """Zoom's webhook signature, and a timestamp within the replay window."""
    try:
        age = abs(time.time() - int(timestamp) / (1000 if len(timestamp) > 10 else 1))
    except ValueError:
        return False
    if age > REPLAY_WINDOW_SECONDS:
        return False
    message = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def url_validation(secret: str, plain_token: str) -> dict[str, str]:
    """The answer to Zoom's endpoint.url_validation challenge."""
    encrypted = hmac.new(secret.encode(), plain_token.encode(), hashlib.sha256).hexdigest()
    return {"plainToken": plain_token, "encryptedToken": encrypted}


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise ZoomError(N_("Zoom's answer was not JSON.")) from None
    if not isinstance(body, dict):
        raise ZoomError(N_("Zoom's answer was not JSON."))
    return body
