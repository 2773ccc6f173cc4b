"""Applying an attendance report to an event: minutes, attendance and signals, all or nothing.

Rules (staff only; the whole import is one transaction, so any error writes nothing):

- Report emails are matched, case-insensitively, to active members. Staff in the report (the
  host, colleagues) are skipped: they run the session, they do not attend it. Emails that
  match no active member are stored on the import as `unmatched`.
- A matched member's registration (any status but cancelled) gets
  `attended_minutes = max(stored, reported)` and, when those minutes reach the event's
  threshold (`threshold_minutes`), `attendance = attended` — this overrides a `no_show` the
  no-show job set before the report was imported. Below the threshold, attendance is left
  as it is.
- A matched member without a registration who reached the threshold joined without
  registering: a *walk-in* registration is created, `confirmed` and already `attended`, with
  `added_by` = the importing staff member (that is how a walk-in is told from a registrant).
  Without a check-in code: they are already in. Below the threshold no row is created.
- A waitlisted (or not yet drawn) registrant the report shows attending took a seat: they are
  confirmed beyond the capacity (`confirmed_from_waitlist`), so the roster and the counts
  never say 補欠 and 出席 at once (the same rule as a staff check-in).
- Every attendance records webinar_attended or mokumoku_attended (value = minutes, dedupe key
  `attended:{registration_id}`) in the same transaction; a check-in already recorded it.
- A report whose own meeting is another one — its start more than 14 hours from the event's,
  or a Zoom meeting ID other than the one in the event's join URL — is refused
  (ReportOfAnotherMeeting, 409) unless the staff member confirms it (`accept_mismatch`).
- The file's SHA-256 is unique per event: the same file again changes nothing and says so.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from accounts.tables import Member
from core.database import fetch, transaction
from core.errors import DomainError
from core.i18n import N_
from core.timeutil import utcnow
from engagement.signals import NewSignal, Subject, SubjectType, record_signals
from events.attendance.formats import parse_report
from events.attendance.parsing import AttendanceReport
from events.attendance.same_meeting import check_report_is_of
from events.locking import lock_event
from events.registration.codes import unique_code
from events.rows import EventRow
from events.rules import (
    ATTENDANCE_STAFF_ONLY,
    attended_signal_kind,
    get_event,
    require_staff,
    threshold_minutes,
)
from events.tables import (
    Attendance,
    AttendanceImport,
    EventStatus,
    Registration,
    RegistrationStatus,
)

CHUNK = 500


@dataclass
class ImportResult:
    """What an import did (or, for a file seen before, what it did the first time)."""

    import_id: int
    event_id: int
    filename: str
    report_format: str
    rows: int
    matched: int
    attended: int
    unmatched: list[str]
    imported_at: datetime
    already_imported: bool = False
    walk_ins: int = 0
    staff_skipped: int = 0
    too_short_unregistered: int = 0
    rows_without_email: int = 0
    names_without_email: list[str] = field(default_factory=list)
    confirmed_from_waitlist: int = 0


def attended_signal(
    event: EventRow, registration: dict[str, Any], value: float, when: datetime
) -> NewSignal:
    """The attendance signal of a registration (one per registration, of either kind)."""
    return NewSignal(
        attended_signal_kind(event),
        registration["account"],
        registration["member"],
        Subject(SubjectType.registration, registration["id"]),
        when,
        value=round(value, 1),
    )


async def record_attended(
    event: EventRow, registration: dict[str, Any], value: float, when: datetime
) -> bool:
    """Record one registration's attendance signal; staff (no account) score nothing."""
    return await record_signals(attended_signal(event, registration, value, when)) == 1


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def import_attendance(
    actor: Member,
    event_id: int,
    filename: str,
    data: bytes,
    max_bytes: int,
    *,
    accept_mismatch: bool = False,
) -> ImportResult:
    """Parse `data` and apply it to the event (see the module's rules). A report of another
    meeting (`check_report_is_of`) is refused unless the staff member confirmed it."""
    require_staff(actor, ATTENDANCE_STAFF_ONLY)
    event = await get_event(event_id)
    digest = file_digest(data)
    previous = await _previous(event_id, digest)
    if previous is not None:
        return previous
    _check_event(event)
    report = parse_report(data, max_bytes)
    if not accept_mismatch:
        check_report_is_of(event, report)
    return await apply_report(actor, event_id, report, filename, digest)


