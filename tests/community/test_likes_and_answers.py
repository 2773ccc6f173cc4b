"""Likes (once, never one's own, counted), accepted answers, and the signals they record."""

from __future__ import annotations

import asyncio

from community.tables import Post, PostLike, Topic
from engagement.tables import Signal
from tests.community.helpers import World, make_reply, make_topic
from tests.support import problem, signed_in


async def _signals(kind: str) -> list[dict]:
    return await Signal.select().where(Signal.kind == kind).order_by(Signal.id)


async def test_like_counts_once_and_records_one_signal(client, settings):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public)
    post_id = await make_reply(world.anna, topic_id)
    await signed_in(client, world.bob)
    for _ in range(2):  # a double click
        response = await client.post_form(f"/community/p/{post_id}/like")
        assert response.status_code == 303
    post = await Post.objects().where(Post.id == post_id).first()
    assert post.like_count == 1
    signals = await _signals("reaction_received")
    assert [(s["account"], s["member"]) for s in signals] == [(world.account_a.id, world.anna.id)]
    assert signals[0]["dedupe_key"] == f"reaction_received:{post_id}:{world.bob.id}"
    page = await client.get(f"/community/t/{topic_id}")
    assert 'aria-pressed="true"' in page.text
    # Unliking withdraws nothing already scored and records nothing new.
    await client.post_form(f"/community/p/{post_id}/unlike")
    await client.post_form(f"/community/p/{post_id}/unlike")
    assert (await Post.objects().where(Post.id == post_id).first()).like_count == 0
    assert len(await _signals("reaction_received")) == 1
    # Liking again counts again but the signal stays single (same key).
    await client.post_form(f"/community/p/{post_id}/like")
    assert (await Post.objects().where(Post.id == post_id).first()).like_count == 1
    assert len(await _signals("reaction_received")) == 1


async def test_concurrent_likes_through_the_api_stay_consistent(client, settings):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public)
    post_id = await make_reply(world.anna, topic_id)
    await signed_in(client, world.bob)
    url = f"/api/v1/community/posts/{post_id}/like"
    responses = await asyncio.gather(*[client.api("PUT", url) for _ in range(5)])
    assert all(r.status_code == 200 for r in responses)
    assert await PostLike.count() == 1
    assert (await Post.objects().where(Post.id == post_id).first()).like_count == 1
    unliked = await client.api("DELETE", url)
    assert unliked.json() == {"post_id": post_id, "liked": False, "like_count": 0}


async def test_no_liking_ones_own_post(client, settings):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public)
    post_id = await make_reply(world.anna, topic_id)
    await signed_in(client, world.anna)
    response = await client.post_form(f"/community/p/{post_id}/like")
    assert response.status_code == 400
    assert "自分の投稿にはいいねできません" in response.text
    api = await client.api("PUT", f"/api/v1/community/posts/{post_id}/like")
    assert api.status_code == 422 and "自分の投稿" in problem(api)["detail"]
    assert await PostLike.count() == 0


async def test_staff_authors_record_no_signals(client, settings):
    world = await World.create()
    topic_id = await make_topic(world.csm, world.public, title="お知らせ", kind="discussion")
    post_id = await make_reply(world.admin, topic_id, "補足です")
    await signed_in(client, world.bob)
    await client.post_form(f"/community/p/{post_id}/like")
    kinds = {s["kind"] for s in await Signal.select(Signal.kind)} - {"daily_visit"}
    assert kinds == set()


async def test_asker_accepts_an_answer_and_the_question_is_solved(client, other_client, settings):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public, title="設定の質問")
    answer_id = await make_reply(world.bob, topic_id, "設定画面の下にあります。")
    await signed_in(client, world.alice)
    response = await client.post_form(f"/community/t/{topic_id}/accept", {"post_id": answer_id})
    assert response.status_code == 303
    topic = await Topic.objects().where(Topic.id == topic_id).first()
    assert topic.solved and topic.accepted_post_id == answer_id
    page = await client.get(f"/community/t/{topic_id}")
    assert "解決済み" in page.text
    # The answer is shown right under the question.
    question_at = page.text.index('id="post-1"')
    accepted_at = page.text.index('class="accepted-answer')
    reply_at = page.text.index('id="post-2"')
    assert question_at < accepted_at < reply_at
    signals = await _signals("answer_accepted")
    assert [(s["account"], s["dedupe_key"]) for s in signals] == [
        (world.account_b.id, f"answer_accepted:{answer_id}")
    ]
    # Accepting again (a double click) changes nothing.
    await client.post_form(f"/community/t/{topic_id}/accept", {"post_id": answer_id})
    assert len(await _signals("answer_accepted")) == 1
    solved = await client.get("/community?status=solved")
    unsolved = await client.get("/community?status=unsolved")
    assert "設定の質問" in solved.text and "設定の質問" not in unsolved.text


async def test_only_the_asker_or_staff_may_accept(client, other_client, settings):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public)
    answer_id = await make_reply(world.bob, topic_id)
    await signed_in(client, world.anna)
    refused = await client.post_form(f"/community/t/{topic_id}/accept", {"post_id": answer_id})
    assert refused.status_code == 403
    assert "質問者とスタッフだけ" in refused.text
    api = await client.api(
        "POST", f"/api/v1/community/topics/{topic_id}/accept", json={"post_id": answer_id}
    )
    assert api.status_code == 403 and "質問者とスタッフだけ" in problem(api)["detail"]
    assert not (await Topic.objects().where(Topic.id == topic_id).first()).solved
    assert await _signals("answer_accepted") == []
    await signed_in(other_client, world.csm)
    ok = await other_client.post_form(f"/community/t/{topic_id}/accept", {"post_id": answer_id})
    assert ok.status_code == 303
    assert (await Topic.objects().where(Topic.id == topic_id).first()).solved


async def test_accept_refuses_wrong_targets(client, settings):
    world = await World.create()
    question = await make_topic(world.alice, world.public)
    other = await make_topic(world.alice, world.public, title="別の質問")
    stray = await make_reply(world.bob, other)
    discussion = await make_topic(world.alice, world.public, title="雑談", kind="discussion")
    chat = await make_reply(world.bob, discussion)
    first = await Post.objects().where(Post.topic == question).first()
    await signed_in(client, world.alice)
    url = f"/community/t/{question}/accept"
    assert (await client.post_form(url, {"post_id": stray})).status_code == 404
    own = await client.post_form(url, {"post_id": first.id})
    assert own.status_code == 400 and "質問そのものではなく" in own.text
    wrong_kind = await client.post_form(f"/community/t/{discussion}/accept", {"post_id": chat})
    assert wrong_kind.status_code == 400 and "質問だけです" in wrong_kind.text
    assert await Topic.count().where(Topic.solved.eq(True)) == 0


async def test_deleting_the_accepted_answer_reopens_the_question(client, settings):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public)
    answer_id = await make_reply(world.bob, topic_id)
    await signed_in(client, world.alice)
    await client.post_form(f"/community/t/{topic_id}/accept", {"post_id": answer_id})
    await client.post_form("/logout")
    await signed_in(client, world.bob)
    await client.post_form(f"/community/p/{answer_id}/delete")
    topic = await Topic.objects().where(Topic.id == topic_id).first()
    assert not topic.solved and topic.accepted_post_id is None
    assert len(await _signals("answer_accepted")) == 1  # nothing withdrawn
