"""The staff API of events: create, change, publish and cancel events, add to and remove from
the roster — the pages' services and checks, for staff sessions and tokens (events:write)."""

from __future__ import annotations

from datetime import timedelta

from core.timeutil import utcnow
from crm.pull.tokens import create_token
from events.tables import Event, Registration
from tests.factories import make_account, make_member
from tests.support import sign_in_as


def body(**extra: object) -> dict[str, object]:
    start = (utcnow() + timedelta(days=10)).replace(microsecond=0)
    return {
        "kind": "webinar",
        "title": "API で作るウェビナー",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
        "online": True,
        "join_url": "https://meet.example/abc",
        "capacity": 1,
        "publish": True,
        **extra,
    }


async def test_a_csm_runs_an_event_through_the_api(app, client, mailbox, run_jobs) -> None:
    await sign_in_as(client, "csm")
    account = await make_account("ロスター株式会社")
    first = await make_member(account, email="first@roster.example")
    second = await make_member(account, email="second@roster.example")
    created = await client.api("POST", "/api/v1/events/", json=body())
    assert created.status_code == 201, created.text
    event = created.json()
    assert event["status"] == "published" and event["capacity"] == 1
    added = await client.api(
        "POST", f"/api/v1/events/{event['id']}/registrations", json={"email": first.email}
    )
    assert added.status_code == 201
    assert added.json()["registration"]["status"] == "confirmed"
    again = await client.api(
        "POST", f"/api/v1/events/{event['id']}/registrations", json={"email": first.email}
    )
    assert again.status_code == 200 and again.json()["created"] is False
    waiting = await client.api(
        "POST", f"/api/v1/events/{event['id']}/registrations", json={"email": second.email}
    )
    assert waiting.json()["registration"]["status"] == "waitlisted"
    smaller = await client.api(
        "PUT", f"/api/v1/events/{event['id']}", json=body(capacity=1, title="改題")
    )
    assert smaller.status_code == 200 and smaller.json()["title"] == "改題"
    removed = await client.api(
        "DELETE",
        f"/api/v1/events/{event['id']}/registrations/{added.json()['registration']['id']}",
    )
    assert removed.status_code == 204
    promoted = await Registration.objects().get(Registration.member == second.id)
    assert promoted.status == "confirmed"  # the waitlisted took the seat
    cancelled = await client.api(
        "POST", f"/api/v1/events/{event['id']}/status", json={"status": "cancelled"}
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    await run_jobs()
    assert mailbox.to(second.email)


async def test_the_pages_checks_refuse_with_nothing_written(app, client) -> None:
    await sign_in_as(client, "admin")
    start = utcnow() + timedelta(days=3)
    backwards = body(starts_at=start.isoformat(), ends_at=(start - timedelta(hours=1)).isoformat())
    refused = await client.api("POST", "/api/v1/events/", json=backwards)
    assert refused.status_code == 422
    for bad in (body(starts_at=1767225600), body(colour="red"), body(capacity=True), {}):
        assert (await client.api("POST", "/api/v1/events/", json=bad)).status_code == 400, bad
    assert await Event.count() == 0
    missing = await client.api("POST", "/api/v1/events/999999/status", json={"status": "finished"})
    assert missing.status_code == 404
    draft = (await client.api("POST", "/api/v1/events/", json=body(publish=False))).json()
    finish = await client.api(
        "POST", f"/api/v1/events/{draft['id']}/status", json={"status": "finished"}
    )
    assert finish.status_code == 422
    assert "公開中" in finish.json()["detail"]


async def test_tokens_need_events_write_and_customers_are_refused(
    app, client, other_client
) -> None:
    admin = await sign_in_as(client, "admin")
    writer = (await create_token("lms", ["events:write"], None, admin)).secret
    reader = (await create_token("bi", ["accounts:read"], None, admin)).secret
    raw = other_client.raw
    made = await raw.post(
        "/api/v1/events/", json=body(), headers={"Authorization": f"Bearer {writer}"}
    )
    assert made.status_code == 201, made.text
    refused = await raw.post(
        "/api/v1/events/", json=body(), headers={"Authorization": f"Bearer {reader}"}
    )
    assert refused.status_code == 403
    listing = await raw.get("/api/v1/events/", headers={"Authorization": f"Bearer {writer}"})
    assert listing.status_code == 403  # reading events is for members; the token only writes
    customer_client = other_client
    await sign_in_as(customer_client, "customer", await make_account())
    customer = await customer_client.api("POST", "/api/v1/events/", json=body())
    assert customer.status_code == 403
    assert await Event.count() == 1
