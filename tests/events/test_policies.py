"""Allocation policies: what a registration gets, whether freed seats are filled, the labels."""

from __future__ import annotations

from datetime import UTC, datetime

from events.registration.policies import POLICIES, FirstCome, Lottery, policy_of
from events.rows import EventRow
from events.tables import Allocation
from tests.events.event_helpers import unsaved_event

DRAWN = datetime(2026, 12, 1, tzinfo=UTC)


def event(allocation: str, drawn_at: datetime | None = None) -> EventRow:
    return unsaved_event(allocation=allocation, drawn_at=drawn_at)


def test_every_allocation_has_its_policy():
    assert set(POLICIES) == {a.value for a in Allocation}
    assert isinstance(policy_of(event("lottery")), Lottery)
    assert type(policy_of(event("first_come"))) is FirstCome


def test_first_come_confirms_while_seats_are_left_then_waitlists():
    e = event("first_come")
    policy = policy_of(e)
    assert policy.new_status(e, has_seat=True, over_capacity=False) == "confirmed"
    assert policy.new_status(e, has_seat=False, over_capacity=False) == "waitlisted"
    assert policy.new_status(e, has_seat=False, over_capacity=True) == "confirmed"
    assert policy.fills_freed_seats(e)
    assert policy.register_label(e, 0) == "Join the waitlist"
    assert policy.register_label(e, None) == "Register"


def test_a_lottery_collects_applications_until_drawn_then_allocates_first_come():
    before, after = event("lottery"), event("lottery", DRAWN)
    policy = policy_of(before)
    assert policy.collecting(before) and not policy.collecting(after)
    assert policy.new_status(before, has_seat=True, over_capacity=False) == "applied"
    assert policy.new_status(before, has_seat=False, over_capacity=True) == "confirmed"
    assert policy.new_status(after, has_seat=False, over_capacity=False) == "waitlisted"
    assert not policy.fills_freed_seats(before) and policy.fills_freed_seats(after)
    assert policy.register_label(before, 5) == "Apply for the lottery"
    assert policy.register_label(after, 0) == "Join the waitlist"


def test_the_form_rules_of_each_policy():
    first = {"capacity": None, "draw_at": DRAWN, "starts_at": DRAWN}
    assert FirstCome().clean_form(first) == {} and first["draw_at"] is None
    lottery = {"capacity": None, "draw_at": DRAWN, "starts_at": DRAWN}
    assert set(Lottery().clean_form(lottery)) == {"capacity", "draw_at"}
    assert Lottery().clean_form({"capacity": 5, "draw_at": None, "starts_at": DRAWN}) == {
        "draw_at": ("Enter when the lottery is drawn.", {})
    }
