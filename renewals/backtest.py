"""The backtest's data: for each renewal up to a day, the account's score snapshot N days
before it and its signals of each kind in the window before that — two grouped queries for
every renewal, never one per account — and the suggested weights applied as a new version.

A renewal is a case when the account has a snapshot within SNAPSHOT_SLACK_DAYS before T−N
(the newest one): a score the CSM could have seen then. Signals count in the WINDOW_DAYS before
T−N, the same window the score's breadth uses.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

from core.database import fetch, is_postgres
from core.errors import Conflict, DomainError
from core.i18n import N_
from engagement.config_service import save_config
from engagement.scoring import ACTIVE_WINDOW_DAYS
from engagement.versions import current_config
from renewals.statistics import MEASURES, Backtest, Case, run

HORIZONS = (30, 90, 180)
DEFAULT_HORIZON = 90
SNAPSHOT_SLACK_DAYS = 7
WINDOW_DAYS = ACTIVE_WINDOW_DAYS


def _day_minus(column: str, days: int) -> str:
    """SQL: the date `days` before a date column (dates are ISO text on SQLite)."""
    if is_postgres():
        return f"({column} - {days})"
    return f"date({column}, '-{days} days')"


def _moment(day_sql: str) -> str:
    """SQL: midnight UTC of a date, comparable with a timestamptz column."""
    if is_postgres():
        return f"({day_sql})::timestamp AT TIME ZONE 'UTC'"
    return day_sql  # '2026-01-01' sorts before '2026-01-01 00:00:00+00:00' and after the day before


def _cases_sql(horizon: int) -> str:
    target = _day_minus("r.renewal_date", horizon)
    earliest = _day_minus("r.renewal_date", horizon + SNAPSHOT_SLACK_DAYS)
    # Only integers from code enter the text (the horizon); the day is a parameter.
    return (
        "SELECT r.id, r.account, r.outcome, r.arr_before, a.touch_tier, "  # noqa: S608
        "sn.score, sn.band, sn.community, sn.events, sn.breadth, sn.recency "
        "FROM renewals_renewal r JOIN accounts_account a ON a.id = r.account "
        "LEFT JOIN engagement_score_snapshot sn ON sn.id = ("
        "  SELECT s2.id FROM engagement_score_snapshot s2 WHERE s2.account = r.account "
        f"  AND s2.day <= {target} AND s2.day >= {earliest} ORDER BY s2.day DESC LIMIT 1) "
        "WHERE r.renewal_date <= {} ORDER BY r.id"
    )


def _kinds_sql(horizon: int) -> str:
    until = _moment(_day_minus("r.renewal_date", horizon))
    since = _moment(_day_minus("r.renewal_date", horizon + WINDOW_DAYS))
    return (
        "SELECT r.id, s.kind, count(*) AS n FROM renewals_renewal r "  # noqa: S608
        "JOIN engagement_signal s ON s.account = r.account "
        f"AND s.occurred_at >= {since} AND s.occurred_at < {until} "
        "WHERE r.renewal_date <= {} GROUP BY r.id, s.kind"
    )


async def gather(horizon: int, as_of: date) -> tuple[list[Case], int]:
    """The cases for renewals up to `as_of`, and how many renewals had no snapshot."""
    rows = await fetch(_cases_sql(horizon), as_of)
    kinds: dict[int, dict[str, int]] = {}
    for row in await fetch(_kinds_sql(horizon), as_of):
        kinds.setdefault(int(row["id"]), {})[str(row["kind"])] = int(row["n"])
    cases = [
        Case(
            renewal_id=int(row["id"]),
            account_id=int(row["account"]),
            outcome=str(row["outcome"]),
            tier=str(row["touch_tier"]),
            arr_before=int(row["arr_before"]),
            score=float(row["score"]),
            band=str(row["band"]),
            measures={name: float(row[name]) for name in MEASURES},
            kinds=kinds.get(int(row["id"]), {}),
        )
        for row in rows
        if row["score"] is not None
    ]
    return cases, len(rows) - len(cases)


async def backtest(horizon: int, as_of: date) -> Backtest:
    """The backtest of the scoring version in force, on renewals up to `as_of`."""
    if horizon not in HORIZONS:
        raise DomainError(N_("Choose 30, 90 or 180 days."), field_errors={"days": ""})
    _, settings = await current_config()
    cases, without = await gather(horizon, as_of)
    return run(cases, horizon, without, settings.weights())


def weights_digest(weights: dict[str, float]) -> str:
    """A short fingerprint of suggested weights: the apply form carries the one it showed."""
    text = json.dumps(sorted(weights.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


async def apply_suggested(horizon: int, as_of: date, digest: str, member_id: int) -> int:
    """Save the suggested weights as a new scoring version (the rest of the configuration
    unchanged); refused when the suggestion is no longer the one the admin saw."""
    result = await backtest(horizon, as_of)
    if result.fitted is None:
        raise Conflict(N_("There is too little history to suggest weights."))
    if weights_digest(result.fitted.weights) != digest:
        raise Conflict(N_("The suggestion changed since the page was shown. Review it again."))
    _, settings = await current_config()
    updated = settings.model_copy(
        update={f"weight_{kind}": value for kind, value in result.fitted.weights.items()}
    )
    return await save_config(updated, member_id)
