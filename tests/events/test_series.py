"""Series: N weekly or monthly occurrences; a series edit changes only future, non-detached
occurrences."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core.errors import DomainError
from core.timeutil import to_zone
from events.registration import allocation as reg
from events.schemas import SeriesIn
from events.series import add_months, create_series, series_events, update_series
from events.services import update_event
from events.tables import Event
from tests.events.event_helpers import Cast, event_input, tokyo
from tests.support import signed_in


def _series(**fields: object) -> SeriesIn:
    base = event_input(starts_in=timedelta(days=2), capacity=4).model_dump()
    base.update(repeat="weekly", occurrences=4, **fields)
    return SeriesIn(**base)


def _local(moment: datetime) -> datetime:
    return to_zone(moment, "Asia/Tokyo").replace(tzinfo=None)


async def test_weekly_series_generates_occurrences(app) -> None:
    cast = await Cast.create()
    data = _series()
    series_id = await create_series(cast.csm, data, publish=True)
    events = await series_events(series_id)
    assert [e.series_index for e in events] == [1, 2, 3, 4]
    assert [_local(e.starts_at) for e in events] == [
        data.starts_at + timedelta(weeks=i) for i in range(4)
    ]
    assert all(e.status == "published" and e.capacity == 4 for e in events)


def test_monthly_dates_clamp_to_the_month_end() -> None:
    start = datetime(2027, 1, 31, 19, 0)
    assert [add_months(start, i).date().isoformat() for i in range(4)] == [
        "2027-01-31",
        "2027-02-28",
        "2027-03-31",
        "2027-04-30",
    ]


async def test_series_edit_changes_future_non_detached_only(app) -> None:
    cast = await Cast.create()
    data = _series()
    series_id = await create_series(cast.csm, data, publish=True)
    first, second, third, fourth = await series_events(series_id)
    # The first is in the past now; the second was edited on its own.
    await Event.update(
        {
            Event.starts_at: first.starts_at - timedelta(days=30),
            Event.ends_at: first.ends_at - timedelta(days=30),
        }
    ).where(Event.id == first.id)
    own = event_input(title="特別回", capacity=4).model_copy(
        update={"starts_at": _local(second.starts_at), "ends_at": _local(second.ends_at)}
    )
    await update_event(cast.csm, second.id, own)

    edited = data.model_copy(
        update={
            "title": "新しいもくもく会",
            "capacity": 8,
            "starts_at": data.starts_at + timedelta(hours=1),
            "ends_at": data.ends_at + timedelta(hours=1),
        }
    )
    assert await update_series(cast.csm, series_id, edited) == 2
    after = {e.id: e for e in await series_events(series_id)}
    assert after[first.id].title == "もくもく会"
    assert after[second.id].title == "特別回" and after[second.id].series_detached
    for row, original in ((after[third.id], third), (after[fourth.id], fourth)):
        assert row.title == "新しいもくもく会" and row.capacity == 8
        assert row.starts_at == original.starts_at + timedelta(hours=1)
        assert not row.series_detached


async def test_series_edit_refused_as_a_whole(app) -> None:
    cast = await Cast.create()
    data = _series(capacity=3)
    series_id = await create_series(cast.csm, data, publish=True)
    events = await series_events(series_id)
    for member in (cast.alice, cast.bob, cast.carol):
        await reg.register(member, events[3].id)
    with pytest.raises(DomainError) as caught:
        await update_series(
            cast.csm, series_id, data.model_copy(update={"capacity": 2, "title": "x"})
        )
    assert caught.value.params == {"count": 3}
    assert {e.title for e in await series_events(series_id)} == {"もくもく会"}


async def test_series_through_the_form(app, client) -> None:
    cast = await Cast.create()
    await signed_in(client, cast.csm)
    starts = tokyo(timedelta(days=3))
    response = await client.post_form(
        "/staff/events/new",
        {
            "kind": "mokumoku",
            "title": "月例もくもく会",
            "timezone": "Asia/Tokyo",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "venue": "名古屋オフィス",
            "capacity": "6",
            "repeat": "monthly",
            "occurrences": "3",
            "action": "draft",
        },
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith("/staff/events/series/")
    page = await client.get(response.headers["location"])
    assert page.status_code == 200 and "毎月・全 3 回" in page.text
    rows = await Event.select().order_by(Event.starts_at)
    assert len(rows) == 3 and {r["status"] for r in rows} == {"draft"}
    publish = await client.post_form(response.headers["location"] + "/publish")
    assert publish.status_code == 303
    assert {r["status"] for r in await Event.select(Event.status)} == {"published"}
