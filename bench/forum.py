"""Forum scenario: the topic page (100 posts) and the topic list, two app processes, wrk.

    python -m bench forum [--scale small|full] [--duration 15] [--runs 3]

Creates the database kizuna_bench_forum, generates the data through the real services (so the
HTML is rendered and sanitised as in production), starts granian with two workers, signs in a
customer and drives each page with wrk over loopback.
"""

from __future__ import annotations

from typing import Any

from bench.data import (
    body,
    create_customers,
    create_forum_category,
    create_long_topic,
    create_search_topics,
    open_database,
)
from bench.harness import (
    PASSWORD,
    ROOT,
    Pages,
    app_env,
    check_page,
    fresh_database,
    load_parameters,
    page_scenario,
    peak_rss_mb,
    sign_in,
    start_server,
    wrk,
)

DB_NAME = "kizuna_bench_forum"

# bench.peer (Kizuna against django-spirit) builds on these.
__all__ = [
    "PASSWORD",
    "ROOT",
    "app_env",
    "body",
    "check_page",
    "fresh_database",
    "generate",
    "peak_rss_mb",
    "run",
    "sign_in",
    "start_server",
    "wrk",
]


async def generate(topics: int) -> int:
    """50 members of 10 accounts, a category, one topic of 100 posts and `topics` more; returns
    the long topic's id."""
    from core import database

    await open_database()
    members = await create_customers(10, 5)
    category_id = await create_forum_category()
    topic_id = await create_long_topic(members, category_id)
    await create_search_topics(members, category_id, topics)
    await database.close()
    return topic_id


def pages(base: str, topic_id: int) -> Pages:
    return {
        "topic_page_100_posts": (f"{base}/community/t/{topic_id}", []),
        "topic_list": (f"{base}/community/", []),
    }


def run(topics: int, duration: int, runs: int, connections: int) -> dict[str, Any]:
    load = load_parameters(duration, runs, connections)
    _, results = page_scenario(DB_NAME, lambda: generate(topics), pages, ("利用者",), load)
    return {
        "parameters": {"topics": topics, "posts_on_topic_page": 100, **load},
        "results": results,
    }
