"""The demo events load through the real services on a fresh database."""

from __future__ import annotations

from accounts.demo import load_demo_data
from events.demo import load_events_demo
from events.tables import Event, EventSeries, Registration


async def test_demo_events(app, settings) -> None:
    assert await load_demo_data(settings)
    await load_events_demo()
    events = await Event.select().order_by(Event.starts_at)
    assert len(events) == 5 and {e["status"] for e in events} == {"published"}
    assert {e["kind"] for e in events} == {"webinar", "mokumoku"}
    assert await EventSeries.count() == 1
    assert await Registration.count().where(Registration.status == "confirmed") == 5
    assert any("もくもく会" in e["title"] for e in events)
