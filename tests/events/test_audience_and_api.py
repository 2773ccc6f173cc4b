"""Who sees and may register for what: audience rules on pages and in the API."""

from __future__ import annotations

import pytest

from core.errors import Forbidden
from events.registration import allocation as reg
from events.registration.audience import upcoming_events
from events.tables import Registration
from tests.events.event_helpers import Cast, new_event
from tests.support import signed_in


async def test_audience_rules(app) -> None:
    cast = await Cast.create()  # alice: low tier account; outsider: high tier account
    for_all = await new_event(cast.csm, title="全員向け")
    for_high = await new_event(
        cast.csm, title="ハイタッチ向け", audience="tiers", audience_tiers=["high"]
    )
    for_low = await new_event(
        cast.csm, title="ロータッチ向け", audience="tiers", audience_tiers=["low", "tech"]
    )
    for_other = await new_event(
        cast.csm,
        title="みなと様向け",
        audience="accounts",
        audience_accounts=[cast.other_account.id],
    )
    draft = await new_event(cast.csm, title="下書き", publish=False)

    alice_sees = {e.id for e in await upcoming_events(cast.alice)}
    olga_sees = {e.id for e in await upcoming_events(cast.outsider)}
    staff_sees = {e.id for e in await upcoming_events(cast.csm)}
    assert alice_sees == {for_all, for_low}
    assert olga_sees == {for_all, for_high, for_other}
    assert staff_sees == {for_all, for_high, for_low, for_other, draft}

    for event_id in (for_high, for_other):
        with pytest.raises(Forbidden):
            await reg.register(cast.alice, event_id)
    assert await Registration.count() == 0
    row, _ = await reg.register(cast.outsider, for_other)
    assert row.status == "confirmed" and row.account == cast.other_account.id


async def test_pages_follow_the_audience(app, client) -> None:
    cast = await Cast.create()
    mine = await new_event(cast.csm, title="全員向けもくもく会")
    theirs = await new_event(
        cast.csm,
        title="みなと様向けウェビナー",
        kind="webinar",
        join_url="https://zoom.example/j/secret",
        audience="accounts",
        audience_accounts=[cast.other_account.id],
    )
    await signed_in(client, cast.alice)
    listing = await client.get("/events")
    assert "全員向けもくもく会" in listing.text and "みなと様向け" not in listing.text
    assert (await client.get(f"/events/{theirs}")).status_code == 404
    response = await client.post_form(f"/events/{theirs}/register")
    assert response.status_code in (403, 404)
    assert await Registration.count() == 0
    page = await client.get(f"/events/{mine}")
    assert f'action="/events/{mine}/register"' in page.text


async def test_join_url_only_for_confirmed(app, client) -> None:
    cast = await Cast.create()
    event_id = await new_event(
        cast.csm, kind="webinar", join_url="https://zoom.example/j/777", capacity=1
    )
    await reg.register(cast.bob, event_id)
    await signed_in(client, cast.alice)
    page = await client.get(f"/events/{event_id}")
    assert "zoom.example/j/777" not in page.text
    await client.post_form(f"/events/{event_id}/register")  # waitlisted
    page = await client.get(f"/events/{event_id}")
    assert "補欠（キャンセル待ち） 1 番目" in page.text
    assert "zoom.example/j/777" not in page.text
    api = await client.api("GET", f"/api/v1/events/{event_id}")
    assert api.json()["join_url"] is None
    await reg.cancel(cast.bob, event_id)
    page = await client.get(f"/events/{event_id}")
    assert "zoom.example/j/777" in page.text
    api = await client.api("GET", f"/api/v1/events/{event_id}")
    assert api.json()["join_url"] == "https://zoom.example/j/777"
    assert api.json()["my_registration"]["status"] == "confirmed"


async def test_api_register_cancel_and_list(app, client) -> None:
    cast = await Cast.create()
    event_id = await new_event(cast.csm, capacity=1)
    await signed_in(client, cast.alice)
    listed = await client.api("GET", "/api/v1/events")
    assert [e["id"] for e in listed.json()] == [event_id]
    first = await client.api("POST", f"/api/v1/events/{event_id}/register")
    assert first.status_code == 201
    body = first.json()
    assert body["created"] is True and body["registration"]["status"] == "confirmed"
    again = await client.api("POST", f"/api/v1/events/{event_id}/register")
    assert again.status_code == 200 and again.json()["created"] is False
    cancelled = await client.api("POST", f"/api/v1/events/{event_id}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    missing = await client.api("POST", f"/api/v1/events/{event_id}/cancel")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert missing.json()["detail"] == "このイベントに参加申込していません。"


async def test_api_permissions(app, client, other_client) -> None:
    cast = await Cast.create()
    theirs = await new_event(
        cast.csm, audience="accounts", audience_accounts=[cast.other_account.id]
    )
    anonymous = await other_client.api("GET", "/api/v1/events")
    assert anonymous.status_code == 401
    assert (await other_client.api("POST", f"/api/v1/events/{theirs}/register")).status_code in (
        401,
        403,
    )
    await signed_in(client, cast.alice)  # a customer of another account
    assert (await client.api("GET", f"/api/v1/events/{theirs}")).status_code == 404
    refused = await client.api("POST", f"/api/v1/events/{theirs}/register")
    assert refused.status_code == 404
    assert (await client.api("GET", f"/api/v1/events/{theirs}/roster")).status_code == 403
    assert await Registration.count() == 0

    await signed_in(other_client, cast.outsider)
    assert (await other_client.api("POST", f"/api/v1/events/{theirs}/register")).status_code == 201
    await signed_in(client, cast.csm)
    staff_register = await client.api("POST", f"/api/v1/events/{theirs}/register")
    assert staff_register.status_code == 403
    roster = await client.api("GET", f"/api/v1/events/{theirs}/roster")
    assert roster.status_code == 200
    data = roster.json()
    assert data["counts"]["confirmed"] == 1
    assert data["rows"][0]["email"] == cast.outsider.email
    assert data["rows"][0]["account_name"] == "株式会社みなと"
