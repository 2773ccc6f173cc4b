"""Backtest benchmark: the score checked against renewal outcomes, on PostgreSQL.

    python -m bench backtest [--scale small|full] [--runs 3]

Creates the database kizuna_bench_backtest (UTF-8), migrates it and generates the data in SQL
(generate_series): accounts with three customer members each, three yearly renewals per
account over the last three years (outcomes drawn so that churn falls with the score, loosely),
the score snapshots 30, 90 and 180 days before each renewal, and 12 signals per member a year
in the ledger (five kinds). Then it times, as medians of repeated runs:
- the backtest at 90 days (`renewals.backtest.backtest`): the cases, rates per band, AUC with
  its 400-resample bootstrap interval, per-kind and per-measure associations, calibration and
  the cross-validated logistic regression — beside its floor: the two bare grouped queries that
  read the cases and their signals, run in the same process;
- the statistics alone on the gathered cases (`renewals.statistics.run`).
- the leader's report (`renewals.report.report`) over the last four quarters, beside its
  floor: its one grouped query alone.
Full scale: 10,000 accounts, 30,000 renewals. The goal: the backtest and the report each under
10 s.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bench.harness import fresh_database, generated, in_process_env, psql, timed

DB_NAME = "kizuna_bench_backtest"
RENEWALS_PER_ACCOUNT = 3


def generate(accounts: int) -> None:
    """The data set, in SQL: nothing here goes through the services (that is not measured)."""
    psql(
        f"""INSERT INTO accounts_account (name, arr, plan, touch_tier, allow_self_signup,
               score_self_view, active, created_at, updated_at, contract_start)
           SELECT 'ベンチ株式会社' || g, (1 + g % 30) * 1000000, 'Business',
                  (ARRAY['high','low','low','tech','tech'])[1 + g % 5], false, false, true,
                  now() - interval '4 years', now(),
                  (current_date - 365 * {RENEWALS_PER_ACCOUNT} - 30 - g % 300)::date
           FROM generate_series(1, {int(accounts)}) g;
           INSERT INTO accounts_member (email, display_name, handle, role, account, timezone,
               email_notifications, reengagement_opt_out, active, created_at)
           SELECT 'm' || g || '@bench.example', '利用者 ' || g, 'm' || g, 'customer',
                  a.id, 'Asia/Tokyo', true, false, true, now()
           FROM accounts_account a, generate_series(1, 3) k,
                LATERAL (SELECT a.id * 3 + k AS g) n;
           CREATE TEMP TABLE level AS
             SELECT id AS account, ((id * 7919) % 1000) / 1000.0 AS p FROM accounts_account;
           INSERT INTO renewals_renewal (account, renewal_date, outcome, arr_before, arr_after,
               source, created_at, updated_at)
           SELECT a.id, (a.contract_start + 365 * y)::date,
                  CASE WHEN ((a.id * 31 + y * 17) % 100) / 100.0 < 0.35 - 0.3 * l.p
                       THEN 'churned'
                       WHEN (a.id + y) % 7 = 0 THEN 'expanded' ELSE 'renewed' END,
                  a.arr, a.arr, 'demo', now(), now()
           FROM accounts_account a JOIN level l ON l.account = a.id,
                generate_series(1, {RENEWALS_PER_ACCOUNT}) y;
           UPDATE renewals_renewal SET arr_after = 0 WHERE outcome = 'churned';
           UPDATE renewals_renewal SET arr_after = arr_before * 12 / 10 WHERE outcome = 'expanded';
           INSERT INTO engagement_score_snapshot (account, day, score, band, community, events,
               breadth, recency)
           SELECT r.account, r.renewal_date - h, s,
                  CASE WHEN s < 40 THEN 'red' WHEN s < 70 THEN 'yellow' ELSE 'green' END,
                  s, s * 0.8, s, 100 - s / 2
           FROM renewals_renewal r JOIN level l ON l.account = r.account,
                (VALUES (30), (90), (180)) v(h),
                LATERAL (SELECT round((100 * l.p * 0.7 + (r.id * 13 % 30))::numeric, 1)::float8
                         AS s) x;
           INSERT INTO engagement_signal (account, member, kind, occurred_at, value, source,
               dedupe_key, created_at)
           SELECT m.account, m.id,
                  (ARRAY['daily_visit','daily_visit','reply_created','webinar_attended',
                         'topic_created'])[1 + g % 5],
                  now() - ((g * 7919 + m.id) % ({RENEWALS_PER_ACCOUNT} * 365 * 24))
                          * interval '1 hour', 1, 'bench', 'b:' || m.id || ':' || g, now()
           FROM accounts_member m, generate_series(1, 12 * {RENEWALS_PER_ACCOUNT}) g
           WHERE m.role = 'customer';
           ANALYZE;""",
        DB_NAME,
    )


async def bench(accounts: int, runs: int) -> dict[str, Any]:
    from core import database
    from core.database import fetch
    from core.timeutil import utcnow
    from renewals.backtest import _cases_sql, _kinds_sql, backtest, gather
    from renewals.report import _rows_sql, last_quarters, report
    from renewals.statistics import run as statistics_run

    results = await generated(
        generate,
        accounts,
        "SELECT (SELECT count(*) FROM renewals_renewal) AS renewals, "
        "(SELECT count(*) FROM engagement_score_snapshot) AS snapshots, "
        "(SELECT count(*) FROM engagement_signal) AS signals",
    )
    today = utcnow().date()

    async def floor() -> None:
        await fetch(_cases_sql(90), today)
        await fetch(_kinds_sql(90), today)

    async def whole() -> None:
        result = await backtest(90, today)
        assert result.enough and result.fitted is not None

    await whole()  # warm the cache, as the floor below
    results["floor_ms"] = await timed(floor, runs)
    results["backtest_ms"] = await timed(whole, runs)
    results["backtest_vs_floor"] = round(
        results["backtest_ms"]["median"] / results["floor_ms"]["median"], 2
    )
    cases, without = await gather(90, today)
    results["cases"] = len(cases)
    current = {kind: 1.0 for kind in {k for case in cases for k in case.kinds}}

    async def stats() -> None:
        statistics_run(cases, 90, without, current)

    results["statistics_ms"] = await timed(stats, runs)
    final = await backtest(90, today)
    results["auc"] = round(final.auc or 0, 3)

    # The leader's report: one grouped query over the last four quarters' renewals and their
    # year of signals, then arithmetic in Python; its floor is that query alone.
    start = last_quarters(today)[0].start

    async def report_floor() -> None:
        await fetch(_rows_sql(), start, today)

    async def whole_report() -> None:
        result = await report(today)
        assert result.rows

    await whole_report()
    results["report_floor_ms"] = await timed(report_floor, runs)
    results["report_ms"] = await timed(whole_report, runs)
    results["report_vs_floor"] = round(
        results["report_ms"]["median"] / results["report_floor_ms"]["median"], 2
    )
    results["report_renewals"] = len((await report(today)).rows)
    results["fitted_auc"] = round(final.fitted.auc, 3) if final.fitted else None
    await database.close()
    return results


def run(accounts: int, runs: int) -> dict[str, Any]:
    fresh_database(DB_NAME)
    in_process_env(DB_NAME)
    results = asyncio.run(bench(accounts, runs))
    return {
        "parameters": {
            "accounts": accounts,
            "renewals": accounts * RENEWALS_PER_ACCOUNT,
            "runs": runs,
        },
        "results": results,
    }
