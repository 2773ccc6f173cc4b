"""Counts under contention: many members replying to one topic at once, and many liking and
unliking one post at once, each on its own pooled connection (PostgreSQL) or queued on the
embedded database (SQLite). The stored counters must equal what the rows say, and every post
number must be used exactly once."""

from __future__ import annotations

import asyncio

from accounts.tables import Member
from community.reactions import like_post, unlike_post
from community.services import reply_to_topic
from community.tables import Post, PostLike, Topic
from engagement.tables import Signal
from tests.community.helpers import make_category, make_topic
from tests.factories import make_account, make_member

REPLIERS = 40
LIKERS = 40


async def _crowd(count: int, prefix: str) -> list[Member]:
    account = await make_account(f"{prefix}株式会社", domains=f"{prefix}.example")
    return [
        await make_member(account, email=f"{prefix}{i}@{prefix}.example", name=f"{prefix} {i}")
        for i in range(count)
    ]


async def test_concurrent_replies_keep_post_numbers_and_counts_exact(app) -> None:
    author = (await _crowd(1, "author"))[0]
    topic_id = await make_topic(author, await make_category())
    repliers = await _crowd(REPLIERS, "reply")

    results = await asyncio.gather(
        *(
            reply_to_topic(m, topic_id, f"{m.display_name} の回答です。手順 {i} を試しました。")
            for i, m in enumerate(repliers)
        )
    )

    assert all(created for _, _, created in results)
    numbers = sorted(number for _, number, _ in results)
    assert numbers == list(range(2, REPLIERS + 2)), "each reply takes the next number once"
    rows = await Post.select(Post.id, Post.number).where(Post.topic == topic_id)
    assert sorted(r["number"] for r in rows) == list(range(1, REPLIERS + 2))
    topic = (
        await Topic.select(Topic.post_count, Topic.last_post_id).where(Topic.id == topic_id).first()
    )
    assert topic is not None
    assert topic["post_count"] == REPLIERS + 1
    last = max(rows, key=lambda r: r["number"])
    assert topic["last_post_id"] == last["id"]
    signals = await Signal.count().where(Signal.kind == "reply_created")
    assert signals == REPLIERS, "one reply signal per reply, none lost, none doubled"


async def test_concurrent_likes_and_unlikes_end_consistent(app) -> None:
    author = (await _crowd(1, "poster"))[0]
    topic_id = await make_topic(author, await make_category())
    post = await Post.select(Post.id).where((Post.topic == topic_id) & (Post.number == 1)).first()
    assert post is not None
    post_id = post["id"]
    likers = await _crowd(LIKERS, "like")

    # Everyone likes twice at once (a double click): one like each.
    await asyncio.gather(*(like_post(m, post_id) for m in likers for _ in range(2)))
    assert await PostLike.count().where(PostLike.post == post_id) == LIKERS
    stored = await Post.select(Post.like_count).where(Post.id == post_id).first()
    assert stored == {"like_count": LIKERS}

    # Half take it back while the other half like again, all at once, some twice.
    leaving, staying = likers[: LIKERS // 2], likers[LIKERS // 2 :]
    await asyncio.gather(
        *(unlike_post(m, post_id) for m in leaving for _ in range(2)),
        *(like_post(m, post_id) for m in staying),
    )
    rows = await PostLike.select(PostLike.member).where(PostLike.post == post_id)
    assert {r["member"] for r in rows} == {m.id for m in staying}
    stored = await Post.select(Post.like_count).where(Post.id == post_id).first()
    assert stored == {"like_count": len(staying)}, "the counter equals the like rows"
    received = await Signal.count().where(Signal.kind == "reaction_received")
    assert received == LIKERS, "one signal per member who ever liked, kept after an unlike"
