"""What a playbook watches for: each trigger finds every account that meets it now, in one
grouped query (or one pass over the mix), with what it saw as the task's reason.

A trigger is one entry of TRIGGERS: its label, what its N means (and N's default), how its
reason reads, and the query. The accounts are the active ones.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from community.moderation import unanswered_by_account
from core.database import fetch
from core.i18n import N_
from engagement.dashboard import as_date, as_datetime
from engagement.kinds import SignalKind
from success import mix
from success.schemas import MixSettings

Matches = dict[int, dict[str, Any]]
"""{account id: what the trigger saw (JSON values), for the task's reason}."""


class Trigger(StrEnum):
    score_red = "score_red"
    score_drop = "score_drop"
    silent = "silent"
    no_show_twice = "no_show_twice"
    unanswered_question = "unanswered_question"
    homework_overdue = "homework_overdue"
    renewal_near = "renewal_near"
    mix_lags = "mix_lags"


@dataclass(frozen=True)
class Situation:
    """What every trigger reads: now, the vendor's zone and the mix settings."""

    now: datetime
    zone: str
    mix_settings: MixSettings

    @property
    def today(self) -> Any:
        return mix.local_today(self.zone, self.now)


Finder = Callable[[Situation, int], Awaitable[Matches]]


@dataclass(frozen=True)
class TriggerSpec:
    label: str  # msgid
    reason: str  # msgid of the task's reason, formatted with the match's params
    finder: Finder
    threshold_label: str = ""  # msgid; empty: the trigger takes no N
    default_threshold: int | None = None


async def _score_red(situation: Situation, _: int) -> Matches:
    rows = await fetch(
        "SELECT s.account, s.score FROM engagement_account_score s "
        "JOIN accounts_account a ON a.id = s.account WHERE a.active = {} AND s.band = {}",
        True,
        "red",
    )
    return {row["account"]: {"score": float(row["score"])} for row in rows}


async def _score_drop(situation: Situation, points: int) -> Matches:
    rows = await fetch(
        "SELECT s.account, s.score, s.baseline_score FROM engagement_account_score s "
        "JOIN accounts_account a ON a.id = s.account WHERE a.active = {} "
        "AND s.baseline_score IS NOT NULL AND s.baseline_score - s.score >= {}",
        True,
        float(points),
    )
    return {
        row["account"]: {
            "score": float(row["score"]),
            "baseline": float(row["baseline_score"]),
            "drop": round(float(row["baseline_score"]) - float(row["score"]), 1),
        }
        for row in rows
    }


async def _silent(situation: Situation, days: int) -> Matches:
    cutoff = situation.now - timedelta(days=days)
    rows = await fetch(
        "SELECT a.id, s.last_activity_at, a.created_at FROM accounts_account a "
        "LEFT JOIN engagement_account_score s ON s.account = a.id WHERE a.active = {} "
        "AND ((s.last_activity_at IS NULL AND a.created_at < {}) OR s.last_activity_at < {})",
        True,
        cutoff,
        cutoff,
    )
    found: Matches = {}
    for row in rows:
        last = as_datetime(row["last_activity_at"])
        since = last or as_datetime(row["created_at"]) or situation.now
        found[row["id"]] = {"days": (situation.now - since).days, "never": last is None}
    return found


async def _no_show_twice(situation: Situation, _: int) -> Matches:
    """Members whose last two event outcomes (attended or no-show) were both no-shows."""
    outcomes = (
        SignalKind.webinar_attended.value,
        SignalKind.mokumoku_attended.value,
        SignalKind.event_no_show.value,
    )
    since = situation.now - timedelta(days=365)
    rows = await fetch(
        "SELECT account, COUNT(DISTINCT member) AS members FROM ("
        "SELECT account, member, SUM(CASE WHEN kind = {} THEN 1 ELSE 0 END) AS misses "
        "FROM (SELECT account, member, kind, ROW_NUMBER() OVER "
        "(PARTITION BY member ORDER BY occurred_at DESC, id DESC) AS rn "
        "FROM engagement_signal WHERE member IS NOT NULL AND occurred_at >= {} "
        "AND kind IN ({}, {}, {})) recent WHERE rn <= 2 GROUP BY account, member"
        ") per_member JOIN accounts_account a ON a.id = per_member.account "
        "WHERE misses = 2 AND a.active = {} GROUP BY account",
        SignalKind.event_no_show.value,
        since,
        *outcomes,
        True,
    )
    return {row["account"]: {"members": int(row["members"])} for row in rows}


async def _unanswered(situation: Situation, hours: int) -> Matches:
    found = await unanswered_by_account(situation.now - timedelta(hours=hours))
    active = await _active_ids(found)
    matches: Matches = {}
    for account, facts in found.items():
        if account not in active:
            continue
        oldest = as_datetime(facts["oldest_at"]) or situation.now
        matches[account] = {
            "count": facts["count"],
            "topic_id": facts["oldest_id"],
            "hours": int((situation.now - oldest).total_seconds() // 3600),
        }
    return matches


async def _homework_overdue(situation: Situation, days: int) -> Matches:
    due_before = situation.today - timedelta(days=days)
    rows = await fetch(
        "SELECT h.account, COUNT(*) AS n, MIN(h.due_on) AS oldest FROM success_homework h "
        "JOIN accounts_account a ON a.id = h.account WHERE a.active = {} "
        "AND h.completed_at IS NULL AND h.due_on < {} GROUP BY h.account",
        True,
        due_before,
    )
    return {
        row["account"]: {"count": int(row["n"]), "since": as_date(row["oldest"]).isoformat()}
        for row in rows
    }


async def _renewal_near(situation: Situation, days: int) -> Matches:
    today = situation.today
    rows = await fetch(
        "SELECT a.id, a.renewal_date, s.band FROM accounts_account a "
        "LEFT JOIN engagement_account_score s ON s.account = a.id WHERE a.active = {} "
        "AND a.renewal_date >= {} AND a.renewal_date <= {} "
        "AND (s.band IS NULL OR s.band <> {})",
        True,
        today,
        today + timedelta(days=days),
        "green",
    )
    return {
        row["id"]: {
            "renewal_date": as_date(row["renewal_date"]).isoformat(),
            "days": (as_date(row["renewal_date"]) - today).days,
            "band": row["band"] or "",
        }
        for row in rows
    }


async def _mix_lags(situation: Situation, _: int) -> Matches:
    found = await mix.statuses(situation.mix_settings, situation.zone, situation.now)
    return {
        status.account_id: {
            "share": round(status.share or 0.0),
            "target": round(status.target),
            "stage": status.stage.value,
        }
        for status in found
        if status.lags
    }


async def _active_ids(accounts: Matches | dict[int, Any]) -> set[int]:
    if not accounts:
        return set()
    ids = sorted(accounts)
    rows = await fetch(
        "SELECT id FROM accounts_account WHERE active = {} AND id IN ("  # noqa: S608
        + ", ".join("{}" for _ in ids)
        + ")",
        True,
        *ids,
    )
    return {row["id"] for row in rows}


TRIGGERS: dict[Trigger, TriggerSpec] = {
    Trigger.score_red: TriggerSpec(
        N_("The score turned red"),
        N_("The engagement score is red (%(score)s)."),
        _score_red,
    ),
    Trigger.score_drop: TriggerSpec(
        N_("The score fell"),
        N_("The score fell by %(drop)s points in 30 days (from %(baseline)s to %(score)s)."),
        _score_drop,
        N_("Points fallen"),
        15,
    ),
    Trigger.silent: TriggerSpec(
        N_("The account has been silent"),
        N_("No activity for %(days)s days."),
        _silent,
        N_("Days without activity"),
        30,
    ),
    Trigger.no_show_twice: TriggerSpec(
        N_("Members missed two events in a row"),
        N_("%(members)s members missed their last two events."),
        _no_show_twice,
    ),
    Trigger.unanswered_question: TriggerSpec(
        N_("A question is unanswered"),
        N_("%(count)s questions from the account unanswered, the oldest for %(hours)s hours."),
        _unanswered,
        N_("Hours without an answer"),
        24,
    ),
    Trigger.homework_overdue: TriggerSpec(
        N_("Homework is overdue"),
        N_("%(count)s homework items overdue since %(since)s."),
        _homework_overdue,
        N_("Days overdue"),
        0,
    ),
    Trigger.renewal_near: TriggerSpec(
        N_("The renewal is near and the score is not green"),
        N_("Renewal on %(renewal_date)s (in %(days)s days) while the score is not green."),
        _renewal_near,
        N_("Days before the renewal"),
        90,
    ),
    Trigger.mix_lags: TriggerSpec(
        N_("The mix lags the lifecycle stage"),
        N_("Human touch is %(share)s%% of the mix; the stage's target is %(target)s%%."),
        _mix_lags,
    ),
}


async def find_matches(trigger: str, threshold: int | None, situation: Situation) -> Matches:
    spec = TRIGGERS[Trigger(trigger)]
    value = threshold if threshold is not None else spec.default_threshold
    return await spec.finder(situation, int(value or 0))
