"""The engagement score model as pure functions; engagement/scoring_sql.py says the same in SQL.

Model (DESIGN.md, "Engagement score"), with the choices DESIGN.md leaves open:
- A signal's age is whole days since it happened, `(now − occurred_at) // 86400` on whole
  seconds, never negative; it counts while age < look-back and contributes
  `weight × 0.5^(age / half-life)`. Whole days keep the SQL and Python paths identical
  and make a day's score stable within that day.
- The weight is per signal; `value` (minutes attended…) is shown, never multiplied in: a
  ten-minute drop-in and a three-hour もくもく会 are both attendance, and a report's
  minutes would otherwise let one import outweigh months of community life.
- community = daily visits + topics, replies, accepted answers, likes received;
  events = registrations, attendances and no-shows (negative), floored at 0.
- Activity = any signal but a no-show: breadth counts active customer members with activity
  in the last 90 days; recency and "last activity" use the newest activity.
- Scores and measures are stored rounded half-up to one decimal (as PostgreSQL's
  `round(numeric, 1)`), so a score that did not move does not look updated to the CRM.
- Band, trend and the risk flag are read from the rounded score. No snapshot one trend
  window back (give or take a week) means trend "same" and no drop.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from engagement.kinds import FAMILY, NOT_ACTIVITY
from engagement.schemas import ScoringSettings

DAY_SECONDS = 86_400
ACTIVE_WINDOW_DAYS = 90
RECENCY_FULL_DAYS = 7
RECENCY_ZERO_DAYS = 90
TOP_SIGNALS = 5
BASELINE_SLACK_DAYS = 7
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_seconds(moment: datetime) -> int:
    """Whole seconds since the epoch, exactly (floor), as PostgreSQL's floor(extract(epoch))."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // timedelta(seconds=1)