async def apply_report(
    actor: Member | None, event_id: int, report: AttendanceReport, source: str, digest: str
) -> ImportResult:
    """Apply a parsed report (a file, or a platform's API answer: `actor` None) to the event
    once per `digest`, under the event's lock — the one way attendance comes in."""
    async with transaction():
        event = await lock_event(event_id, registrations_may_join=True)
        previous = await _previous(event_id, digest)  # a double submission waited on the lock
        if previous is not None:
            return previous
        _check_event(event)
        return await _apply(actor, event, report, (source or "")[:255], digest)


def _check_event(event: EventRow) -> None:
    if event.status in (EventStatus.draft.value, EventStatus.cancelled.value):
        raise DomainError(N_("Attendance can only be imported for a published or finished event."))
    if event.starts_at > utcnow():
        raise DomainError(N_("The event has not started yet. Import its report after the event."))


async def _previous(event_id: int, digest: str) -> ImportResult | None:
    row = (
        await AttendanceImport.select()
        .where((AttendanceImport.event == event_id) & (AttendanceImport.digest == digest))
        .output(load_json=True)
        .first()
    )
    if row is None:
        return None
    return ImportResult(
        import_id=row["id"],
        event_id=event_id,
        filename=row["filename"],
        report_format=row["report_format"],
        rows=row["rows"],
        matched=row["matched"],
        attended=row["attended"],
        unmatched=list(row["unmatched"] or []),
        imported_at=row["imported_at"],
        already_imported=True,
    )


async def _members(emails: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(emails), CHUNK):
        rows = await Member.select(
            Member.id, Member.email, Member.role, Member.account, Member.active
        ).where(Member.email.is_in(emails[start : start + CHUNK]))
        found.update({row["email"]: row for row in rows if row["active"]})
    return found


async def _registrations(event_id: int, member_ids: list[int]) -> dict[int, dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(member_ids), CHUNK):
        rows = await Registration.select(
            Registration.id,
            Registration.member,
            Registration.account,
            Registration.status,
            Registration.attendance,
            Registration.attended_minutes,
        ).where(
            (Registration.event == event_id)
            & (Registration.status != RegistrationStatus.cancelled.value)
            & Registration.member.is_in(member_ids[start : start + CHUNK])
        )
        found.update({row["member"]: row for row in rows})
    return found


async def _apply(
    actor: Member | None, event: EventRow, report: AttendanceReport, filename: str, digest: str
) -> ImportResult:
    now = utcnow()
    members = await _members(sorted(report.minutes))
    customers = {e: m for e, m in members.items() if m["role"] == "customer"}
    registrations = await _registrations(event.id, [m["id"] for m in customers.values()])
    result = ImportResult(
        import_id=0,
        event_id=event.id,
        filename=filename,
        report_format=report.report_format,
        rows=report.rows,
        matched=len(customers),
        attended=0,
        unmatched=sorted(e for e in report.minutes if e not in members),
        imported_at=now,
        staff_skipped=len(members) - len(customers),
        rows_without_email=report.rows_without_email,
        names_without_email=report.names_without_email[:50],
    )
    match = _match(customers, registrations, report, threshold_minutes(event))
    result.too_short_unregistered = match.too_short_unregistered
    await _update_registrations(match.changes)
    await _confirm_attendees(event, match.seated, now)
    result.confirmed_from_waitlist = len(match.seated)
    attended = match.attended + await _insert_walk_ins(actor, event, match.walk_ins, now)
    # One bulk write for the ledger: a 10,000-row report is one insert per 500 signals and one
    # recompute request per account, not a round trip per attendee.
    await record_signals(
        *(
            attended_signal(event, registration, minutes, event.starts_at)
            for registration, minutes in attended
        )
    )
    result.walk_ins = len(match.walk_ins)
    result.attended = len(attended)
    result.import_id = await _record_import(actor, event, report, result, digest)
    return result


async def _record_import(
    actor: Member | None,
    event: EventRow,
    report: AttendanceReport,
    result: ImportResult,
    digest: str,
) -> int:
    row = AttendanceImport(
        event=event.id,
        filename=result.filename,
        digest=digest,
        report_format=report.report_format,
        rows=report.rows,
        matched=result.matched,
        attended=result.attended,
        unmatched=result.unmatched,
        imported_by=actor.id if actor else None,
        imported_at=result.imported_at,
    )
    await row.save()
    return int(row.id)


