"""Microsoft Teams attendance reports (events.attendance.parsing has the formats and rules)."""

from __future__ import annotations

import re
from datetime import datetime

from core.errors import DomainError
from core.i18n import N_
from events.attendance.parsing import (
    FORMAT_LABELS,
    START,
    TEAMS,
    TOPIC,
    AttendanceReport,
    cell,
    find_column,
    fold,
    missing_column,
    report_time,
)

TEAMS_SECTIONS = {
    "summary": "summary",
    "要約": "summary",
    "概要": "summary",
    "participants": "participants",
    "参加者": "participants",
    "in-meeting activities": "activities",
    "会議中のアクティビティ": "activities",
}
T_NAME = ("name", "full name", "名前", "フル ネーム", "フルネーム", "表示名")
T_EMAIL = ("email", "メール", "メールアドレス", "電子メール")
T_UPN = ("participant id (upn)", "参加者 id (upn)", "upn")
T_DURATION = ("in-meeting duration", "duration", "会議中の期間", "会議の長さ", "期間", "出席時間")
T_ACTION = ("user action", "ユーザー操作", "ユーザーのアクション", "アクション")
T_TIME = ("timestamp", "タイムスタンプ", "日時")


def teams_section(row: list[str]) -> str | None:
    if len(row) != 1:
        return None
    match = re.fullmatch(r"\d+\s*\.\s*(.+)", row[0])
    return TEAMS_SECTIONS.get(match.group(1)) if match else None


def old_teams_header(row: list[str]) -> bool:
    return find_column(row, T_ACTION) is not None and find_column(row, T_TIME) is not None


def teams_minutes(text: str) -> float:
    """'1h 5m 3s', '45m 10s', '1 時間 5 分', '01:05:03' → minutes."""
    folded = fold(text)
    clock = re.fullmatch(r"(\d+):(\d{1,2}):(\d{1,2})", folded)
    if clock:
        hours, minutes, seconds = (int(part) for part in clock.groups())
        return hours * 60 + minutes + seconds / 60
    total = 0.0
    for amount, unit in re.findall(r"(\d+(?:\.\d+)?)\s*(hr|h|時間|min|m|分|sec|s|秒)", folded):
        total += float(amount) * _UNIT_MINUTES[unit]
    return total


_UNIT_MINUTES = {"h": 60.0, "hr": 60.0, "時間": 60.0, "m": 1.0, "min": 1.0, "分": 1.0}
_UNIT_MINUTES.update({"s": 1 / 60, "sec": 1 / 60, "秒": 1 / 60})


def parse_teams(rows: list[list[str]], keys: list[list[str]]) -> AttendanceReport:
    if any(old_teams_header(row) for row in keys) and not any(teams_section(r) for r in keys):
        return _parse_old_teams(rows, keys)
    report = AttendanceReport(TEAMS)
    tables: dict[str, list[tuple[list[str], list[str]]]] = {}
    headers: dict[str, list[str]] = {}
    section: str | None = None
    for row, key in zip(rows, keys, strict=True):
        found = teams_section(key)
        if found is not None:
            section = found
            continue
        if section == "summary" and len(key) >= 2:
            _summary_line(report, key[0], row[1])
        if section in (None, "summary") or not key:
            continue
        assert section is not None
        if section not in headers:
            headers[section] = key
            tables[section] = []
        else:
            tables[section].append((row, key))
    section = "activities" if tables.get("activities") else "participants"
    if section not in headers:
        raise DomainError(
            N_("The %(format)s has no “2. Participants” section. Upload the report as exported."),
            format=FORMAT_LABELS[TEAMS],
        )
    header = headers[section]
    name, email, upn = (
        find_column(header, T_NAME),
        find_column(header, T_EMAIL),
        find_column(header, T_UPN),
    )
    duration = find_column(header, T_DURATION)
    if email is None and upn is None:
        raise missing_column(TEAMS, "Email")
    if duration is None:
        raise missing_column(TEAMS, "In-Meeting Duration")
    for row, _ in tables[section]:
        address = cell(row, email) or cell(row, upn)
        report.add(address, cell(row, name), teams_minutes(cell(row, duration)))
    return report


def _summary_line(report: AttendanceReport, key: str, value: str) -> None:
    """A "1. Summary" line: the meeting's title and start time."""
    if key in TOPIC and not report.title:
        report.title = value.strip()[:200]
    elif key in START and report.started_at is None:
        report.started_at = report_time(value)


def _parse_old_teams(rows: list[list[str]], keys: list[list[str]]) -> AttendanceReport:
    """Joined/Left events per person, paired in order; an open join ends at the last event."""
    start = next(i for i, key in enumerate(keys) if old_teams_header(key))
    header = keys[start]
    name, action, when = (
        find_column(header, T_NAME),
        find_column(header, T_ACTION),
        find_column(header, T_TIME),
    )
    email = find_column(header, T_EMAIL)
    if name is None:
        raise missing_column(TEAMS, "Full Name")
    events: list[tuple[str, str, bool, datetime]] = []
    for row in rows[start + 1 :]:
        moment = report_time(cell(row, when))
        verb = fold(cell(row, action))
        if moment is None or not verb:
            continue
        joined = "join" in verb or "参加" in verb
        events.append((cell(row, name), cell(row, email), joined, moment))
    report = AttendanceReport(TEAMS)
    if not events:
        return report
    last = max(moment for *_, moment in events)
    report.started_at = min(moment for *_, moment in events)
    open_since: dict[tuple[str, str], datetime] = {}
    for person, address, joined, moment in sorted(events, key=lambda e: e[3]):
        who = (person, address)
        if joined:
            open_since.setdefault(who, moment)
        elif who in open_since:
            report.add(address, person, (moment - open_since.pop(who)).total_seconds() / 60)
    for (person, address), since in open_since.items():
        report.add(address, person, (last - since).total_seconds() / 60)
    return report
