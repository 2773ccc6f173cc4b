"""The topic page costs the same number of queries whatever its length (no N+1)."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

import pytest

from community.reactions import like_post
from core.database import get_engine
from tests.community.helpers import World, make_reply, make_topic
from tests.support import signed_in


class QueryCounter:
    """Counts every statement the Piccolo engine runs (nested entry points count once)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        self._depth: ContextVar[int] = ContextVar("query_depth", default=0)
        # The engine class uses slots: patch its class for the test's duration.
        engine_class = type(get_engine())
        for name in ("run_querystring", "_run_in_pool", "_run_in_new_connection"):
            if hasattr(engine_class, name):
                monkeypatch.setattr(engine_class, name, self._wrap(getattr(engine_class, name)))

    def _wrap(self, original: Callable[..., Any]) -> Callable[..., Any]:
        async def counted(engine: Any, *args: Any, **kwargs: Any) -> Any:
            depth = self._depth.get()
            if depth == 0:
                self.count += 1
            token = self._depth.set(depth + 1)
            try:
                return await original(engine, *args, **kwargs)
            finally:
                self._depth.reset(token)

        return counted

    async def measure(self, call: Callable[[], Any]) -> int:
        before = self.count
        await call()
        return self.count - before


async def _topic_with_posts(world: World, replies: int) -> int:
    """A topic with replies by members of two accounts and staff; Bob (the reader) liked some."""
    topic_id = await make_topic(world.alice, world.public, title=f"{replies}件の返信")
    authors = (world.anna, world.csm, world.alice)
    for n in range(replies):
        post_id = await make_reply(authors[n % 3], topic_id, f"返信 {n} @{world.alice.handle}")
        if n % 2 == 0:
            await like_post(world.bob, post_id)
    return topic_id


async def test_topic_page_queries_do_not_grow_with_posts(client, settings, monkeypatch, run_jobs):
    world = await World.create()
    small = await _topic_with_posts(world, 4)  # 5 posts with the question
    large = await _topic_with_posts(world, 59)  # 60 posts
    await signed_in(client, world.bob)
    await client.get("/community")  # the day's first visit records a signal: not measured here
    await run_jobs()  # notification emails would otherwise run their queries meanwhile
    counter = QueryCounter(monkeypatch)

    async def view(topic_id: int) -> None:
        response = await client.get(f"/community/t/{topic_id}")
        assert response.status_code == 200
        assert response.text.count('class="post') >= 5

    first_small = await counter.measure(lambda: view(small))
    first_large = await counter.measure(lambda: view(large))
    assert first_small == first_large, (first_small, first_large)
    again_small = await counter.measure(lambda: view(small))
    again_large = await counter.measure(lambda: view(large))
    assert again_small == again_large, (again_small, again_large)
    # Reading it again writes nothing: the read state only moves when there is something new.
    assert again_small < first_small
    assert again_small <= 5
