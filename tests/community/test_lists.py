"""Topic lists: last activity order, keyset pages, pinned first, and "new since your last visit"."""

from __future__ import annotations

from datetime import timedelta

from community.reading import Cursor, list_topics
from community.tables import Topic, TopicRead
from core.timeutil import utcnow
from tests.community.helpers import World, make_reply, make_topic
from tests.support import signed_in


async def test_keyset_pages_cover_every_topic_once_even_with_equal_times(client, settings):
    world = await World.create()
    ids = [await make_topic(world.alice, world.public, title=f"話題{n}") for n in range(7)]
    same = utcnow() - timedelta(hours=1)
    # Three topics share one last-activity time: the id breaks the tie.
    await Topic.update({Topic.last_activity_at: same}).where(Topic.id.is_in(ids[:3]))
    seen: list[int] = []
    cursor = None
    for _ in range(10):
        page = await list_topics(world.bob, cursor=cursor, limit=2)
        seen += [t.id for t in page.topics]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen))
    assert seen[-3:] == sorted(ids[:3], reverse=True)


async def test_list_pages_follow_the_cursor_link(client, settings):
    world = await World.create()
    for n in range(35):
        await make_topic(world.alice, world.public, title=f"トピック番号{n:02d}")
    await signed_in(client, world.bob)
    first = await client.get(f"/community/c/{world.public.id}")
    assert "トピック番号34" in first.text and "トピック番号04" not in first.text
    cursor = first.text.split("cursor=")[1].split('"')[0]
    second = await client.get(f"/community/c/{world.public.id}?cursor={cursor}")
    assert "トピック番号04" in second.text and "トピック番号34" not in second.text
    api = await client.api("GET", f"/api/v1/community/topics?limit=30&cursor={cursor}")
    assert api.json()["items"][0]["title"] == "トピック番号04"
    bad = await client.get("/community?cursor=not-a-cursor")
    assert bad.status_code == 400 and "リンクは無効です" in bad.text


async def test_a_reply_moves_a_topic_to_the_top_and_pinned_topics_lead(client, settings):
    world = await World.create()
    old = await make_topic(world.alice, world.public, title="古い話題")
    await make_topic(world.alice, world.public, title="新しい話題")
    listing = await list_topics(world.bob)
    assert [t.title for t in listing.topics] == ["新しい話題", "古い話題"]
    await make_reply(world.bob, old)
    listing = await list_topics(world.bob)
    assert [t.title for t in listing.topics] == ["古い話題", "新しい話題"]
    pinned = await make_topic(world.csm, world.public, title="お知らせ", kind="discussion")
    await Topic.update(
        {Topic.pinned: True, Topic.last_activity_at: utcnow() - timedelta(days=9)}
    ).where(Topic.id == pinned)
    listing = await list_topics(world.bob)
    assert [t.title for t in listing.pinned] == ["お知らせ"]
    assert "お知らせ" not in [t.title for t in listing.topics]
    # Later pages never repeat it, though its last activity is older than theirs.
    later = await list_topics(world.bob, cursor=(await list_topics(world.bob, limit=1)).next_cursor)
    assert later.pinned == [] and [t.title for t in later.topics] == ["新しい話題"]


async def test_new_since_last_visit(client, settings):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public, title="既読管理の話題")
    await signed_in(client, world.bob)
    listing = await list_topics(world.bob)
    assert listing.topics[0].unread
    await client.get(f"/community/t/{topic_id}")
    read = await TopicRead.objects().where(TopicRead.member == world.bob.id).first()
    assert read is not None and read.last_read_at is not None
    assert not (await list_topics(world.bob)).topics[0].unread
    new_post = await make_reply(world.anna, topic_id, "新しい返信です")
    assert (await list_topics(world.bob)).topics[0].unread
    page = await client.get(f"/community/t/{topic_id}")
    marker = page.text.index('id="new"')
    assert page.text.index('id="post-2"') < marker < page.text.index("新しい返信です")
    read = await TopicRead.objects().where(TopicRead.member == world.bob.id).first()
    assert read.last_read_post_id == new_post
    again = await client.get(f"/community/t/{topic_id}")
    assert 'id="new"' not in again.text


def test_cursor_round_trip():
    moment = utcnow().replace(microsecond=123456)
    assert Cursor.decode(Cursor(moment, 42).encode()) == Cursor(moment, 42)
