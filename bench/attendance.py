"""Attendance import benchmark: a 10,000-row Zoom webinar attendee report on PostgreSQL.

    python -m bench attendance [--runs 3]

Creates the database kizuna_bench_attendance (UTF-8), migrates it, inserts 100 accounts of
80 customers each, then per run: a fresh finished webinar with 7,500 confirmed registrants,
and times `events.attendance.imports.import_attendance` on the generated report — parsing,
matching, registration updates, walk-ins, one signal per attendee and the commit, including
the after-commit pushes of the debounced score recomputes to Redis.

The report: 7,000 registrants attend (2,000 of them rejoin once, so two rows), 500 members
attend without registering (walk-ins), the rest are guests whose emails match nobody; 500
registrants never join. Minutes are spread from 1 to 90, so some stay under the threshold.
"""

from __future__ import annotations

import asyncio
import csv
import io
import random
import statistics
import time
from datetime import timedelta
from typing import Any

from bench.data import open_database
from bench.harness import production_stack

DB_NAME = "kizuna_bench_attendance"
ACCOUNTS = 100
PER_ACCOUNT = 80
REGISTERED = 7_500
ATTENDING = 7_000
REJOINING = 2_000
WALK_INS = 500


def email(n: int) -> str:
    return f"member{n:05d}@bench{n % ACCOUNTS:03d}.example"


def zoom_report(rows: int, seed: int = 7) -> bytes:
    """A Zoom webinar attendee report (UTF-8 with BOM, CRLF) of exactly `rows` attendee rows."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Attendee Report"])
    writer.writerow(["Report Generated:", "Nov 20, 2026 16:02:11"])
    writer.writerow(["Topic", "Webinar ID", "Actual Start Time", "Actual Duration (minutes)"])
    writer.writerow(["ベンチマーク ウェビナー", "812 0000 0001", "Nov 20, 2026 14:00:00", 90])
    writer.writerow(["Host Details"])
    header = ["Attended", "User Name (Original Name)", "Email", "Join Time", "Leave Time"]
    writer.writerow([*header, "Time in Session (minutes)", "Is Guest", "Country/Region Name"])
    writer.writerow(["Yes", "ホスト", "host@vendor.example", "", "", 95, "No", "Japan"])
    writer.writerow(["Attendee Details"])
    writer.writerow(
        [
            "Attended",
            "User Name (Original Name)",
            "First Name",
            "Last Name",
            "Email",
            "Registration Time",
            "Approval Status",
            "Join Time",
            "Leave Time",
            "Time in Session (minutes)",
            "Is Guest",
            "Country/Region Name",
        ]
    )
    people = [(email(n), f"参加者 {n}") for n in range(ATTENDING)]
    people += [(email(REGISTERED + n), f"飛び入り {n}") for n in range(WALK_INS)]
    lines: list[tuple[str, str]] = []
    for index, person in enumerate(people):
        lines.append(person)
        if index < REJOINING:
            lines.append(person)
    guest = 0
    while len(lines) < rows:
        lines.append((f"guest{guest:05d}@elsewhere.example", f"Guest {guest}"))
        guest += 1
    for written, (address, name) in enumerate(lines[:rows]):
        minutes = rng.randint(1, 90)
        writer.writerow(
            [
                "Yes",
                name,
                name[:2],
                name[2:],
                address.upper() if written % 7 == 0 else address,
                "Nov 10, 2026 09:00:00",
                "approved",
                "Nov 20, 2026 14:00:00",
                "Nov 20, 2026 15:30:00",
                minutes,
                "Yes",
                "Japan",
            ]
        )
    return b"\xef\xbb\xbf" + out.getvalue().encode()


async def prepare() -> tuple[Any, list[dict[str, Any]]]:
    """Schema, accounts and members (inserted directly: no password hashing)."""
    from accounts.tables import Account, Member

    await open_database()
    staff = Member(email="csm@vendor.example", display_name="CSM", handle="csm", role="csm")
    await staff.save()
    accounts = await Account.insert(
        *[Account(name=f"ベンチ株式会社{a:03d}", arr=1_000_000) for a in range(ACCOUNTS)]
    ).returning(Account.id)
    members: list[dict[str, Any]] = []
    total = ACCOUNTS * PER_ACCOUNT
    for start in range(0, total, 1000):
        rows = [
            Member(
                email=email(n),
                display_name=f"参加者 {n}",
                handle=f"member{n:05d}",
                role="customer",
                account=accounts[n % ACCOUNTS]["id"],
            )
            for n in range(start, min(start + 1000, total))
        ]
        members += await Member.insert(*rows).returning(Member.id, Member.account)
    return staff, members


async def fresh_event(run: int, members: list[dict[str, Any]]) -> int:
    """A finished webinar with REGISTERED confirmed registrants (the first members)."""
    from core.timeutil import utcnow
    from events.tables import Event, Registration

    starts = utcnow() - timedelta(hours=3)
    event = Event(
        kind="webinar",
        title=f"ベンチマーク ウェビナー {run}",
        starts_at=starts,
        ends_at=starts + timedelta(minutes=90),
        status="finished",
    )
    await event.save()
    for start in range(0, REGISTERED, 1000):
        await Registration.insert(
            *[
                Registration(
                    event=event.id,
                    member=members[n]["id"],
                    account=members[n]["account"],
                    status="confirmed",
                    checkin_code=f"C{n:05d}",
                    confirmed_at=starts - timedelta(days=3),
                )
                for n in range(start, min(start + 1000, REGISTERED))
            ]
        )
    return int(event.id)


async def measure(rows: int, runs: int) -> dict[str, Any]:
    from core import database
    from events.attendance.formats import parse_report
    from events.attendance.imports import import_attendance
    from settings import get_settings

    staff, members = await prepare()
    data = zoom_report(rows)
    limit = get_settings().attendance_max_bytes
    parse_times, import_times, results = [], [], []
    for run in range(runs):
        event_id = await fresh_event(run, members)
        started = time.perf_counter()
        parsed = parse_report(data, limit)
        parse_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        result = await import_attendance(staff, event_id, "bench.csv", data, limit)
        import_times.append(time.perf_counter() - started)
        results.append(result)
        print(
            f"run {run + 1}: parse {parse_times[-1]:.3f} s, import {import_times[-1]:.3f} s "
            f"({result.matched} matched, {result.attended} attended, "
            f"{result.walk_ins} walk-ins, {len(result.unmatched)} unmatched)",
            flush=True,
        )
    await database.close()
    last = results[-1]
    return {
        "file_bytes": len(data),
        "rows": parsed.rows,
        "people": len(parsed.minutes),
        "matched": last.matched,
        "attended": last.attended,
        "walk_ins": last.walk_ins,
        "unmatched": len(last.unmatched),
        "parse_s_median": round(statistics.median(parse_times), 3),
        "import_s_median": round(statistics.median(import_times), 3),
        "import_s_runs": [round(t, 3) for t in import_times],
    }


def run(rows: int, runs: int) -> dict[str, Any]:
    production_stack(DB_NAME)
    return {
        "parameters": {
            "rows": rows,
            "registered": REGISTERED,
            "members": ACCOUNTS * PER_ACCOUNT,
            "runs": runs,
        },
        "results": asyncio.run(measure(rows, runs)),
    }