@dataclass
class _Matching:
    """What a report means for the registrations it names."""

    walk_ins: list[dict[str, Any]] = field(default_factory=list)  # reached, not registered
    changes: list[tuple[int, float, str]] = field(default_factory=list)  # (id, minutes, attendance)
    attended: list[tuple[dict[str, Any], float]] = field(default_factory=list)
    seated: list[int] = field(default_factory=list)  # attended from the waitlist or applied
    too_short_unregistered: int = 0


def _match(
    customers: dict[str, dict[str, Any]],
    registrations: dict[int, dict[str, Any]],
    report: AttendanceReport,
    threshold: float,
) -> _Matching:
    """Each customer's best minutes against their registration: a registration keeps the
    most minutes ever imported, and is attended once they reach the threshold."""
    match = _Matching()
    for email, member in customers.items():
        minutes = report.minutes[email]
        registration = registrations.get(member["id"])
        if registration is None:
            if minutes >= threshold:
                match.walk_ins.append({**member, "minutes": minutes})
            else:
                match.too_short_unregistered += 1
            continue
        stored = registration["attended_minutes"] or 0.0
        best = max(stored, minutes)
        reached = best >= threshold
        attendance = Attendance.attended.value if reached else registration["attendance"]
        if best != stored or attendance != registration["attendance"]:
            match.changes.append((registration["id"], best, attendance))
        if reached:
            match.attended.append((registration, best))
            if registration["status"] != RegistrationStatus.confirmed.value:
                match.seated.append(registration["id"])
    return match


async def _update_registrations(changes: list[tuple[int, float, str]]) -> None:
    """Set (minutes, attendance) per registration id: one statement per chunk."""
    row = (
        "SELECT CAST({} AS INTEGER) AS id, CAST({} AS DOUBLE PRECISION) AS minutes, "
        "CAST({} AS VARCHAR(10)) AS attendance"
    )
    for start in range(0, len(changes), CHUNK // 2):
        chunk = changes[start : start + CHUNK // 2]
        values = " UNION ALL ".join([row] * len(chunk))
        await fetch(
            "UPDATE events_registration SET attended_minutes = v.minutes, "  # noqa: S608
            f"attendance = v.attendance FROM ({values}) AS v WHERE events_registration.id = v.id",
            *[value for change in chunk for value in change],
        )


async def _confirm_attendees(event: EventRow, ids: list[int], now: datetime) -> None:
    """Confirm (beyond the capacity) registrants who attended while waiting for a seat."""
    for registration_id in ids:
        await Registration.update(
            {
                Registration.status: RegistrationStatus.confirmed.value,
                Registration.confirmed_at: now,
                Registration.queue_order: 0,
                Registration.checkin_code: await unique_code(event.id),
            }
        ).where(Registration.id == registration_id)


async def _insert_walk_ins(
    actor: Member | None, event: EventRow, members: list[dict[str, Any]], now: datetime
) -> list[tuple[dict[str, Any], float]]:
    """Confirmed, attended registrations for members who joined without registering."""
    created: list[tuple[dict[str, Any], float]] = []
    for start in range(0, len(members), CHUNK):
        chunk = members[start : start + CHUNK]
        rows = await Registration.insert(
            *[
                Registration(
                    event=event.id,
                    member=member["id"],
                    account=member["account"],
                    status=RegistrationStatus.confirmed.value,
                    attendance=Attendance.attended.value,
                    attended_minutes=member["minutes"],
                    added_by=actor.id if actor else None,
                    registered_at=now,
                    confirmed_at=now,
                )
                for member in chunk
            ]
        ).returning(Registration.id, Registration.member, Registration.account)
        minutes = {member["id"]: member["minutes"] for member in chunk}
        created += [(row, minutes[row["member"]]) for row in rows]
    return created


async def import_history(event_id: int) -> list[dict[str, Any]]:
    """The event's imports, newest first, with who imported them."""
    return list(
        await AttendanceImport.select(
            *AttendanceImport.all_columns(exclude=[AttendanceImport.digest]),
            AttendanceImport.imported_by.display_name.as_alias("imported_by_name"),
        )
        .where(AttendanceImport.event == event_id)
        .order_by(AttendanceImport.imported_at, ascending=False)
        .order_by(AttendanceImport.id, ascending=False)
        .output(load_json=True)
    )
