"""Creating and editing events: validation with clear messages, nothing half-written,
times entered in a zone and stored in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.errors import DomainError
from events.registration import allocation as reg
from events.services import create_event, update_event
from events.tables import Event, EventAudienceAccount, EventHost
from tests.events.event_helpers import Cast, event_input, event_row, new_event, tokyo
from tests.support import signed_in


def _form(**fields: object) -> dict[str, object]:
    starts = tokyo(timedelta(days=10))
    values: dict[str, object] = {
        "kind": "mokumoku",
        "title": "年末もくもく会",
        "description": "**ノートPC**をお持ちください",
        "timezone": "Asia/Tokyo",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "venue": "大阪オフィス",
        "capacity": "10",
        "allocation": "first_come",
        "audience": "all",
        "repeat": "none",
        "action": "publish",
    }
    values.update(fields)
    return {k: v for k, v in values.items() if v is not None}


async def test_create_through_the_form(app, client) -> None:
    cast = await Cast.create()
    await signed_in(client, cast.csm)
    response = await client.post_form(
        "/staff/events/new",
        _form(
            timezone="Europe/London",
            starts_at="2031-01-15T09:00",
            ends_at="2031-01-15T11:30",
            hosts=[str(cast.csm.id)],
        ),
    )
    assert response.status_code == 303, response.text
    row = await Event.select().first()
    assert row is not None
    assert response.headers["location"] == f"/events/{row['id']}"
    assert row["starts_at"] == datetime(2031, 1, 15, 9, 0, tzinfo=UTC)
    assert row["ends_at"] == datetime(2031, 1, 15, 11, 30, tzinfo=UTC)
    assert row["timezone"] == "Europe/London" and row["status"] == "published"
    assert "<strong>ノートPC</strong>" in row["description_html"]
    assert await EventHost.count() == 1
    page = await client.get(f"/events/{row['id']}")
    assert "2031年1月15日 18:00" in page.text  # shown in the viewer's zone (Tokyo)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"ends_at": "2020-01-01T00:00"}, "ends_at", "終了日時は開始日時より後にしてください。"),
        ({"title": ""}, "title", "タイトル"),
        ({"online": "1"}, "join_url", "参加URLを入力してください。"),
        ({"venue": ""}, "venue", "会場を入力してください。"),
        ({"join_url": "javascript:alert(1)"}, "join_url", "http://"),
        ({"allocation": "lottery"}, "draw_at", "抽選日時を入力してください。"),
        ({"allocation": "lottery", "capacity": ""}, "capacity", "定員の設定が必要"),
        ({"audience": "tiers"}, "audience_tiers", "タッチモデルを1つ以上"),
        ({"audience": "accounts"}, "audience_accounts", "顧客企業を1社以上"),
        ({"capacity": "0"}, "capacity", "1"),
        ({"timezone": "Mars/Olympus"}, "timezone", "タイムゾーン"),
    ],
)
async def test_bad_input_is_refused_and_nothing_written(
    app, client, fields, field, message
) -> None:
    cast = await Cast.create()
    await signed_in(client, cast.csm)
    response = await client.post_form("/staff/events/new", _form(**fields))
    assert response.status_code == 400
    assert f'id="e-{field}"' in response.text or field in ("audience_tiers", "audience_accounts")
    assert message in response.text
    assert await Event.count() == 0
    assert await EventHost.count() == 0 and await EventAudienceAccount.count() == 0


async def test_hosts_must_be_staff(app) -> None:
    cast = await Cast.create()
    with pytest.raises(DomainError) as caught:
        await create_event(cast.csm, event_input(hosts=[cast.alice.id]))
    assert "hosts" in caught.value.field_errors
    assert await Event.count() == 0


async def test_capacity_below_confirmed_is_refused_with_the_count(app, client) -> None:
    cast = await Cast.create()
    event_id = await new_event(cast.csm, capacity=5)
    for member in (cast.alice, cast.bob, cast.carol):
        await reg.register(member, event_id)
    row = await event_row(event_id)
    data = event_input(capacity=2, title="変更後").model_copy(
        update={"starts_at": row["starts_at"], "ends_at": row["ends_at"]}
    )
    with pytest.raises(DomainError) as caught:
        await update_event(cast.csm, event_id, data)
    assert caught.value.params == {"count": 3}
    after = await event_row(event_id)
    assert (after["capacity"], after["title"]) == (5, "もくもく会")

    await signed_in(client, cast.csm)
    form = _form(
        capacity="2",
        starts_at=row["starts_at"].astimezone(tz()).strftime("%Y-%m-%dT%H:%M"),
        ends_at=row["ends_at"].astimezone(tz()).strftime("%Y-%m-%dT%H:%M"),
    )
    response = await client.post_form(f"/staff/events/{event_id}/edit", form)
    assert response.status_code == 400
    assert "すでに参加確定している 3 名" in response.text
    assert (await event_row(event_id))["capacity"] == 5


def tz():
    from tests.events.event_helpers import TOKYO

    return TOKYO


async def test_edit_form_shows_local_times_and_saves(app, client) -> None:
    cast = await Cast.create()
    event_id = await new_event(cast.csm, capacity=5, title="旧タイトル")
    await signed_in(client, cast.csm)
    page = await client.get(f"/staff/events/{event_id}/edit")
    row = await event_row(event_id)
    local = row["starts_at"].astimezone(tz()).strftime("%Y-%m-%dT%H:%M")
    assert f'value="{local}"' in page.text
    starts = row["starts_at"].astimezone(tz())
    response = await client.post_form(
        f"/staff/events/{event_id}/edit",
        _form(
            title="新タイトル",
            starts_at=local,
            ends_at=(starts + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        ),
    )
    assert response.status_code == 303
    after = await event_row(event_id)
    assert after["title"] == "新タイトル"
    assert after["ends_at"] == row["starts_at"] + timedelta(hours=3)


async def test_customers_cannot_reach_staff_pages(app, client) -> None:
    cast = await Cast.create()
    event_id = await new_event(cast.csm)
    await signed_in(client, cast.alice)
    for url in ("/staff/events", "/staff/events/new", f"/staff/events/{event_id}/roster"):
        assert (await client.get(url)).status_code == 403
    response = await client.post_form("/staff/events/new", _form())
    assert response.status_code == 403
    assert await Event.count() == 1


async def test_staff_pages_and_home_sections_render(app, client, other_client) -> None:
    cast = await Cast.create()
    event_id = await new_event(cast.csm, title="ホーム表示のもくもく会")
    await new_event(cast.csm, title="下書きの会", publish=False)
    await reg.register(cast.alice, event_id)
    await signed_in(client, cast.csm)
    new_page = await client.get("/staff/events/new")
    assert new_page.status_code == 200 and 'name="starts_at"' in new_page.text
    assert 'value="Asia/Tokyo" selected' in new_page.text
    index = await client.get("/staff/events")
    assert "ホーム表示のもくもく会" in index.text and "下書きの会" in index.text
    home = await client.get("/")
    assert "ホーム表示のもくもく会" in home.text
    assert 'href="/events"' in home.text  # navigation entry

    await signed_in(other_client, cast.alice)
    home = await other_client.get("/")
    assert "参加予定のイベント" in home.text and "ホーム表示のもくもく会" in home.text
    listing = await other_client.get("/events")
    assert "下書きの会" not in listing.text and "参加確定" in listing.text
