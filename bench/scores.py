"""Score benchmark: the full recompute, one account's recompute and the dashboard on PostgreSQL.

    python -m bench scores [--scale small|full] [--runs 3]

Creates the database kizuna_bench_scores (UTF-8), migrates it and generates the data in SQL
(generate_series: accounts, customer members, signals spread over the last 400 days with the
real kind mix). Then it times, as medians of repeated runs:
- the full pass `recompute_scores(snapshot=True)` (the nightly job) — the first run, which
  inserts every score row, is reported on its own;
- the incremental recompute of one account (what each signal queues);
- the staff dashboard page and the silent-accounts page through the ASGI app in-process
  (httpx ASGITransport, a signed-in CSM), which excludes network and server overhead;
- the full pass again at half the signals, to show it grows at most linearly.
Full scale: 10,000 accounts, 100,000 members, 2,000,000 signals.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from bench.harness import PASSWORD, fresh_database, in_process_env, psql

DB_NAME = "kizuna_bench_scores"

# Kind mix of a lively community: visits dominate, attendance is rarer.
KINDS = (
    ["daily_visit"] * 50
    + ["reaction_received"] * 15
    + ["reply_created"] * 12
    + ["topic_created"] * 6
    + ["answer_accepted"] * 2
    + ["event_registered"] * 7
    + ["webinar_attended"] * 4
    + ["mokumoku_attended"] * 2
    + ["event_no_show"] * 2
)


def generate_people(accounts: int, members: int) -> None:
    psql(
        f"""INSERT INTO accounts_account (name, arr, plan, touch_tier, allow_self_signup,
               score_self_view, active, created_at, updated_at)
           SELECT 'ベンチ株式会社' || g, (g * 7919 % 30000) * 1000,
                  'Business', (ARRAY['high','low','tech'])[1 + g % 3], false, false, true,
                  now() - interval '2 years', now()
           FROM generate_series(1, {int(accounts)}) g;
           INSERT INTO accounts_member (email, display_name, handle, role, account, timezone,
               email_notifications, reengagement_opt_out, active, created_at)
           SELECT 'm' || g || '@bench.example', '利用者 ' || g, 'm' || g, 'customer',
                  (SELECT min(id) FROM accounts_account) + g % {int(accounts)}, 'Asia/Tokyo',
                  true, false, true, now()
           FROM generate_series(1, {int(members)}) g;""",
        DB_NAME,
    )


def generate_signals(signals: int) -> None:
    """`signals` rows: member g % members (account follows the member), kind from the mix,
    occurred uniformly over the last 400 days (some beyond the 365-day look-back)."""
    kinds = "ARRAY[" + ",".join(f"'{k}'" for k in KINDS) + "]"
    psql(
        f"""TRUNCATE engagement_signal RESTART IDENTITY;
           CREATE TEMP TABLE bench_members AS
             SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, account
             FROM accounts_member WHERE role = 'customer';
           CREATE INDEX ON bench_members (n);
           INSERT INTO engagement_signal (account, member, kind, occurred_at, value, source,
               dedupe_key, created_at)
           SELECT m.account, m.id, ({kinds})[1 + (g * 31 % {len(KINDS)})],
                  now() - (g * 7 % 34560000) * interval '1 second', 1, 'bench', 'b:' || g, now()
           FROM generate_series(1, {int(signals)}) g
           JOIN bench_members m ON m.n = g % (SELECT count(*) FROM bench_members);
           ANALYZE;""",
        DB_NAME,
    )


async def timed(coro_factory: Any, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        await coro_factory()
        out.append(round((time.perf_counter() - start) * 1000, 1))
    return out


async def bench(accounts: int, members: int, signals: int, runs: int) -> dict[str, Any]:
    import logging

    import httpx

    from accounts.services import create_member
    from app import create_app
    from core import database
    from core.database import fetch
    from engagement.recompute import recompute_scores
    from settings import get_settings

    logging.getLogger("httpx").setLevel(logging.WARNING)
    settings = get_settings()
    await database.prepare(settings)
    await database.migrate()
    await database.close()
    application = create_app(settings)
    results: dict[str, Any] = {}
    async with application.lifespan():
        started = time.perf_counter()
        generate_people(accounts, members)
        generate_signals(signals)
        results["generate_s"] = round(time.perf_counter() - started, 1)
        csm = await create_member(
            email="csm@bench.example",
            display_name="ベンチ CSM",
            role="csm",
            account_id=None,
            password=PASSWORD,
        )
        await fetch("UPDATE accounts_account SET owner = {} WHERE id % 10 = 0", csm.id)

        async def full() -> None:
            await recompute_scores(settings, snapshot=True)

        first = await timed(full, 1)
        results["full_recompute_first_ms"] = first[0]
        times = await timed(full, runs)
        results["full_recompute_ms"] = {"median": statistics.median(times), "runs": times}
        [row] = await fetch("SELECT min(id) + {} AS id FROM accounts_account", accounts // 2)
        one = int(row["id"])

        async def incremental() -> None:
            await recompute_scores(settings, account_id=one)

        times = await timed(incremental, 20)
        results["incremental_recompute_ms"] = {"median": statistics.median(times), "runs": times}

        transport = httpx.ASGITransport(app=application, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.local") as http:
            await http.get("/login")
            token = http.cookies.get("kizuna_csrf")
            login = await http.post(
                "/login",
                data={"email": "csm@bench.example", "password": PASSWORD, "_csrf_token": token},
            )
            assert login.status_code == 303, login.text
            pages = {
                "dashboard_page_ms": "/staff/engagement",
                "dashboard_red_by_last_activity_ms": (
                    "/staff/engagement?band=red&sort=last_activity&dir=desc"
                ),
                "dashboard_page_40_ms": "/staff/engagement?page=40",
                "silent_accounts_page_ms": "/staff/engagement/silent?days=3",
                "account_page_ms": f"/staff/engagement/accounts/{one}",
                "portfolio_page_ms": "/staff/engagement/portfolio",
            }
            for name, path in pages.items():
                response = await http.get(path)
                assert response.status_code == 200 and "ベンチ" in response.text, path

                async def get(path: str = path) -> None:
                    await http.get(path)

                times = await timed(get, 15)
                results[name] = {"median": statistics.median(times), "runs": times}

        half = signals // 2
        generate_signals(half)
        await full()  # settle the rows to this ledger before timing
        times = await timed(full, runs)
        results[f"full_recompute_ms_at_{half}_signals"] = {
            "median": statistics.median(times),
            "runs": times,
        }
        big = results["full_recompute_ms"]["median"]
        small = results[f"full_recompute_ms_at_{half}_signals"]["median"]
        results["full_recompute_growth_ratio"] = round(big / small, 2)
    return results


def run(accounts: int, members: int, signals: int, runs: int) -> dict[str, Any]:
    fresh_database(DB_NAME)
    in_process_env(DB_NAME)
    results = asyncio.run(bench(accounts, members, signals, runs))
    return {
        "parameters": {"accounts": accounts, "members": members, "signals": signals, "runs": runs},
        "results": results,
    }
