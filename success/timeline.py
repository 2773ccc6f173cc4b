"""One timeline per account: touches with notes, homework and its status, tasks, events
attended and missed, forum activity (grouped per day), score band changes and alerts — newest
first, filterable by kind, paged.

Each source is one query for the entries older than the page's cursor (at most a page of
each); the page is the newest of their union. The cursor is the last entry's (moment, key),
so entries sharing a moment are neither repeated nor skipped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from core.database import fetch
from core.errors import DomainError
from core.i18n import N_
from core.subjects import Resolver, subject_links
from engagement.dashboard import as_date, as_datetime
from engagement.kinds import KIND_LABELS, SignalKind
from success.triggers import TRIGGERS, Trigger

PAGE = 30
TRIGGER_NAMES = frozenset(t.value for t in Trigger)
FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)
EVENT_KINDS = (
    SignalKind.webinar_attended.value,
    SignalKind.mokumoku_attended.value,
    SignalKind.event_no_show.value,
)
FORUM_KINDS = (
    SignalKind.topic_created.value,
    SignalKind.reply_created.value,
    SignalKind.answer_accepted.value,
    SignalKind.reaction_received.value,
)


class Source(StrEnum):
    touch = "touch"
    homework = "homework"
    task = "task"
    event = "event"
    forum = "forum"
    score = "score"


SOURCE_LABELS = {
    Source.touch: N_("Touches"),
    Source.homework: N_("Homework"),
    Source.task: N_("Tasks"),
    Source.event: N_("Events"),
    Source.forum: N_("Community"),
    Source.score: N_("Score"),
}


@dataclass
class Entry:
    at: datetime
    source: str
    key: str  # unique within the timeline: its order among entries of the same moment
    what: str  # msgid of what happened
    params: dict[str, Any] = field(default_factory=dict)
    body_html: str = ""  # a touch's notes
    link: Any = None  # a SubjectLink (title, href)
    tone: str = ""  # a CSS hint: good, bad

    @property
    def sort_key(self) -> tuple[datetime, str]:
        return (self.at, self.key)


@dataclass(frozen=True)
class Context:
    resolvers: Mapping[str, Resolver]  # how other domains name their subjects (event titles)
    zone: ZoneInfo  # the vendor's: forum activity is grouped by its days


@dataclass(frozen=True)
class Page:
    entries: list[Entry]
    next_cursor: str | None


def encode(entry: Entry) -> str:
    return f"{entry.at.astimezone(UTC).isoformat()}|{entry.key}"


def decode(cursor: str | None) -> tuple[datetime, str]:
    if not cursor:
        return FAR_FUTURE, ""
    try:
        moment, _, key = cursor.partition("|")
        parsed = datetime.fromisoformat(moment)
        if parsed.tzinfo is None or len(key) > 60:
            raise ValueError(cursor)
        return parsed, key
    except ValueError as exc:
        raise DomainError(
            N_("This page link is not valid. Start again from the first page.")
        ) from exc


async def timeline(
    account_id: int,
    resolvers: Mapping[str, Resolver],
    zone: str,
    *,
    sources: set[str] | None = None,
    cursor: str | None = None,
    limit: int = PAGE,
) -> Page:
    """A page of the account's timeline, newest first."""
    before, before_key = decode(cursor)
    wanted = sources or {s.value for s in Source}
    entries: list[Entry] = []
    context = Context(resolvers, ZoneInfo(zone))
    for source, loader in LOADERS.items():
        if source.value in wanted:
            entries += await loader(account_id, before, limit + 1, context)
    entries = [e for e in entries if e.sort_key < (before, before_key)]
    entries.sort(key=lambda e: e.sort_key, reverse=True)
    page = entries[:limit]
    more = len(entries) > limit
    return Page(page, encode(page[-1]) if more and page else None)


async def _touches(account_id: int, before: datetime, limit: int, _: Context) -> list[Entry]:
    rows = await fetch(
        "SELECT t.id, t.kind, t.outcome, t.occurred_at, t.duration_minutes, t.title, "
        "t.notes_html, t.next_step, m.display_name AS author FROM success_touch t "
        "LEFT JOIN accounts_member m ON m.id = t.created_by "
        "WHERE t.account = {} AND t.occurred_at <= {} ORDER BY t.occurred_at DESC LIMIT {}",
        account_id,
        before,
        limit,
    )
    return [
        Entry(
            at=_moment(row["occurred_at"]),
            source=Source.touch,
            key=f"touch:{row['id']:012d}",
            what=N_("%(kind)s, %(minutes)s min: %(title)s")
            if row["outcome"] == "held"
            else N_("%(kind)s missed by the customer: %(title)s"),
            params={
                "kind_code": row["kind"],
                "minutes": row["duration_minutes"],
                "title": row["title"],
                "next_step": row["next_step"],
                "author": row["author"] or "",
                "touch_id": row["id"],
            },
            body_html=row["notes_html"] or "",
            tone="" if row["outcome"] == "held" else "bad",
        )
        for row in rows
    ]


async def _homework(account_id: int, before: datetime, limit: int, _: Context) -> list[Entry]:
    rows = await fetch(
        "SELECT h.id, h.assigned_at, h.completed_at, h.due_on, i.title, m.display_name AS member "
        "FROM success_homework h JOIN content_item i ON i.id = h.item "
        "JOIN accounts_member m ON m.id = h.member WHERE h.account = {} "
        "AND COALESCE(h.completed_at, h.assigned_at) <= {} "
        "ORDER BY COALESCE(h.completed_at, h.assigned_at) DESC LIMIT {}",
        account_id,
        before,
        limit,
    )
    found = []
    for row in rows:
        done = row["completed_at"] is not None
        found.append(
            Entry(
                at=_moment(row["completed_at"] if done else row["assigned_at"]),
                source=Source.homework,
                key=f"homework:{row['id']:012d}",
                what=N_("%(member)s did the homework “%(title)s”")
                if done
                else N_("Homework “%(title)s” for %(member)s, due %(due)s"),
                params={
                    "member": row["member"],
                    "title": row["title"],
                    "due": as_date(row["due_on"]).isoformat(),
                },
                tone="good" if done else "",
            )
        )
    return found


