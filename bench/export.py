"""Benchmark: Salesforce CSV export and a full API pull of 10k/50k/100k account scores (PostgreSQL).

    python -m bench export [--scale small|full] [--runs 3]

Seeds accounts and current scores set-based (generate_series), then per size: the export's
wall time (median of 3) and its peak Python memory (tracemalloc, separate run), and the time
of a full pull through GET /api/v1/scores at limit=1000 with an API token. Flat memory across
sizes shows the export streams.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import tracemalloc
from typing import Any

from bench.harness import fresh_database, in_process_env

DB_NAME = "kizuna_bench_export"


async def seed(count: int) -> None:
    """Exactly `count` accounts with a CRM id and a current score, written in two statements."""
    from core.database import fetch

    await fetch('TRUNCATE "accounts_account" RESTART IDENTITY CASCADE')
    await fetch(
        """INSERT INTO accounts_account (name, crm_external_id, arr, plan, touch_tier, owner,
               allow_self_signup, score_self_view, active, created_at, updated_at)
           SELECT 'ベンチ株式会社' || n, '001BENCH' || lpad(n::text, 10, '0'), 1000000, 'Business',
                  'low', NULL, false, false, true, now(), now()
           FROM generate_series(1, {}) AS n""",
        count,
    )
    await fetch(seed_scores_sql())


def seed_scores_sql() -> str:
    from engagement.tables import AccountScore

    table = AccountScore._meta.tablename
    return f"""INSERT INTO "{table}" (account, score, band, trend, community, events, breadth,
                   recency, last_activity_at, explanation, updated_at)
               SELECT id, (id % 100)::float, (ARRAY['red','yellow','green'])[id % 3 + 1], 'same',
                      (id % 90)::float, (id % 80)::float, (id % 70)::float, (id % 60)::float,
                      now() - (id % 200) * interval '1 hour', jsonb_build_object(),
                      timestamp '2026-01-01' + id * interval '1 second'
               FROM accounts_account"""


async def export_once(settings: Any) -> int:
    from crm.files.export import prepare_export

    prepared = await prepare_export("salesforce", settings)
    size = 0
    async for _, chunk in prepared.parts(settings.crm_export_part_max_bytes):
        size += len(chunk)
    return size


async def measure_export(settings: Any, runs: int) -> dict[str, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        size = await export_once(settings)
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    await export_once(settings)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"seconds": statistics.median(times), "peak_mib": peak / 2**20, "bytes": size}


async def measure_pull(app: Any, secret: str, runs: int) -> dict[str, float]:
    import httpx

    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    times, pages, items = [], 0, 0
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for _ in range(runs):
            pages = items = 0
            params: dict[str, Any] = {"limit": 1000}
            started = time.perf_counter()
            while True:
                response = await client.get(
                    "/api/v1/scores", params=params, headers={"Authorization": f"Bearer {secret}"}
                )
                page = response.json()
                pages += 1
                items += len(page["items"])
                params["cursor"] = page["next_cursor"]
                if not page["has_more"]:
                    break
            times.append(time.perf_counter() - started)
    return {"seconds": statistics.median(times), "pages": pages, "items": items}


async def measure(sizes: list[int], runs: int) -> dict[str, Any]:
    from app import create_app
    from core import database
    from settings import get_settings

    settings = get_settings().model_copy(
        update={"scores_api_settle_seconds": 0.0, "api_token_rate_limit_per_minute": 10**9}
    )
    await database.prepare(settings)
    await database.migrate()
    app = create_app(settings)
    results: dict[str, Any] = {"sizes": {}}
    async with app.lifespan():
        for size in sizes:
            await seed(size)
            secret = await make_token()
            export = await measure_export(settings, runs)
            pull = await measure_pull(app, secret, runs)
            results["sizes"][str(size)] = {"export": export, "pull": pull}
            print(
                f"{size:>7,} accounts: export {export['seconds']:.2f} s, peak "
                f"{export['peak_mib']:.1f} MiB, {export['bytes'] / 2**20:.1f} MiB CSV; "
                f"pull {pull['seconds']:.2f} s in {pull['pages']} pages",
                flush=True,
            )
    return results


def run(sizes: list[int], runs: int) -> dict[str, Any]:
    fresh_database(DB_NAME)
    in_process_env(DB_NAME)
    return {
        "parameters": {"accounts": sizes, "runs": runs, "target": "salesforce"},
        "results": asyncio.run(measure(sizes, runs)),
    }


async def make_token() -> str:
    from accounts.tables import Member
    from crm.pull.tokens import create_token

    admin = await Member.objects().where(Member.role == "admin").first()
    if admin is None:
        admin = Member(
            email="bench@kizuna.example", display_name="bench", handle="bench", role="admin"
        )
        await admin.save()
    return (await create_token("bench", ["scores:read"], None, admin)).secret
