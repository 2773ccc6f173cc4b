"""How an event allocates its seats: one policy object per `Allocation` value.

A policy says what a new registration gets, whether seats freed (a cancellation, a raised
capacity) are filled from the waitlist now, what the form and the pages call it and what a
member's button says, and what it needs of the event form. A new way of allocating is one
class here and its value in `events.tables.Allocation`.
"""

from __future__ import annotations

from typing import Any

from core.forms import Problems
from core.i18n import N_
from events.rows import EventRow
from events.tables import Allocation, RegistrationStatus


class FirstCome:
    """Confirmed while seats are left, else waitlisted in order; freed seats go down the list."""

    value = Allocation.first_come.value
    label = N_("First come")
    badge = ""  # shown beside the event's kind: nothing, first come is the default

    def collecting(self, event: EventRow) -> bool:
        """True while applications are collected for a draw (nobody holds a seat yet)."""
        return False

    def new_status(self, event: EventRow, *, has_seat: bool, over_capacity: bool) -> str:
        if has_seat or over_capacity:
            return RegistrationStatus.confirmed.value
        return RegistrationStatus.waitlisted.value

    def fills_freed_seats(self, event: EventRow) -> bool:
        return True

    def register_label(self, event: EventRow, seats_left: int | None) -> str:
        """The member's button."""
        return N_("Join the waitlist") if seats_left == 0 else N_("Register")

    def clean_form(self, values: dict[str, Any]) -> Problems:
        """Its rules on a cleaned event form (values in UTC); no draw time without a draw."""
        values["draw_at"] = None
        return {}


class Lottery(FirstCome):
    """Applications until `draw_at`, then a draw (events.registration.lottery); after the draw
    it allocates as first come: late registrations are confirmed or waitlisted."""

    value = Allocation.lottery.value
    label = N_("Lottery")
    badge = N_("Lottery")

    def collecting(self, event: EventRow) -> bool:
        return event.drawn_at is None

    def new_status(self, event: EventRow, *, has_seat: bool, over_capacity: bool) -> str:
        if not self.collecting(event):
            return super().new_status(event, has_seat=has_seat, over_capacity=over_capacity)
        # Staff adding someone "over capacity" confirm them outright, even before the draw.
        if over_capacity:
            return RegistrationStatus.confirmed.value
        return RegistrationStatus.applied.value

    def fills_freed_seats(self, event: EventRow) -> bool:
        return not self.collecting(event)

    def register_label(self, event: EventRow, seats_left: int | None) -> str:
        if self.collecting(event):
            return N_("Apply for the lottery")
        return super().register_label(event, seats_left)

    def clean_form(self, values: dict[str, Any]) -> Problems:
        problems: Problems = {}
        if values["capacity"] is None:
            problems["capacity"] = (N_("A lottery needs a capacity."), {})
        if values["draw_at"] is None:
            problems["draw_at"] = (N_("Enter when the lottery is drawn."), {})
        elif values["starts_at"] is not None and values["draw_at"] >= values["starts_at"]:
            problems["draw_at"] = (N_("The lottery must be drawn before the event starts."), {})
        return problems


AllocationPolicy = FirstCome
POLICIES: dict[str, AllocationPolicy] = {p.value: p for p in (FirstCome(), Lottery())}


def policy_of(event: EventRow | str) -> AllocationPolicy:
    """The policy of an event (or of an `allocation` value, as a form gives it)."""
    return POLICIES[event if isinstance(event, str) else event.allocation]
