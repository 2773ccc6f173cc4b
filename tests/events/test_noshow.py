"""No-shows: marked once after the event and its grace hour; a later report still counts."""

from __future__ import annotations

from datetime import timedelta

from core.database import transaction
from core.jobs import enqueue
from core.wiring import Wiring
from domains import DOMAINS
from engagement.tables import Signal
from events.attendance.noshow import mark_no_shows, sweep_no_shows
from events.tables import Event
from tests.events.attendance_helpers import People, make_event, register, registration, report


async def no_show_signals() -> list[dict]:
    return list(await Signal.select().where(Signal.kind == "event_no_show").order_by(Signal.id))


async def marked_at(event: dict):
    row = await Event.select(Event.no_shows_marked_at).where(Event.id == event.id).first()
    return row["no_shows_marked_at"]


async def test_sweep_marks_confirmed_registrants_without_attendance_once(settings):
    people = await People.create()
    ended = await make_event("webinar", starts_in=timedelta(hours=-3), minutes=60)
    absent = await register(ended, people.alice)
    present = await register(ended, people.bob, attendance="attended")
    waiting = await register(ended, people.anna, status="waitlisted")
    cancelled = await register(ended, people.carol, status="cancelled")
    staff = await register(ended, people.csm)
    in_grace = await make_event("webinar", starts_in=timedelta(hours=-1, minutes=-30))
    grace_reg = await register(in_grace, people.alice)
    draft = await make_event("webinar", starts_in=timedelta(days=-3), status="draft")
    draft_reg = await register(draft, people.alice)

    assert await sweep_no_shows({"settings": settings}) == 1
    assert (await registration(absent["id"]))["attendance"] == "no_show"
    assert (await registration(present["id"]))["attendance"] == "attended"
    assert (await registration(waiting["id"]))["attendance"] == ""
    assert (await registration(cancelled["id"]))["attendance"] == ""
    assert (await registration(staff["id"]))["attendance"] == "no_show"  # but scores nothing
    assert (await registration(grace_reg["id"]))["attendance"] == ""  # ended 30 minutes ago
    assert (await registration(draft_reg["id"]))["attendance"] == ""
    [signal] = await no_show_signals()
    assert signal["dedupe_key"] == f"no_show:{absent['id']}"
    assert signal["account"] == people.account_a.id and signal["member"] == people.alice.id
    first_mark = await marked_at(ended)
    assert first_mark is not None and await marked_at(in_grace) is None

    # Idempotent: again, nothing changes (not even a registrant reset by hand).
    from events.tables import Registration

    await Registration.update({Registration.attendance: ""}).where(Registration.id == absent["id"])
    assert await sweep_no_shows({"settings": settings}) == 0
    assert (await registration(absent["id"]))["attendance"] == ""
    assert len(await no_show_signals()) == 1
    assert await marked_at(ended) == first_mark


async def test_the_job_runs_through_the_queue_and_twice_changes_nothing(settings, run_jobs):
    people = await People.create()
    ended = await make_event("mokumoku", starts_in=timedelta(days=-1))
    absent = await register(ended, people.alice)
    async with transaction():
        await enqueue(mark_no_shows, ended.id)
        await enqueue(mark_no_shows, ended.id)
    await run_jobs()
    assert (await registration(absent["id"]))["attendance"] == "no_show"
    assert len(await no_show_signals()) == 1
    wiring = Wiring.of(DOMAINS)
    assert wiring.jobs["mark_no_shows"] is mark_no_shows
    [spec] = [c for c in wiring.crons if c.function is sweep_no_shows]
    assert spec.minute == frozenset({0, 15, 30, 45}) and spec.hour is None


async def test_a_report_imported_later_overrides_the_no_show(settings):
    from events.attendance.imports import import_attendance

    people = await People.create()
    ended = await make_event("webinar", starts_in=timedelta(hours=-4))
    alice = await register(ended, people.alice)
    await sweep_no_shows({"settings": settings})
    assert (await registration(alice["id"]))["attendance"] == "no_show"
    await import_attendance(
        people.csm,
        ended.id,
        "z.csv",
        report("zoom_webinar_attendee.csv"),
        1 << 20,
        accept_mismatch=True,
    )
    row = await registration(alice["id"])
    assert row["attendance"] == "attended" and row["attended_minutes"] == 55
    kinds = sorted(
        s["kind"] for s in await Signal.select(Signal.kind).where(Signal.member == people.alice.id)
    )
    assert kinds == ["event_no_show", "webinar_attended"]  # append-only: both stay