def age_days(now_s: int, occurred_s: int) -> int:
    return max(0, (now_s - occurred_s) // DAY_SECONDS)


def decay(age: int, half_life_days: float) -> float:
    return float(0.5 ** (age / half_life_days))


def round_half_up(value: float, digits: int = 1) -> float:
    """Round like PostgreSQL's round(x::numeric, digits): 15 significant digits, half up."""
    quantum = Decimal(1).scaleb(-digits)
    return float(Decimal(f"{value:.15g}").quantize(quantum, rounding=ROUND_HALF_UP))


def family_measure(points: float, target: float) -> float:
    """100 · ln(1 + x) / ln(1 + target), x floored at 0, capped at 100."""
    return min(100.0, 100.0 * math.log(1.0 + max(points, 0.0)) / math.log(1.0 + target))


def breadth_measure(engaged: int, headcount: int) -> float:
    return 0.0 if headcount <= 0 else 100.0 * engaged / headcount


def recency_measure(days_since: int | None) -> float:
    """100 within 7 days, falling linearly to 0 at 90 days; 0 without any activity."""
    if days_since is None or days_since >= RECENCY_ZERO_DAYS:
        return 0.0
    if days_since <= RECENCY_FULL_DAYS:
        return 100.0
    return 100.0 * (RECENCY_ZERO_DAYS - days_since) / (RECENCY_ZERO_DAYS - RECENCY_FULL_DAYS)


def band_for(score: float, settings: ScoringSettings) -> str:
    if score < settings.red_below:
        return "red"
    return "yellow" if score < settings.green_from else "green"


def trend_for(score: float, baseline: float | None, settings: ScoringSettings) -> str:
    if baseline is None:
        return "same"
    delta = score - baseline
    if delta > settings.trend_tolerance:
        return "up"
    return "down" if delta < -settings.trend_tolerance else "same"


def dropped(score: float, baseline: float | None, settings: ScoringSettings) -> bool:
    return baseline is not None and baseline - score >= settings.alert_drop_points


def recommended_tier(arr: int, settings: ScoringSettings) -> str:
    """High touch from the high ARR band, low touch from the low band, else tech touch."""
    if arr >= settings.tier_high_arr:
        return "high"
    return "low" if arr >= settings.tier_low_arr else "tech"


def snapshot_day(as_of: datetime) -> date:
    """The day a pass at `as_of` records (UTC: the 18:00 UTC run closes the JST day)."""
    return as_of.astimezone(UTC).date()


def baseline_day(as_of: datetime, settings: ScoringSettings) -> date:
    """Newest snapshot day the trend compares against (older by up to BASELINE_SLACK_DAYS)."""
    return snapshot_day(as_of) - timedelta(days=settings.trend_window_days)


@dataclass
class KindTotal:
    count: int = 0
    decayed: float = 0.0


@dataclass
class AccountAggregate:
    """What the ledger says about one account, before the measures are taken."""

    kinds: dict[str, KindTotal] = field(default_factory=dict)
    last_activity_at: datetime | None = None
    engaged_members: int = 0
    headcount: int = 0


def aggregate_signals(
    signals: Iterable[tuple[int | None, str, datetime]],
    countable_members: set[int],
    headcount: int,
    as_of: datetime,
    settings: ScoringSettings,
) -> AccountAggregate:
    """One account's (member, kind, occurred_at) signals folded into an aggregate.

    `countable_members` are the account's active customer members (breadth counts only them).
    """
    now_s = epoch_seconds(as_of)
    agg = AccountAggregate(headcount=headcount)
    engaged: set[int] = set()
    for member, kind, occurred_at in signals:
        age = age_days(now_s, epoch_seconds(occurred_at))
        if age < settings.lookback_days:
            total = agg.kinds.setdefault(kind, KindTotal())
            total.count += 1
            total.decayed += decay(age, settings.half_life_days)
        if kind in NOT_ACTIVITY:
            continue
        if agg.last_activity_at is None or occurred_at > agg.last_activity_at:
            agg.last_activity_at = occurred_at
        if member in countable_members and age < ACTIVE_WINDOW_DAYS:
            engaged.add(member)
    agg.engaged_members = len(engaged)
    return agg


def explain(agg: AccountAggregate, settings: ScoringSettings) -> dict[str, Any]:
    """Family points and the signal kinds that weighed most (by |contribution|)."""
    points = {"community": 0.0, "events": 0.0}
    signals = []
    for kind in sorted(agg.kinds):
        total = agg.kinds[kind]
        contribution = settings.weight(kind) * total.decayed
        points[FAMILY[kind]] += contribution
        if total.count > 0:
            signals.append((kind, total.count, contribution))
    signals.sort(key=lambda item: (-abs(item[2]), item[0]))
    return {
        "community_points": round_half_up(points["community"], 2),
        "events_points": round_half_up(points["events"], 2),
        "signals": [
            {"kind": kind, "count": count, "contribution": round_half_up(value, 2)}
            for kind, count, value in signals[:TOP_SIGNALS]
        ],
        "_points": points,
    }


def score_account(
    agg: AccountAggregate,
    settings: ScoringSettings,
    as_of: datetime,
    baseline: float | None,
) -> dict[str, Any]:
    """The score-table values for one account (what the SQL computes for every account)."""
    explanation = explain(agg, settings)
    points = explanation.pop("_points")
    last = agg.last_activity_at
    days_since = None if last is None else age_days(epoch_seconds(as_of), epoch_seconds(last))
    measures = {
        "community": family_measure(points["community"], settings.community_target),
        "events": family_measure(points["events"], settings.events_target),
        "breadth": breadth_measure(agg.engaged_members, agg.headcount),
        "recency": recency_measure(days_since),
    }
    w = settings.measure_weights()
    # Same operation order as the SQL, so both paths round the same double.
    raw = (
        w["community"] * measures["community"]
        + w["events"] * measures["events"]
        + w["breadth"] * measures["breadth"]
        + w["recency"] * measures["recency"]
    )
    score = round_half_up(raw / 100.0)
    band = band_for(score, settings)
    return {
        "score": score,
        "band": band,
        "trend": trend_for(score, baseline, settings),
        **{name: round_half_up(value) for name, value in measures.items()},
        "last_activity_at": last,
        "baseline_score": baseline,
        "flagged": band == "red" or dropped(score, baseline, settings),
        "explanation": explanation,
    }
