"""Bad input: a clear error in Japanese, or neutralised, and nothing half-written remains."""

from __future__ import annotations

import asyncio

import pytest

from community.schemas import BODY_MAX, TITLE_MAX
from community.tables import Notification, Post, Topic
from engagement.tables import Signal
from tests.community.helpers import World, make_topic
from tests.support import problem, signed_in


async def _nothing_written() -> None:
    assert await Topic.count() == 0
    assert await Post.count() == 0
    assert await Signal.count().where(Signal.kind != "daily_visit") == 0
    assert await Notification.count() == 0


@pytest.mark.parametrize(
    ("title", "body", "field", "message"),
    [
        ("", "本文", "title", "タイトルを入力してください。"),
        ("   ", "本文", "title", "タイトルを入力してください。"),
        ("あ" * (TITLE_MAX + 1), "本文", "title", f"タイトルは{TITLE_MAX}文字以内"),
        ("題", "", "body", "本文を入力してください。"),
        ("題", "い" * (BODY_MAX + 1), "body", f"本文は{BODY_MAX}文字以内"),
    ],
)
async def test_new_topic_with_bad_title_or_body(client, settings, title, body, field, message):
    world = await World.create()
    await signed_in(client, world.alice)
    data = {"category_id": world.public.id, "kind": "question", "title": title, "body": body}
    page = await client.post_form("/community/new", data)
    assert page.status_code == 400
    assert message in page.text
    assert f'id="e-{field}"' in page.text
    api = await client.api("POST", "/api/v1/community/topics", json=data)
    assert api.status_code == 422  # the schema allows it; a rule refuses it
    body_json = problem(api)
    assert message in body_json["detail"] and message in body_json["errors"][field]
    await _nothing_written()


async def test_title_at_the_limit_is_accepted(client, settings):
    world = await World.create()
    await signed_in(client, world.alice)
    data = {"category_id": world.public.id, "kind": "question", "title": "あ" * TITLE_MAX}
    response = await client.post_form("/community/new", {**data, "body": "い" * BODY_MAX})
    assert response.status_code == 303


async def test_malformed_forms_and_unknown_ids(client, settings):
    world = await World.create()
    await signed_in(client, world.alice)
    not_a_number = await client.post_form(
        "/community/new", {"category_id": "abc", "kind": "question", "title": "t", "body": "b"}
    )
    assert not_a_number.status_code == 400 and "整数" in not_a_number.text
    bad_kind = await client.post_form(
        "/community/new",
        {"category_id": world.public.id, "kind": "poll", "title": "t", "body": "b"},
    )
    assert bad_kind.status_code == 400
    unknown = await client.post_form(
        "/community/new", {"category_id": 999999, "kind": "question", "title": "t", "body": "b"}
    )
    assert unknown.status_code == 404 and "このカテゴリは存在しないか" in unknown.text
    reply = await client.post_form("/community/t/999999/reply", {"body": "返信"})
    assert reply.status_code == 404 and "このトピックは存在しないか" in reply.text
    like = await client.post_form("/community/p/999999/like")
    assert like.status_code == 404 and "この投稿は存在しないか" in like.text
    api = await client.api("POST", "/api/v1/community/topics", content=b"{not json")
    assert api.status_code == 400
    api = await client.api("POST", "/api/v1/community/topics", json={"title": "only"})
    assert api.status_code == 400 and problem(api)["errors"]
    await _nothing_written()


async def test_empty_and_oversized_replies(client, settings):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public)
    await signed_in(client, world.bob)
    empty = await client.post_form(f"/community/t/{topic_id}/reply", {"body": "  "})
    assert empty.status_code == 400 and "本文を入力してください。" in empty.text
    huge = await client.post_form(f"/community/t/{topic_id}/reply", {"body": "x" * (BODY_MAX + 5)})
    assert huge.status_code == 400 and f"現在{BODY_MAX + 5}文字" in huge.text
    assert await Post.count().where(Post.topic == topic_id) == 1
    topic = await Topic.objects().where(Topic.id == topic_id).first()
    assert topic.post_count == 1 and topic.first_response_at is None


async def test_double_submission_of_a_form_creates_one_topic(client, settings):
    world = await World.create()
    await signed_in(client, world.alice)
    data = {
        "category_id": world.public.id,
        "kind": "question",
        "title": "二重送信",
        "body": "一度だけ",
        "client_token": "form-token-1",
    }
    first, second = await asyncio.gather(
        client.post_form("/community/new", data), client.post_form("/community/new", data)
    )
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert await Topic.count() == 1 and await Post.count() == 1
    assert await Signal.count().where(Signal.kind == "topic_created") == 1


async def test_double_click_on_reply_creates_one_post(client, settings):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public)
    await signed_in(client, world.bob)
    url = f"/community/t/{topic_id}/reply"
    with_token = {"body": "同じ返信", "client_token": "reply-token"}
    results = await asyncio.gather(*[client.post_form(url, with_token) for _ in range(3)])
    assert {r.headers["location"] for r in results} == {f"/community/t/{topic_id}#post-2"}
    # Without a token, the same text from the same author within 10 seconds counts once.
    api_url = f"/api/v1/community/topics/{topic_id}/posts"
    one = await client.api("POST", api_url, json={"body": "APIの返信"})
    two = await client.api("POST", api_url, json={"body": "APIの返信"})
    assert (one.status_code, two.status_code) == (201, 200)
    assert one.json()["id"] == two.json()["id"]
    assert await Post.count().where(Post.topic == topic_id) == 3
    assert await Signal.count().where(Signal.kind == "reply_created") == 2
    topic = await Topic.objects().where(Topic.id == topic_id).first()
    assert topic.post_count == 3


async def test_replying_where_you_cannot_see_leaves_nothing(client, settings):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.private_a)
    await signed_in(client, world.bob)
    response = await client.api(
        "POST", f"/api/v1/community/topics/{topic_id}/posts", json={"body": "侵入"}
    )
    assert response.status_code == 404
    assert await Post.count().where(Post.topic == topic_id) == 1
    assert await Signal.count().where(Signal.kind == "reply_created") == 0


async def test_numbers_beyond_any_row_id_are_refused_not_crashed(client, settings):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public)
    await signed_in(client, world.bob)
    huge = 2**40
    for path in (
        f"/community/t/{huge}",
        f"/community/t/{topic_id}?quote={huge}",
        f"/community?cursor=1_{huge}",
        f"/api/v1/community/topics/{huge}",
        f"/api/v1/community/topics?category_id={huge}",
    ):
        response = await client.get(path)
        assert response.status_code == 400, (path, response.status_code)
    accept = await client.post_form(f"/community/t/{topic_id}/accept", {"post_id": huge})
    assert accept.status_code == 400
    api = await client.api(
        "POST",
        "/api/v1/community/topics",
        json={"category_id": huge, "title": "t", "body": "b"},
    )
    assert api.status_code == 400
    await client.api("PUT", f"/api/v1/community/posts/{huge}/like")
    assert await Post.count() == 1
