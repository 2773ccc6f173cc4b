"""Logging 1:1 touches: signals for each participant, no-shows, homework to participants only,
refusals that leave nothing half-written, corrections that rewrite the touch's signals."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from core.errors import Conflict, DomainError, Forbidden
from core.timeutil import utcnow
from engagement.tables import Signal
from success.schemas import HomeworkIn
from success.tables import Homework, Touch, TouchParticipant
from success.touches import delete_touch, log_touch, update_touch
from tests.factories import make_member
from tests.success.helpers import Cast, content, logged, touch_in


async def _signals(kind: str | None = None) -> list[tuple[int, str, float]]:
    query = Signal.select(Signal.member, Signal.kind, Signal.value).order_by(Signal.member)
    if kind:
        query = query.where(Signal.kind == kind)
    return [(row["member"], row["kind"], row["value"]) for row in await query]


async def test_a_touch_records_one_signal_per_participant(app) -> None:
    cast = await Cast.create()
    touch_id = await logged(cast, cast.alice, cast.bob, minutes=45)
    assert await _signals() == [
        (cast.alice.id, "meeting_attended", 45.0),
        (cast.bob.id, "meeting_attended", 45.0),
    ]
    # The staff member who did it is recorded as staff (default: the one logging it).
    row = await Touch.select().where(Touch.id == touch_id).first()
    assert row["created_by"] == cast.csm.id and row["outcome"] == "held"


async def test_a_missed_meeting_is_a_no_show_and_takes_no_homework(app) -> None:
    cast = await Cast.create()
    item = await content(cast.admin)
    with pytest.raises(DomainError) as refused:
        await logged(
            cast,
            cast.alice,
            outcome="no_show",
            homework=[HomeworkIn(item_id=item, member_ids=[cast.alice.id])],
        )
    assert refused.value.field_errors == {"homework": "宿題は実施されたタッチでだけ出せます。"}
    await logged(cast, cast.alice, outcome="no_show")
    assert await _signals() == [(cast.alice.id, "meeting_no_show", 60.0)]


@pytest.mark.parametrize(
    "case",
    [
        "another account's member",
        "future",
        "homework for a non-participant",
        "past due",
        "foreign item",
    ],
)
async def test_refusals_leave_nothing_written(app, case: str) -> None:
    cast = await Cast.create()
    item = await content(cast.admin)
    other_item = await content(
        cast.admin, "他社向け", audience="accounts", audience_accounts=[cast.other.id]
    )
    fields: dict = {}
    participants = [cast.alice]
    expected = ""
    if case == "another account's member":
        participants = [cast.alice, cast.olga]
        expected = "participant_ids"
    elif case == "future":
        fields["when"] = utcnow() + timedelta(days=2)
        expected = "occurred_at"
    elif case == "homework for a non-participant":
        fields["homework"] = [HomeworkIn(item_id=item, member_ids=[cast.bob.id])]
        expected = "homework"
    elif case == "past due":
        yesterday = date.today() - timedelta(days=1)
        fields["homework"] = [
            HomeworkIn(item_id=item, member_ids=[cast.alice.id], due_on=yesterday)
        ]
        expected = "homework_due_on"
    else:
        fields["homework"] = [HomeworkIn(item_id=other_item, member_ids=[cast.alice.id])]
        expected = "homework"
    with pytest.raises(DomainError) as refused:
        await logged(cast, *participants, **fields)
    assert expected in refused.value.field_errors
    assert await Touch.count() == 0 and await Homework.count() == 0
    assert await Signal.count() == 0


async def test_homework_goes_to_participants_due_by_the_next_meeting(
    app, run_jobs, mailbox
) -> None:
    cast = await Cast.create()
    item = await content(cast.admin, "CSV 準備チェックリスト")
    next_meeting = date.today() + timedelta(days=10)
    touch_id = await logged(
        cast,
        cast.alice,
        cast.bob,
        next_meeting_on=next_meeting,
        homework=[HomeworkIn(item_id=item)],  # no members named: every participant
    )
    rows = await Homework.select().where(Homework.touch == touch_id).order_by(Homework.member)
    assert [(r["member"], r["due_on"]) for r in rows] == [
        (cast.alice.id, next_meeting),
        (cast.bob.id, next_meeting),
    ]
    await run_jobs()
    [email] = mailbox.to(cast.alice.email)
    assert "CSV 準備チェックリスト" in mailbox.text_of(email)
    assert len(mailbox.to(cast.bob.email)) == 1


async def test_only_the_author_or_an_admin_corrects_a_touch(app) -> None:
    cast = await Cast.create()
    other_csm = await make_member(None, role="csm")
    touch_id = await logged(cast, cast.alice)
    with pytest.raises(Forbidden):
        await update_touch(other_csm, touch_id, touch_in([cast.bob.id]), date.today())
    with pytest.raises(Forbidden):
        await delete_touch(other_csm, touch_id)
    with pytest.raises(Forbidden):
        await log_touch(cast.alice, cast.account.id, touch_in([cast.alice.id]), date.today())
    assert await _signals() == [(cast.alice.id, "meeting_attended", 60.0)]


async def test_a_correction_rewrites_the_touchs_signals_and_a_stale_one_is_refused(app) -> None:
    cast = await Cast.create()
    touch_id = await logged(cast, cast.alice)
    await update_touch(
        cast.csm, touch_id, touch_in([cast.bob.id], minutes=30, version=1), date.today()
    )
    assert await _signals() == [(cast.bob.id, "meeting_attended", 30.0)]
    participants = await TouchParticipant.select(TouchParticipant.member).where(
        TouchParticipant.touch == touch_id
    )
    assert [p["member"] for p in participants] == [cast.bob.id]
    with pytest.raises(Conflict):  # the form showed version 1; it is 2 now
        await update_touch(cast.admin, touch_id, touch_in([cast.alice.id], version=1), date.today())
    assert await _signals() == [(cast.bob.id, "meeting_attended", 30.0)]
    await delete_touch(cast.admin, touch_id)
    assert await Touch.count() == 0 and await Signal.count() == 0


async def test_the_same_form_sent_twice_logs_one_touch(app) -> None:
    cast = await Cast.create()
    form = touch_in([cast.alice.id], client_token="form-1")
    ids = await asyncio.gather(
        log_touch(cast.csm, cast.account.id, form, date.today()),
        log_touch(cast.csm, cast.account.id, form, date.today()),
    )
    assert ids[0] == ids[1] and await Touch.count() == 1
    assert await _signals() == [(cast.alice.id, "meeting_attended", 60.0)]
    other = await log_touch(
        cast.csm, cast.account.id, touch_in([cast.alice.id], client_token="form-2"), date.today()
    )
    assert other != ids[0] and await Touch.count() == 2
