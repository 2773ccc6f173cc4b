"""The score model in SQL: one statement per pass on PostgreSQL, aggregates on SQLite.

PostgreSQL computes every measure of every account (or of one) in a single
INSERT … SELECT … ON CONFLICT DO UPDATE with one scan of the ledger grouped by
(account, member, kind); the incremental recompute runs the very same statement with an
account filter. Decayed sums are added as numeric, so the order rows arrive in (a
sequential scan for all accounts, an index scan for one) cannot change a single bit.

SQLite may lack math functions, so it groups the ledger by (account, member, kind, age in
days) in SQL and engagement.scoring finishes the arithmetic over those rows.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from engagement.kinds import FAMILY, NOT_ACTIVITY
from engagement.schemas import ScoringSettings
from engagement.scoring import (
    ACTIVE_WINDOW_DAYS,
    BASELINE_SLACK_DAYS,
    DAY_SECONDS,
    RECENCY_FULL_DAYS,
    RECENCY_ZERO_DAYS,
    TOP_SIGNALS,
    baseline_day,
    epoch_seconds,
    snapshot_day,
)

EXPORTED = (
    "score",
    "band",
    "trend",
    "community",
    "events",
    "breadth",
    "recency",
    "last_activity_at",
)
RETURNED = (*EXPORTED, "baseline_score", "flagged", "red_alert_open", "drop_alert_open")
# The kinds that are not activity (no-shows), as an SQL list of constants.
_NOT_ACTIVITY = ", ".join(f"'{kind}'" for kind in sorted(NOT_ACTIVITY))

_PG_STATEMENT = """
WITH weights(kind, weight, family) AS (VALUES {weights}),
ledger AS (
  SELECT s.account, s.member, s.kind, s.occurred_at,
         greatest(0, ({{now}}::bigint - floor(extract(epoch FROM s.occurred_at))::bigint)
                     / {day}) AS age
  FROM engagement_signal s WHERE s.account IS NOT NULL {signal_filter}
),
per_member AS (
  SELECT account, member, kind,
         count(*) FILTER (WHERE age < {{lookback}}) AS n,
         sum(power(0.5::float8, age::float8 / {{half_life}}::float8)::numeric)
           FILTER (WHERE age < {{lookback}}) AS decayed,
         max(occurred_at) FILTER (WHERE kind NOT IN ({not_activity})) AS last_at,
         min(age) FILTER (WHERE kind NOT IN ({not_activity})) AS min_age
  FROM ledger GROUP BY account, member, kind
),
per_kind AS (
  SELECT p.account, p.kind, w.family, sum(p.n) AS n,
         w.weight::numeric * coalesce(sum(p.decayed), 0) AS c
  FROM per_member p JOIN weights w ON w.kind = p.kind
  GROUP BY p.account, p.kind, w.family, w.weight
),
families AS (
  SELECT account,
         coalesce(sum(c) FILTER (WHERE family = 'community'), 0) AS x_c,
         coalesce(sum(c) FILTER (WHERE family = 'events'), 0) AS x_e,
         (array_agg(jsonb_build_object('kind', kind, 'count', n, 'contribution', round(c, 2))
                    ORDER BY abs(c) DESC, kind) FILTER (WHERE n > 0))[1:{top}] AS top
  FROM per_kind GROUP BY account
),
activity AS (
  SELECT p.account, max(p.last_at) AS last_at,
         count(DISTINCT p.member) FILTER (
           WHERE p.min_age < {active_days} AND m.id IS NOT NULL) AS engaged
  FROM per_member p
  LEFT JOIN accounts_member m ON m.id = p.member AND m.account = p.account
       AND m.active AND m.role = 'customer'
  GROUP BY p.account
),
headcount AS (
  SELECT account, count(*) AS n FROM accounts_member
  WHERE active AND role = 'customer' AND account IS NOT NULL {member_filter}
  GROUP BY account
),
baseline AS (
  SELECT DISTINCT ON (account) account, score FROM engagement_score_snapshot
  WHERE day <= {{baseline_day}}::date AND day > {{baseline_day}}::date - {slack}
        {snapshot_filter}
  ORDER BY account, day DESC
),
measured AS (
  SELECT a.id AS account, act.last_at, b.score AS baseline, f.x_c, f.x_e, f.top,
    least(100, 100 * ln(1 + greatest(coalesce(f.x_c, 0)::float8, 0))
                   / ln(1 + {{community_target}}::float8)) AS community,
    least(100, 100 * ln(1 + greatest(coalesce(f.x_e, 0)::float8, 0))
                   / ln(1 + {{events_target}}::float8)) AS events,
    CASE WHEN coalesce(h.n, 0) = 0 THEN 0::float8
         ELSE 100::float8 * coalesce(act.engaged, 0) / h.n END AS breadth,
    CASE WHEN act.last_at IS NULL THEN 0::float8 ELSE
      (SELECT CASE WHEN d <= {full_days} THEN 100::float8 WHEN d >= {zero_days} THEN 0::float8
                   ELSE 100::float8 * ({zero_days} - d) / ({zero_days} - {full_days}) END
       FROM (SELECT greatest(0, ({{now}}::bigint
                    - floor(extract(epoch FROM act.last_at))::bigint) / {day}) AS d) AS since)
    END AS recency
  FROM accounts_account a
  LEFT JOIN families f ON f.account = a.id
  LEFT JOIN activity act ON act.account = a.id
  LEFT JOIN headcount h ON h.account = a.id
  LEFT JOIN baseline b ON b.account = a.id
  WHERE TRUE {account_filter}
),
scored AS (
  SELECT m.*, round(((
      {{w_community}}::float8 * community + {{w_events}}::float8 * events
      + {{w_breadth}}::float8 * breadth + {{w_recency}}::float8 * recency) / 100)::numeric, 1
    )::float8 AS score
  FROM measured m
),
final AS (
  SELECT account, score, last_at, baseline, top, x_c, x_e,
    CASE WHEN score < {{red_below}}::float8 THEN 'red'
         WHEN score < {{green_from}}::float8 THEN 'yellow' ELSE 'green' END AS band,
    CASE WHEN baseline IS NULL THEN 'same'
         WHEN score - baseline > {{tolerance}}::float8 THEN 'up'
         WHEN score - baseline < -{{tolerance}}::float8 THEN 'down' ELSE 'same' END AS trend,
    coalesce(baseline - score >= {{drop}}::float8, false) AS dropped,
    round(community::numeric, 1)::float8 AS community,
    round(events::numeric, 1)::float8 AS events,
    round(breadth::numeric, 1)::float8 AS breadth,
    round(recency::numeric, 1)::float8 AS recency
  FROM scored
),
old AS (
  SELECT account, {old_columns}, updated_at FROM engagement_account_score
  WHERE TRUE {old_filter}
),
upserted AS (
  INSERT INTO engagement_account_score AS t (
    account, score, band, trend, community, events, breadth, recency, last_activity_at,
    baseline_score, flagged, explanation, config_version, red_alert_open, drop_alert_open,
    computed_at, updated_at)
  SELECT account, score, band, trend, community, events, breadth, recency, last_at,
    baseline, band = 'red' OR dropped,
    jsonb_build_object('community_points', round(coalesce(x_c, 0), 2),
                       'events_points', round(coalesce(x_e, 0), 2),
                       'signals', coalesce(to_jsonb(top), '[]'::jsonb)),
    {{version}}::integer, band = 'red', dropped, {{computed_at}}::timestamptz,
    {{computed_at}}::timestamptz
  FROM final
  ON CONFLICT (account) DO UPDATE SET
    {update_set},
    updated_at = CASE WHEN ({t_exported}) IS DISTINCT FROM ({excluded_exported})
                 THEN EXCLUDED.updated_at ELSE t.updated_at END
  RETURNING t.account, {t_returned}, t.updated_at
){snapshot_cte}
SELECT u.*, to_jsonb(o) AS old FROM upserted u LEFT JOIN old o ON o.account = u.account
WHERE o.account IS NULL
   OR ({u_changed}) IS DISTINCT FROM ({o_changed})
