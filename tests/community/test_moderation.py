"""Staff moderation: pin, lock, hide, move; flags and review; unanswered; response times."""

from __future__ import annotations

from datetime import timedelta

from community.moderation import response_times, unanswered_questions
from community.tables import Flag, Post, Topic
from core.timeutil import utcnow
from tests.community.helpers import World, make_reply, make_topic
from tests.support import signed_in


async def test_lock_stops_member_replies_but_not_staff(client, other_client, settings):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public)
    await signed_in(other_client, world.csm)
    assert (await other_client.post_form(f"/community/t/{topic_id}/lock")).status_code == 303
    await signed_in(client, world.bob)
    page = await client.get(f"/community/t/{topic_id}")
    assert "このトピックはロックされています" in page.text and 'name="body"' not in page.text
    refused = await client.post_form(f"/community/t/{topic_id}/reply", {"body": "まだ書きたい"})
    assert refused.status_code == 403
    assert "このトピックはロックされています" in refused.text
    api = await client.api(
        "POST", f"/api/v1/community/topics/{topic_id}/posts", json={"body": "APIから"}
    )
    assert api.status_code == 403
    assert await Post.count().where(Post.topic == topic_id) == 1
    staff = await other_client.post_form(f"/community/t/{topic_id}/reply", {"body": "補足します"})
    assert staff.status_code == 303
    await other_client.post_form(f"/community/t/{topic_id}/unlock")
    assert (
        await client.post_form(f"/community/t/{topic_id}/reply", {"body": "ありがとう"})
    ).status_code == 303


async def test_pin_move_and_member_cannot_moderate(client, other_client, settings):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public, title="移動する話題")
    await signed_in(client, world.alice)
    for action in ("pin", "lock", "hide", "move"):
        response = await client.post_form(
            f"/community/t/{topic_id}/{action}", {"category_id": world.private_a.id}
        )
        assert response.status_code == 403
    assert (await client.get("/community/moderation")).status_code == 403
    await signed_in(other_client, world.csm)
    await other_client.post_form(f"/community/t/{topic_id}/pin")
    moved = await other_client.post_form(
        f"/community/t/{topic_id}/move", {"category_id": world.private_a.id}
    )
    assert moved.status_code == 303
    topic = await Topic.objects().where(Topic.id == topic_id).first()
    assert topic.pinned and topic.category == world.private_a.id
    unknown = await other_client.post_form(f"/community/t/{topic_id}/move", {"category_id": 999999})
    assert unknown.status_code == 404


async def test_three_flags_hide_a_post_until_staff_review(client, other_client, settings):
    world = await World.create()
    carol = await _member_of(world.account_b, "carol@b.example")
    topic_id = await make_topic(world.alice, world.public)
    post_id = await make_reply(world.bob, topic_id, "怪しい宣伝リンク")
    for member in (world.alice, world.anna):
        await signed_in(client, member)
        await client.post_form(f"/community/p/{post_id}/flag", {"reason": "spam"})
        await client.post_form(f"/community/p/{post_id}/flag", {"reason": "spam"})  # repeat
        await client.post_form("/logout")
    assert not (await Post.objects().where(Post.id == post_id).first()).hidden
    await signed_in(client, carol)
    response = await client.post_form(
        f"/community/p/{post_id}/flag", {"reason": "offensive", "note": "不快です"}
    )
    assert response.status_code == 303
    post = await Post.objects().where(Post.id == post_id).first()
    assert post.hidden and post.hidden_reason == "flags"
    page = await client.get(f"/community/t/{topic_id}")
    assert "怪しい宣伝リンク" not in page.text
    assert "スタッフが確認するまで非表示です" in page.text
    await signed_in(other_client, world.csm)
    queue = await other_client.get("/community/moderation")
    assert (
        "怪しい宣伝リンク" in queue.text and "通報 3件" in queue.text and "不快です" in queue.text
    )
    kept = await other_client.post_form(
        f"/community/moderation/flags/{post_id}", {"decision": "restore"}
    )
    assert kept.status_code == 303
    assert not (await Post.objects().where(Post.id == post_id).first()).hidden
    assert await Flag.count().where(Flag.resolved_at.is_null()) == 0
    assert "怪しい宣伝リンク" not in (await other_client.get("/community/moderation")).text


async def test_flag_needs_a_reason_and_not_ones_own_post(client, settings):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public)
    post_id = await make_reply(world.bob, topic_id)
    await signed_in(client, world.bob)
    own = await client.post_form(f"/community/p/{post_id}/flag", {"reason": "spam"})
    assert own.status_code == 400 and "自分の投稿は通報できません" in own.text
    await client.post_form("/logout")
    await signed_in(client, world.alice)
    form = await client.get(f"/community/p/{post_id}/flag")
    assert form.status_code == 200
    bad = await client.post_form(f"/community/p/{post_id}/flag", {"reason": "nonsense"})
    assert bad.status_code == 400 and "選択肢" in bad.text
    assert await Flag.count() == 0


async def test_staff_hides_and_restores_a_post(client, other_client, settings):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public)
    post_id = await make_reply(world.bob, topic_id, "問題のある返信")
    await signed_in(other_client, world.csm)
    await other_client.post_form(f"/community/p/{post_id}/hide")
    await signed_in(client, world.anna)
    page = await client.get(f"/community/t/{topic_id}")
    assert "問題のある返信" not in page.text and "スタッフにより非表示" in page.text
    assert "問題のある返信" in (await other_client.get(f"/community/t/{topic_id}")).text
    await other_client.post_form(f"/community/p/{post_id}/restore")
    assert "問題のある返信" in (await client.get(f"/community/t/{topic_id}")).text


async def test_unanswered_questions_and_time_to_first_response(client, settings):
    world = await World.create()
    waiting = await make_topic(world.alice, world.public, title="まだ誰も答えていない")
    await make_reply(world.alice, waiting, "自分で補足")
    answered = await make_topic(world.alice, world.public, title="答えがある質問")
    await make_reply(world.bob, answered, "こうです")
    await make_topic(world.alice, world.public, title="雑談", kind="discussion")
    older = await make_topic(world.anna, world.private_a, title="古い未回答")
    await Topic.update({Topic.created_at: utcnow() - timedelta(days=3, hours=5)}).where(
        Topic.id == older
    )
    rows = await unanswered_questions()
    assert [r["title"] for r in rows] == ["古い未回答", "まだ誰も答えていない"]
    assert rows[0]["age_days"] == 3 and rows[0]["age_hours"] == 5
    now = utcnow()
    await Topic.update(
        {
            Topic.created_at: now - timedelta(hours=5),
            Topic.first_response_at: now - timedelta(hours=3),
        }
    ).where(Topic.id == answered)
    stats = {row["category"]: row for row in await response_times()}
    public = stats["一般"]
    assert public["topics"] == 3 and public["responded"] == 1
    assert round(public["median_hours"], 2) == 2.0 and round(public["mean_hours"], 2) == 2.0
    assert stats["エー社専用"]["responded"] == 0 and stats["エー社専用"]["median_hours"] is None
    await signed_in(client, world.csm)
    page = await client.get("/community/moderation")
    assert "古い未回答" in page.text and "3日 5時間" in page.text
    assert "最初の返信までの時間" in page.text


async def _member_of(account, email):
    from tests.factories import make_member

    return await make_member(account, email=email)
