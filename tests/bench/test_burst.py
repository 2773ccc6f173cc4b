"""The registration burst's parts against the app: bench members sign in through the login form,
the burst's request registers as the event page's button does, and the database check catches
a wrong outcome."""

from __future__ import annotations

import asyncio

import pytest

from bench.burst import check, outcome, register_once
from bench.data import create_csm, create_customers, create_event
from bench.harness import sign_in_jar
from events.registration.allocation import register
from events.tables import Registration

EXACT = {
    "confirmed": 3,
    "waitlisted": 7,
    "other": 0,
    "members": 10,
    "codes": 3,
    "signals": 10,
    "waitlist_positions_are_1_to_n": True,
}


async def test_bench_members_sign_in_and_register_as_the_event_page_does(app, client) -> None:
    members = await create_customers(1, 3)
    event_id = await create_event(await create_csm(), "先着 1 名のもくもく会", 1)
    jars = [await sign_in_jar(client.raw, member.email) for member in members]
    assert len({jar["kizuna_session"] for jar in jars}) == 3
    assert all(jar["kizuna_csrf"] for jar in jars)

    answers = [await register_once(client.raw, event_id, jar) for jar in jars]

    assert answers == ["303", "303", "303"]
    rows = await Registration.select(Registration.member, Registration.status).where(
        Registration.event == event_id
    )
    statuses = {row["member"]: row["status"] for row in rows}
    assert statuses == {
        members[0].id: "confirmed",
        members[1].id: "waitlisted",
        members[2].id: "waitlisted",
    }
    forged = {**jars[0], "kizuna_csrf": "forged"}
    assert (await register_once(client.raw, event_id, forged)).startswith("403")


@pytest.mark.production_stack
async def test_the_burst_outcome_is_read_from_the_database_and_checked(app) -> None:
    from core.database import fetch

    members = await create_customers(2, 5)
    event_id = await create_event(await create_csm(), "先着 3 名のもくもく会", 3)
    await asyncio.gather(*(register(member, event_id) for member in members))

    counts = await outcome(event_id)

    assert counts == EXACT
    check(counts, {"303": 10}, attempts=10, seats=3)
    with pytest.raises(RuntimeError, match="answers"):
        check(counts, {"303": 9, "429": 1}, attempts=10, seats=3)
    await fetch(
        "UPDATE events_registration SET queue_order = 99 WHERE event = {} AND queue_order = 4",
        event_id,
    )
    broken = await outcome(event_id)
    assert broken == {**EXACT, "waitlist_positions_are_1_to_n": False}
    with pytest.raises(RuntimeError, match="waitlist_positions_are_1_to_n"):
        check(broken, {"303": 10}, attempts=10, seats=3)


def test_long_preparation_steps_show_a_progress_bar(capsys) -> None:
    """Issue 12: `python -m bench burst` signed 1,000 members in for 100 s with no sign of life."""
    from bench.progress import PROGRESS_MIN, progress

    with progress("signing members in", PROGRESS_MIN) as advance:
        for _ in range(PROGRESS_MIN):
            advance(1)
    shown = capsys.readouterr().err
    assert "signing members in" in shown and f"{PROGRESS_MIN}/{PROGRESS_MIN}" in shown
    with progress("three things", 3) as advance:
        advance(3)
    assert capsys.readouterr().err == ""
