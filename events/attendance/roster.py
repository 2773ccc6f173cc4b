"""The roster (staff): every registration of an event with its member and account, the
counts by status and attendance, and its CSV export.

The CSV is written with the csv module, every cell through core.spreadsheet.guard_cell so
that a spreadsheet shows member text as text instead of running it as a formula.
"""

from __future__ import annotations

import csv
import io

from core.i18n import gettext
from core.spreadsheet import guard_cell
from events.rows import RegistrationRow
from events.tables import Attendance, Registration, RegistrationStatus

_ORDER = {
    RegistrationStatus.confirmed.value: 0,
    RegistrationStatus.waitlisted.value: 1,
    RegistrationStatus.applied.value: 2,
    RegistrationStatus.cancelled.value: 3,
}


async def roster_rows(event_id: int) -> list[RegistrationRow]:
    """Every registration of the event, confirmed first, then the waitlist in order (with
    positions), applications, and cancellations."""
    rows = await (
        Registration.select(
            *Registration.all_columns(),
            Registration.member.display_name.as_alias("member_name"),
            Registration.member.email.as_alias("email"),
            Registration.account.name.as_alias("account_name"),
        )
        .where(Registration.event == event_id)
        .order_by(Registration.id)
    )
    registrations = [RegistrationRow.of(row) for row in rows]
    waitlist = sorted(
        (r for r in registrations if r.status == RegistrationStatus.waitlisted.value),
        key=lambda r: (r.queue_order, r.id),
    )
    positions = {row.id: place for place, row in enumerate(waitlist, start=1)}
    placed = [row.replace(waitlist_position=positions.get(row.id)) for row in registrations]
    placed.sort(key=lambda r: (_ORDER.get(r.status, 9), r.waitlist_position or 0, r.id))
    return placed


def roster_counts(rows: list[RegistrationRow]) -> dict[str, int]:
    counts = {status: 0 for status in _ORDER}
    counts.update(attended=0, no_show=0)
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
        if row.status != RegistrationStatus.cancelled.value:
            if row.attendance == Attendance.attended.value:
                counts["attended"] += 1
            elif row.attendance == Attendance.no_show.value:
                counts["no_show"] += 1
    return counts


def roster_csv(rows: list[RegistrationRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            gettext("Registration ID"),
            gettext("Status"),
            gettext("Waitlist position"),
            gettext("Name"),
            gettext("Email"),
            gettext("Account"),
            gettext("Attendance"),
            gettext("Check-in code"),
            gettext("Registered at (UTC)"),
            gettext("Cancelled at (UTC)"),
        ]
    )
    for row in rows:
        writer.writerow(
            [
                guard_cell(value)
                for value in (
                    row.id,
                    row.status,
                    row.waitlist_position or "",
                    row.member_name,
                    row.email,
                    row.account_name or "",
                    row.attendance,
                    row.checkin_code,
                    row.registered_at.isoformat(timespec="seconds"),
                    row.cancelled_at.isoformat(timespec="seconds") if row.cancelled_at else "",
                )
            ]
        )
    return buffer.getvalue()
