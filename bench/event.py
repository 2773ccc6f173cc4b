"""Event page scenario: a published webinar's page as a signed-in, registered customer.

    python -m bench event [--scale small|full] [--duration 15] [--runs 3]

Creates the database kizuna_bench_event: 10 accounts of 5 customers, a CSM, a published
first-come webinar of 100 seats that 40 customers registered for through the real service
(the measured customer among them: the page shows their check-in code and the join link),
then drives /events/<id> with wrk over loopback.
"""

from __future__ import annotations

from typing import Any

from bench.data import create_csm, create_customers, create_event, open_database
from bench.harness import Pages, load_parameters, page_scenario

DB_NAME = "kizuna_bench_event"
TITLE = "新機能「自動レポート」活用ウェビナー"
CAPACITY = 100
REGISTERED = 40


async def generate() -> int:
    from core import database
    from events.registration.allocation import register

    await open_database()
    members = await create_customers(10, 5)
    event_id = await create_event(await create_csm(), TITLE, CAPACITY)
    for member in members[:REGISTERED]:
        await register(member, event_id)
    await database.close()
    return event_id


def pages(base: str, event_id: int) -> Pages:
    return {"event_page": (f"{base}/events/{event_id}", [])}


def run(duration: int, runs: int, connections: int) -> dict[str, Any]:
    load = load_parameters(duration, runs, connections)
    _, results = page_scenario(DB_NAME, generate, pages, (TITLE, "zoom.example"), load)
    return {
        "parameters": {"capacity": CAPACITY, "registered": REGISTERED, **load},
        "results": results,
    }