async def _tasks(account_id: int, before: datetime, limit: int, _: Context) -> list[Entry]:
    rows = await fetch(
        "SELECT t.id, t.reason, t.title, t.status, t.created_at, t.done_at, "
        "m.display_name AS assignee FROM success_task t "
        "LEFT JOIN accounts_member m ON m.id = t.assignee WHERE t.account = {} "
        "AND COALESCE(t.done_at, t.created_at) <= {} "
        "ORDER BY COALESCE(t.done_at, t.created_at) DESC LIMIT {}",
        account_id,
        before,
        limit,
    )
    found = []
    for row in rows:
        done = row["status"] == "done" and row["done_at"] is not None
        found.append(
            Entry(
                at=_moment(row["done_at"] if done else row["created_at"]),
                source=Source.task,
                key=f"task:{row['id']:012d}",
                what=N_("Task done: %(title)s") if done else N_("Task for %(assignee)s: %(title)s"),
                params={
                    "title": row["title"],
                    "label": TRIGGERS[Trigger(row["reason"])].label
                    if row["reason"] in TRIGGER_NAMES
                    else "",
                    "reason": row["reason"],
                    "assignee": row["assignee"] or "—",
                    "task_id": row["id"],
                },
                tone="good" if done else "",
            )
        )
    return found


async def _events(account_id: int, before: datetime, limit: int, context: Context) -> list[Entry]:
    rows = await _signals(account_id, EVENT_KINDS, before, limit)
    links = await subject_links(context.resolvers, "registration", [r["subject_id"] for r in rows])
    return [
        Entry(
            at=_moment(row["occurred_at"]),
            source=Source.event,
            key=f"signal:{row['id']:012d}",
            what=N_("%(member)s: %(what)s"),
            params={"member": row["member_name"] or "", "what": KIND_LABELS[row["kind"]]},
            link=links.get(row["subject_id"]),
            tone="bad" if row["kind"] == SignalKind.event_no_show.value else "good",
        )
        for row in rows
    ]


async def _forum(account_id: int, before: datetime, limit: int, context: Context) -> list[Entry]:
    """Forum signals grouped per day (the vendor's): one entry a day with each kind's count."""
    rows = await _signals(account_id, FORUM_KINDS, before, limit * 20)
    days: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    last: dict[date, datetime] = {}
    for row in rows:
        moment = _moment(row["occurred_at"])
        day = moment.astimezone(context.zone).date()
        days[day][row["kind"]] += 1
        last[day] = max(last.get(day, moment), moment)
    return [
        Entry(
            at=last[day],
            source=Source.forum,
            key=f"forum:{day.isoformat()}",
            what=N_("Community activity"),
            params={"counts": {KIND_LABELS[k]: n for k, n in sorted(counts.items())}},
        )
        for day, counts in sorted(days.items(), reverse=True)[:limit]
    ]


async def _scores(account_id: int, before: datetime, limit: int, _: Context) -> list[Entry]:
    alerts = await fetch(
        "SELECT id, kind, score, created_at FROM engagement_score_alert "
        "WHERE account = {} AND created_at <= {} ORDER BY created_at DESC LIMIT {}",
        account_id,
        before,
        limit,
    )
    changes = await fetch(
        "SELECT id, day, band, previous FROM (SELECT id, day, band, LAG(band) OVER "
        "(ORDER BY day) AS previous FROM engagement_score_snapshot WHERE account = {}) s "
        "WHERE previous IS NOT NULL AND previous <> band AND day <= {} "
        "ORDER BY day DESC LIMIT {}",
        account_id,
        before.date(),
        limit,
    )
    entries = [
        Entry(
            at=_moment(row["created_at"]),
            source=Source.score,
            key=f"alert:{row['id']:012d}",
            what=N_("Alert: %(what)s (score %(score)s)"),
            params={"alert": row["kind"], "score": round(float(row["score"]), 1)},
            tone="bad",
        )
        for row in alerts
    ]
    entries += [
        Entry(
            at=datetime.combine(as_date(row["day"]), time(18, 0), UTC),
            source=Source.score,
            key=f"band:{row['id']:012d}",
            what=N_("The band changed from %(old)s to %(new)s"),
            params={"old": row["previous"], "new": row["band"]},
            tone="good" if row["band"] == "green" else "bad" if row["band"] == "red" else "",
        )
        for row in changes
    ]
    return entries


async def _signals(
    account_id: int, kinds: tuple[str, ...], before: datetime, limit: int
) -> list[dict[str, Any]]:
    return await fetch(
        "SELECT s.id, s.kind, s.occurred_at, s.subject_id, m.display_name AS member_name "  # noqa: S608
        "FROM engagement_signal s LEFT JOIN accounts_member m ON m.id = s.member "
        f"WHERE s.account = {{}} AND s.kind IN ({', '.join('{}' for _ in kinds)}) "
        "AND s.occurred_at <= {} ORDER BY s.occurred_at DESC LIMIT {}",
        account_id,
        *kinds,
        before,
        limit,
    )


def _moment(value: Any) -> datetime:
    moment = as_datetime(value)
    assert moment is not None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


LOADERS = {
    Source.touch: _touches,
    Source.homework: _homework,
    Source.task: _tasks,
    Source.event: _events,
    Source.forum: _forum,
    Source.score: _scores,
}