"""

_SNAPSHOT_CTE = """,
snapshot AS (
  INSERT INTO engagement_score_snapshot
    (account, day, score, band, community, events, breadth, recency)
  SELECT account, {day}::date, score, band, community, events, breadth, recency FROM upserted
  ON CONFLICT (account, day) DO UPDATE SET score = EXCLUDED.score, band = EXCLUDED.band,
    community = EXCLUDED.community, events = EXCLUDED.events, breadth = EXCLUDED.breadth,
    recency = EXCLUDED.recency
)"""


def _statement_text(one_account: bool, snapshot: bool) -> str:
    updatable = (*RETURNED, "explanation", "config_version", "computed_at")
    changed = (*EXPORTED, "red_alert_open", "drop_alert_open")
    weights = ", ".join("({}::text, {}::float8, {}::text)" for _ in FAMILY)
    return _PG_STATEMENT.format(
        weights=weights,
        day=DAY_SECONDS,
        not_activity=_NOT_ACTIVITY,
        top=TOP_SIGNALS,
        active_days=ACTIVE_WINDOW_DAYS,
        slack=BASELINE_SLACK_DAYS,
        full_days=RECENCY_FULL_DAYS,
        zero_days=RECENCY_ZERO_DAYS,
        signal_filter="AND s.account = {account}" if one_account else "",
        member_filter="AND account = {account}" if one_account else "",
        snapshot_filter="AND account = {account}" if one_account else "",
        account_filter="AND a.id = {account}" if one_account else "",
        old_filter="AND account = {account}" if one_account else "",
        old_columns=", ".join(RETURNED),
        update_set=", ".join(f"{c} = EXCLUDED.{c}" for c in updatable),
        t_exported=", ".join(f"t.{c}" for c in EXPORTED),
        excluded_exported=", ".join(f"EXCLUDED.{c}" for c in EXPORTED),
        t_returned=", ".join(f"t.{c}" for c in RETURNED),
        u_changed=", ".join(f"u.{c}" for c in changed),
        o_changed=", ".join(f"o.{c}" for c in changed),
        snapshot_cte=_SNAPSHOT_CTE.format(day="{snapshot_day}") if snapshot else "",
    )


def pg_score_statement(
    settings: ScoringSettings,
    *,
    as_of: datetime,
    computed_at: datetime,
    version: int | None,
    account_id: int | None,
    snapshot: bool,
) -> tuple[str, list[Any]]:
    """(sql, args) upserting the scores (of one account, or all) and returning the changes.

    Each returned row is an account whose exported fields or alert states changed (or that
    had no score yet), with its previous row as JSON in `old` (null for a first score).
    """
    named: dict[str, Any] = {
        "now": epoch_seconds(as_of),
        "lookback": settings.lookback_days,
        "half_life": settings.half_life_days,
        "baseline_day": baseline_day(as_of, settings),
        "community_target": settings.community_target,
        "events_target": settings.events_target,
        **{f"w_{k}": v for k, v in settings.measure_weights().items()},
        "red_below": settings.red_below,
        "green_from": settings.green_from,
        "tolerance": settings.trend_tolerance,
        "drop": settings.alert_drop_points,
        "version": version,
        "computed_at": computed_at,
        "account": account_id,
        "snapshot_day": snapshot_day(as_of),
    }
    text = _statement_text(account_id is not None, snapshot)
    args: list[Any] = []
    for kind, family in FAMILY.items():
        args += [str(kind), settings.weight(kind), family]
    # Name the placeholders, then hand Piccolo positional `{}` with the values in order.
    order: list[str] = []
    for name in sorted(named, key=len, reverse=True):
        text = text.replace("{" + name + "}", f"\x00{name}\x00")
    pieces = text.split("\x00")
    out = []
    for index, piece in enumerate(pieces):
        if index % 2:
            order.append(piece)
            out.append("{}")
        else:
            out.append(piece)
    return "".join(out), args + [named[name] for name in order]


def sqlite_ledger_query(account_id: int | None, as_of: datetime) -> tuple[str, list[Any]]:
    """Signals grouped by (account, member, kind, age in days), ordered, for Python to finish."""
    where = "AND s.account = {}" if account_id is not None else ""
    sql = f"""
        SELECT s.account AS account, s.member AS member, s.kind AS kind,
               max(0, ({{}} - CAST(strftime('%s', s.occurred_at) AS INTEGER)) / {DAY_SECONDS})
                 AS age,
               count(*) AS n, max(s.occurred_at) AS last_at,
               (m.id IS NOT NULL) AS countable
        FROM engagement_signal s
        LEFT JOIN accounts_member m ON m.id = s.member AND m.account = s.account
             AND m.active AND m.role = 'customer'
        WHERE s.account IS NOT NULL {where}
        GROUP BY s.account, s.member, s.kind, age
        ORDER BY s.account, s.member, s.kind, age
    """  # noqa: S608 - only constants are interpolated
    args: list[Any] = [epoch_seconds(as_of)]
    if account_id is not None:
        args.append(account_id)
    return sql, args


def baseline_window(as_of: datetime, settings: ScoringSettings) -> tuple[date, date]:
    """(first excluded day, last included day) of the snapshots a trend may compare with."""
    last = baseline_day(as_of, settings)
    return last - timedelta(days=BASELINE_SLACK_DAYS), last
