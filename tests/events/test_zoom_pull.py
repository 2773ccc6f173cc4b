"""Attendance pulled from Zoom (issue 20, first part) against a stand-in Zoom on loopback: the
webhook (signature, URL validation, replay), the report read page by page through 429s and
"not ready yet", the same import as the CSV (rejoins summed, walk-ins, once per report), the
fallback poll, the CSM's button, and the failures a CSM is told about."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from pydantic import SecretStr

from events.attendance.zoom_pull import poll_ended_zoom_events, pulls_of
from events.tables import AttendanceImport, PlatformPull, Registration
from settings import Settings
from tests.events.attendance_helpers import make_event, register
from tests.events.zoom_server import FakeZoom, participant
from tests.factories import make_account, make_member
from tests.support import sign_in_as

SECRET = "zoom-webhook-secret"
MEETING = "81234567890"


@pytest.fixture
def zoom() -> Iterator[FakeZoom]:
    fake = FakeZoom().start()
    yield fake
    fake.stop()


@pytest.fixture
def settings(settings: Settings, zoom: FakeZoom) -> Settings:
    return settings.model_copy(
        update={
            "zoom_account_id": zoom.account_id,
            "zoom_client_id": zoom.client_id,
            "zoom_client_secret": SecretStr(zoom.client_secret),
            "zoom_webhook_secret": SecretStr(SECRET),
            "zoom_api_url": f"{zoom.url}/v2",
            "zoom_oauth_url": f"{zoom.url}/oauth/token",
            "zoom_retry_seconds": 0.0,
        }
    )


def signed(body: dict[str, Any], secret: str = SECRET, age: float = 0) -> dict[str, Any]:
    raw = json.dumps(body).encode()
    stamp = str(int(time.time() - age))
    digest = hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + raw, hashlib.sha256)
    headers = {
        "x-zm-request-timestamp": stamp,
        "x-zm-signature": "v0=" + digest.hexdigest(),
        "content-type": "application/json",
    }
    return {"content": raw, "headers": headers}


def ended(meeting_id: str = MEETING) -> dict[str, Any]:
    return {"event": "meeting.ended", "payload": {"object": {"id": int(meeting_id)}}}


async def zoom_event() -> tuple[Any, Any, Any]:
    account = await make_account("ズーム株式会社", domains="zoom-a.example")
    alice = await make_member(account, email="alice@zoom-a.example")
    walk_in = await make_member(account, email="walkin@zoom-a.example")
    event = await make_event(join_url=f"https://us02web.zoom.us/j/{MEETING}?pwd=x", online=True)
    await register(event, alice)
    return event, alice, walk_in


async def test_the_url_validation_challenge_and_signatures(client) -> None:
    challenge = {"event": "endpoint.url_validation", "payload": {"plainToken": "abc123"}}
    answer = await client.raw.post("/webhooks/zoom", **signed(challenge))
    assert answer.status_code == 200
    expected = hmac.new(SECRET.encode(), b"abc123", hashlib.sha256).hexdigest()
    assert answer.json() == {"plainToken": "abc123", "encryptedToken": expected}
    forged = await client.raw.post("/webhooks/zoom", **signed(ended(), secret="wrong"))
    assert forged.status_code == 401
    replayed = await client.raw.post("/webhooks/zoom", **signed(ended(), age=600))
    assert replayed.status_code == 401
    assert await PlatformPull.count() == 0


async def test_meeting_ended_pulls_the_report_into_the_import(
    app, client, run_jobs, zoom: FakeZoom
) -> None:
    event, alice, walk_in = await zoom_event()
    zoom.not_ready = 1  # the report is not made yet at the first try
    zoom.throttle = 1  # and Zoom throttles once
    zoom.meetings[MEETING] = [
        participant("alice@zoom-a.example", "Alice", 20),
        participant("ALICE@zoom-a.example", "Alice", 25),  # left and rejoined: summed
        participant("walkin@zoom-a.example", "Walk-in", 40),
        participant("stranger@elsewhere.example", "Stranger", 30),
        participant("", "電話参加者", 50),
    ]
    answer = await client.raw.post("/webhooks/zoom", **signed(ended()))
    assert answer.status_code == 200
    await run_jobs()
    [pull] = await pulls_of(event.id)
    assert pull["status"] == "succeeded", pull
    assert pull["attempts"] == 2 and pull["origin"] == "webhook"
    assert pull["params"] == {"rows": "5", "attended": "2", "unmatched": "1"}
    mine = await Registration.objects().get(Registration.member == alice.id)
    assert mine.attendance == "attended" and mine.attended_minutes == 45
    walked = await Registration.objects().get(Registration.member == walk_in.id)
    assert walked.status == "confirmed" and walked.attendance == "attended"
    # The same report again (a second notice): the import is applied once.
    await client.raw.post("/webhooks/zoom", **signed(ended()))
    await run_jobs()
    assert await AttendanceImport.count() == 1
    assert len(await pulls_of(event.id)) == 2


async def test_refused_credentials_and_a_stale_event_are_told(
    app, client, run_jobs, zoom: FakeZoom, settings: Settings
) -> None:
    event, _, _ = await zoom_event()
    zoom.client_secret = "rotated"
    await sign_in_as(client, "csm")
    started = await client.post_form(f"/staff/events/{event.id}/attendance/zoom")
    assert started.status_code == 303
    await run_jobs()
    [pull] = await pulls_of(event.id)
    assert pull["status"] == "failed" and "expired or revoked" in pull["message"]
    page = await client.get(f"/staff/events/{event.id}/attendance")
    assert "Zoom が認証情報を拒否しました" in page.text
    old = await make_event(
        starts_in=-timedelta(days=400), join_url=f"https://zoom.us/j/{MEETING}1", online=True
    )
    await client.post_form(f"/staff/events/{old.id}/attendance/zoom")
    await run_jobs()
    [stale] = await pulls_of(old.id)
    assert stale["status"] == "failed" and stale["params"] == {"days": "365"}
    assert await AttendanceImport.count() == 0


async def test_the_button_refuses_what_cannot_be_pulled(app, client, zoom: FakeZoom) -> None:
    await sign_in_as(client, "csm")
    offline = await make_event(venue="本社 5F")
    refused = await client.post_form(f"/staff/events/{offline.id}/attendance/zoom")
    assert refused.status_code == 303
    assert await PlatformPull.count() == 0
    page = await client.get(f"/staff/events/{offline.id}/attendance")
    assert "Zoom ミーティングではありません" in page.text
    missing = await client.post_form("/staff/events/999999/attendance/zoom")
    assert missing.status_code == 404
    await sign_in_as(client, "customer", await make_account())
    event, _, _ = await zoom_event()
    forbidden = await client.post_form(f"/staff/events/{event.id}/attendance/zoom")
    assert forbidden.status_code == 403
    assert await PlatformPull.count() == 0


async def test_the_poll_starts_a_pull_once_for_an_ended_meeting(
    app, run_jobs, zoom: FakeZoom, settings: Settings
) -> None:
    event, _, _ = await zoom_event()
    zoom.webinars[MEETING] = [participant("alice@zoom-a.example", "Alice", 50)]  # a webinar
    ctx = {"settings": settings}
    await poll_ended_zoom_events(ctx)
    await poll_ended_zoom_events(ctx)
    [pull] = await PlatformPull.select().where(PlatformPull.event == event.id)
    assert pull["origin"] == "poll"
    await run_jobs()
    [done] = await pulls_of(event.id)
    assert done["status"] == "succeeded"
    assert any("/report/webinars/" in call for call in zoom.calls)
    await poll_ended_zoom_events(ctx)
    assert await PlatformPull.count() == 1
