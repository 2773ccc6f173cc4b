"""Registration burst: 1,000 members click "register" for a 50-seat first-come event at once.

    python -m bench burst [--scale small|full] [--runs 3]

Creates the database kizuna_bench_burst with the members (10 per account), serves the app
with two granian workers, and signs every member in through the login form beforehand (a few
at a time: the cost is the password hash), each with its own session and CSRF cookie. Each run
publishes a fresh event and fires every member's POST /events/<id>/register — the form the
event page submits — at the same moment over `concurrency` sockets. It records the attempts
per second and the latency of each attempt, then reads the outcome from the database: it must
be exactly `seats` confirmed with distinct check-in codes and the rest waitlisted in positions
1..n, one registration and one signal per member, and every answer the page's 303.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from bench.data import create_csm, create_customers, create_event, open_database
from bench.harness import (
    APP_PROCESSES,
    PORT,
    cookie_header,
    cpu_seconds,
    production_stack,
    serving,
    sign_in_many,
    worker_rss_mb,
)

DB_NAME = "kizuna_bench_burst"
PER_ACCOUNT = 10
SIGN_IN_PARALLEL = 4


async def register_once(client: Any, event_id: int, jar: dict[str, str]) -> str:
    """One member's click on the event page's register button; "303" when answered as the
    page answers (back to the event page), else the status and where it led."""
    response = await client.post(
        f"/events/{event_id}/register",
        data={"_csrf_token": jar["kizuna_csrf"]},
        headers={"Cookie": cookie_header(jar)},
    )
    location = response.headers.get("location")
    if response.status_code == 303 and location == f"/events/{event_id}":
        return "303"
    return f"{response.status_code} {location or ''}".strip()


async def fire(event_id: int, jars: list[dict[str, str]], concurrency: int) -> dict[str, Any]:
    """Every member's registration at once, `concurrency` in flight; throughput and latency."""
    import httpx

    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    base = f"http://127.0.0.1:{PORT}"
    async with httpx.AsyncClient(base_url=base, timeout=300, limits=limits) as client:

        async def attempt(jar: dict[str, str]) -> tuple[str, float]:
            async with gate:
                started = time.perf_counter()
                answer = await register_once(client, event_id, jar)
                return answer, time.perf_counter() - started

        started = time.perf_counter()
        outcomes = await asyncio.gather(*(attempt(jar) for jar in jars))
        wall = time.perf_counter() - started
    latencies = sorted(elapsed * 1000 for _, elapsed in outcomes)
    answers: dict[str, int] = {}
    for answer, _ in outcomes:
        answers[answer] = answers.get(answer, 0) + 1
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "attempts_per_s": round(len(jars) / wall, 1),
        "p50_ms": round(cuts[49], 1),
        "p99_ms": round(cuts[98], 1),
        "max_ms": round(latencies[-1], 1),
        "wall_s": round(wall, 2),
        "answers": answers,
    }


async def outcome(event_id: int) -> dict[str, Any]:
    """The event's registrations as the database holds them after the burst."""
    from core.database import fetch

    [row] = await fetch(
        """SELECT count(*) FILTER (WHERE status = 'confirmed') AS confirmed,
                  count(*) FILTER (WHERE status = 'waitlisted') AS waitlisted,
                  count(*) FILTER (WHERE status NOT IN ('confirmed', 'waitlisted')) AS other,
                  count(DISTINCT member) AS members,
                  count(DISTINCT checkin_code) FILTER (WHERE status = 'confirmed'
                                                       AND checkin_code <> '') AS codes,
                  coalesce(array_agg(queue_order ORDER BY queue_order)
                           FILTER (WHERE status = 'waitlisted'), ARRAY[]::int[]) AS queue,
                  (SELECT count(*) FROM engagement_signal s
                   WHERE s.dedupe_key IN (SELECT 'event_registered:' || id
                                          FROM events_registration WHERE event = {})) AS signals
           FROM events_registration WHERE event = {}""",
        event_id,
        event_id,
    )
    queue = list(row.pop("queue"))
    return {
        **{k: int(v) for k, v in row.items()},
        "waitlist_positions_are_1_to_n": queue == list(range(1, len(queue) + 1)),
    }


def check(counts: dict[str, Any], answers: dict[str, int], attempts: int, seats: int) -> None:
    expected = {
        "confirmed": seats,
        "waitlisted": attempts - seats,
        "other": 0,
        "members": attempts,
        "codes": seats,
        "signals": attempts,
        "waitlist_positions_are_1_to_n": True,
    }
    wrong = {k: (counts[k], v) for k, v in expected.items() if counts[k] != v}
    if wrong or answers != {"303": attempts}:
        raise RuntimeError(f"the burst ended wrong: {wrong} (found, expected); answers {answers}")


async def measure(
    env: dict[str, str], attempts: int, seats: int, concurrency: int, runs: int
) -> dict[str, Any]:
    from core import database

    await open_database()
    members = await create_customers(attempts // PER_ACCOUNT, PER_ACCOUNT)
    csm = await create_csm()
    samples: list[dict[str, Any]] = []
    with serving(env) as server:
        started = time.perf_counter()
        signed_in = await sign_in_many([m.email for m in members], parallel=SIGN_IN_PARALLEL)
        sign_in_s = round(time.perf_counter() - started, 1)
        jars = list(signed_in.values())
        for run in range(runs):
            event_id = await create_event(csm, f"先着 {seats} 名のもくもく会 {run + 1}", seats)
            cpu = cpu_seconds(server)
            figures = await fire(event_id, jars, concurrency)
            busy = (cpu_seconds(server) - cpu) / figures["wall_s"]
            figures["app_cpu_cores_busy"] = round(busy, 2)
            counts = await outcome(event_id)
            print(f"run {run + 1}: {figures} {counts}", flush=True)
            check(counts, figures["answers"], attempts, seats)
            samples.append({**figures, "database": counts})
        rss = worker_rss_mb(server)
    await database.close()
    return {
        **{
            k: statistics.median(s[k] for s in samples)
            for k in ("attempts_per_s", "p50_ms", "p99_ms")
        },
        "peak_rss_mb_per_worker": max(rss),
        "worker_rss_mb": rss,
        "sign_in_s": sign_in_s,
        "runs": samples,
    }


def run(attempts: int, seats: int, concurrency: int, runs: int) -> dict[str, Any]:
    env = production_stack(DB_NAME)
    results = asyncio.run(measure(env, attempts, seats, concurrency, runs))
    return {
        "parameters": {
            "attempts": attempts,
            "distinct_members": attempts,
            "seats": seats,
            "concurrency": concurrency,
            "sign_in_parallel": SIGN_IN_PARALLEL,
            "app_processes": APP_PROCESSES,
            "route": "POST /events/<id>/register (the event page's form, CSRF token, session)",
            "runs": runs,
        },
        "results": results,
    }
