"""First come, the waitlist and promotion; the window, the deadline and double clicks."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from core.errors import DomainError, Forbidden, NotFound
from engagement.tables import Signal
from events.registration import allocation as reg
from events.services import cancel_event, finish_event, publish_event
from events.tables import Event, Registration
from tests.events.event_helpers import Cast, event_row, new_event, registrations, statuses, tokyo
from tests.events.event_helpers import subjects as mail_subjects


async def test_first_come_waitlist_and_promotion(app, run_jobs, mailbox) -> None:
    cast = await Cast.create()
    event_id = await new_event(cast.csm, capacity=2)
    a, created_a = await reg.register(cast.alice, event_id)
    b, _ = await reg.register(cast.bob, event_id)
    c, _ = await reg.register(cast.carol, event_id)
    d, _ = await reg.register(cast.dave, event_id)
    assert created_a
    assert [a.status, b.status, c.status, d.status] == [
        "confirmed",
        "confirmed",
        "waitlisted",
        "waitlisted",
    ]
    assert (c.waitlist_position, d.waitlist_position) == (1, 2)
    assert a.checkin_code and b.checkin_code and a.checkin_code != b.checkin_code
    assert c.checkin_code == ""

    await reg.cancel(cast.alice, event_id)
    now = await statuses(event_id)
    assert now == {cast.bob.id: "confirmed", cast.carol.id: "confirmed", cast.dave.id: "waitlisted"}
    carol = await reg.my_registration(event_id, cast.carol.id)
    assert carol is not None and len(carol.checkin_code) == 6
    dave = await reg.my_registration(event_id, cast.dave.id)
    assert dave is not None and dave.waitlist_position == 1

    await run_jobs()
    subjects = mail_subjects(mailbox, cast.carol.email)
    assert any("キャンセル待ち" in s for s in subjects), subjects  # waitlisted first
    assert any("繰り上げ" in s for s in subjects), subjects  # then promoted


async def test_signal_recorded_once_per_registration(app) -> None:
    cast = await Cast.create()
    event_id = await new_event(cast.csm, capacity=1)
    row, _ = await reg.register(cast.alice, event_id)
    await reg.register(cast.alice, event_id)  # double click
    waiting, _ = await reg.register(cast.bob, event_id)
    keys = {s["dedupe_key"] for s in await Signal.select(Signal.dedupe_key)}
    assert keys == {f"event_registered:{row.id}", f"event_registered:{waiting.id}"}
    await reg.cancel(cast.alice, event_id)
    assert await Signal.count() == 2  # nothing withdrawn


async def test_double_registration_returns_the_first(app, client) -> None:
    cast = await Cast.create()
    event_id = await new_event(cast.csm, capacity=5)
    first, second = await asyncio.gather(
        reg.register(cast.alice, event_id), reg.register(cast.alice, event_id)
    )
    assert sorted([first[1], second[1]]) == [False, True]
    assert first[0].id == second[0].id
    assert len(await registrations(event_id)) == 1

    from tests.support import signed_in

    await signed_in(client, cast.bob)
    response = await client.post_form(f"/events/{event_id}/register")
    assert response.status_code == 303
    page = await client.get(f"/events/{event_id}")
    assert "参加が確定しました" in page.text
    response = await client.post_form(f"/events/{event_id}/register")
    assert response.status_code == 303
    page = await client.get(f"/events/{event_id}")
    assert "すでに参加申込済み" in page.text
    assert len(await registrations(event_id)) == 2


async def test_register_again_after_cancelling(app) -> None:
    cast = await Cast.create()
    event_id = await new_event(cast.csm, capacity=3)
    await reg.register(cast.alice, event_id)
    await reg.cancel(cast.alice, event_id)
    again, created = await reg.register(cast.alice, event_id)
    assert created and again.status == "confirmed"
    assert [r["status"] for r in await registrations(event_id)] == ["cancelled", "confirmed"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"registration_opens_at": tokyo(timedelta(days=1))}, "Registration opens on"),
        ({"registration_closes_at": tokyo(timedelta(hours=-1))}, "has closed"),
    ],
)
async def test_registration_window(app, fields, message) -> None:
    cast = await Cast.create()
    event_id = await new_event(cast.csm, **fields)
    with pytest.raises(DomainError) as caught:
        await reg.register(cast.alice, event_id)
    assert message in str(caught.value)
    assert await registrations(event_id) == []


async def test_event_status_refusals(app, client) -> None:
    cast = await Cast.create()
    draft = await new_event(cast.csm, publish=False)
    with pytest.raises(NotFound):
        await reg.register(cast.alice, draft)
    cancelled = await new_event(cast.csm)
    await cancel_event(cast.csm, cancelled)
    with pytest.raises(DomainError, match="cancelled"):
        await reg.register(cast.alice, cancelled)
    finished = await new_event(cast.csm, starts_in=timedelta(hours=-1), minutes=180)
    await finish_event(cast.csm, finished)
    with pytest.raises(DomainError, match="finished"):
        await reg.register(cast.alice, finished)
    assert await Registration.count() == 0

    from tests.support import signed_in

    await signed_in(client, cast.alice)
    response = await client.post_form(f"/events/{cancelled}/register")
    assert response.status_code == 400
    assert "このイベントは中止されました" in response.text


async def test_staff_cannot_register(app, client) -> None:
    cast = await Cast.create()
    event_id = await new_event(cast.csm)
    with pytest.raises(Forbidden):
        await reg.register(cast.csm, event_id)
    from tests.support import signed_in

    await signed_in(client, cast.csm)
    response = await client.post_form(f"/events/{event_id}/register")
    assert response.status_code == 403
    assert "スタッフ" in response.text
    assert await Registration.count() == 0


async def test_cancellation_deadline(app, client) -> None:
    cast = await Cast.create()
    event_id = await new_event(cast.csm, cancellation_deadline=tokyo(timedelta(days=1)))
    await reg.register(cast.alice, event_id)
    await Event.update({Event.cancellation_deadline: Event.starts_at - timedelta(days=7)}).where(
        Event.id == event_id
    )
    with pytest.raises(DomainError, match="deadline"):
        await reg.cancel(cast.alice, event_id)
    from tests.support import signed_in

    await signed_in(client, cast.alice)
    response = await client.post_form(f"/events/{event_id}/cancel")
    assert response.status_code == 400
    assert "キャンセル期限" in response.text
    assert (await statuses(event_id)) == {cast.alice.id: "confirmed"}
    page = await client.get(f"/events/{event_id}")
    assert f'action="/events/{event_id}/cancel"' not in page.text


async def test_staff_add_and_remove(app) -> None:
    cast = await Cast.create()
    event_id = await new_event(cast.csm, capacity=1)
    await reg.register(cast.alice, event_id)
    row, created = await reg.add_registrant(cast.csm, event_id, "BOB@sakura.example")
    assert created and row.status == "waitlisted" and row.added_by == cast.csm.id
    over, _ = await reg.add_registrant(cast.csm, event_id, cast.carol.email, over_capacity=True)
    assert over.status == "confirmed"
    with pytest.raises(DomainError) as caught:
        await reg.add_registrant(cast.csm, event_id, "nobody@example.com")
    assert "email" in caught.value.field_errors
    with pytest.raises(Forbidden):
        await reg.add_registrant(cast.alice, event_id, cast.dave.email)
    alice = await reg.active_registration(event_id, cast.alice.id)
    assert alice is not None
    await reg.remove_registrant(cast.csm, event_id, alice.id)
    # Still full (carol is over capacity): bob waits.
    assert (await statuses(event_id))[cast.bob.id] == "waitlisted"
    carol = await reg.active_registration(event_id, cast.carol.id)
    assert carol is not None
    await reg.remove_registrant(cast.csm, event_id, carol.id)
    assert (await statuses(event_id)) == {cast.bob.id: "confirmed"}


async def test_capacity_raise_fills_seats_from_the_waitlist(app) -> None:
    from events.services import update_event
    from tests.events.event_helpers import event_input

    cast = await Cast.create()
    event_id = await new_event(cast.csm, capacity=1)
    for member in (cast.alice, cast.bob, cast.carol):
        await reg.register(member, event_id)
    row = await event_row(event_id)
    data = event_input(capacity=2)
    data = data.model_copy(
        update={
            "starts_at": row["starts_at"].astimezone(data_zone()).replace(tzinfo=None),
            "ends_at": row["ends_at"].astimezone(data_zone()).replace(tzinfo=None),
        }
    )
    await update_event(cast.csm, event_id, data)
    assert await statuses(event_id) == {
        cast.alice.id: "confirmed",
        cast.bob.id: "confirmed",
        cast.carol.id: "waitlisted",
    }


def data_zone():
    from tests.events.event_helpers import TOKYO

    return TOKYO


async def test_publish_only_drafts(app) -> None:
    cast = await Cast.create()
    event_id = await new_event(cast.csm, publish=False)
    await publish_event(cast.csm, event_id)
    with pytest.raises(DomainError):
        await publish_event(cast.csm, event_id)
    assert (await event_row(event_id))["status"] == "published"
