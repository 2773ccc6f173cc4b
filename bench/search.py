"""Search scenario: the forum search page for Japanese queries of 2 and of 5 characters.

    python -m bench search [--scale small|full] [--duration 15] [--runs 3]

Creates the database kizuna_bench_search with a few thousand Japanese and English topics (zero
to two replies each, through the real services), then drives /community/search with wrk as a
signed-in customer, four queries of each length requested in turn. Five characters use the
pg_trgm GIN indexes (LIKE); two characters cannot, and scan the search text (strpos).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from bench.data import create_customers, create_forum_category, create_search_topics, open_database
from bench.harness import Pages, load_parameters, page_scenario

DB_NAME = "kizuna_bench_search"
QUERIES = {
    "search_2_chars": ["請求", "権限", "設定", "連携"],
    "search_5_chars": ["インポート", "アカウント", "通知メール", "承認フロー"],
}


async def generate(topics: int) -> dict[str, int]:
    from core import database
    from core.database import fetch

    await open_database()
    members = await create_customers(10, 5)
    posts = await create_search_topics(members, await create_forum_category(), topics)
    counts = {"topics": topics, "posts": posts}
    for queries in QUERIES.values():
        for query in queries:
            [row] = await fetch(
                "SELECT count(*) AS n FROM community_post WHERE strpos(search_text, {}) > 0",
                query,
            )
            counts[f"posts_with_{query}"] = int(row["n"])
    await fetch("ANALYZE")
    await database.close()
    return counts


def pages(base: str, _: Any) -> Pages:
    return {
        name: (base, [f"/community/search?q={quote(query)}" for query in queries])
        for name, queries in QUERIES.items()
    }


def run(topics: int, duration: int, runs: int, connections: int) -> dict[str, Any]:
    load = load_parameters(duration, runs, connections)
    counts, results = page_scenario(DB_NAME, lambda: generate(topics), pages, ("<mark>",), load)
    return {"parameters": {"data": counts, "queries": QUERIES, **load}, "results": results}
