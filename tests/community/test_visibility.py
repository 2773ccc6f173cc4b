"""Private categories never leak: lists, topic pages, replies, search, notifications and API."""

from __future__ import annotations

from community.tables import Notification, Post
from tests.community.helpers import World, make_reply, make_topic
from tests.support import problem, signed_in

SECRET = "エー社の秘密の相談"


async def _private_topic(world: World) -> int:
    return await make_topic(world.alice, world.private_a, title=SECRET, body="社外秘の内容です。")


async def test_other_account_sees_nothing_of_a_private_category(client, settings):
    world = await World.create()
    topic_id = await _private_topic(world)
    await signed_in(client, world.bob)
    for path in ("/community", "/community/search?q=秘密", "/"):
        page = await client.get(path)
        assert page.status_code == 200
        assert SECRET not in page.text and "エー社専用" not in page.text
    for path in (f"/community/t/{topic_id}", f"/community/c/{world.private_a.id}"):
        page = await client.get(path)
        assert page.status_code == 404
        assert "存在しないか、閲覧できません" in page.text
    # A category or topic that does not exist answers exactly the same.
    assert (await client.get("/community/t/999999")).status_code == 404
    assert (await client.get("/community/c/999999")).status_code == 404


async def test_other_account_cannot_write_into_a_private_topic(client, settings):
    world = await World.create()
    topic_id = await _private_topic(world)
    first = await Post.objects().where(Post.topic == topic_id).first()
    await signed_in(client, world.bob)
    reply = await client.post_form(f"/community/t/{topic_id}/reply", {"body": "のぞき見"})
    assert reply.status_code == 404
    like = await client.post_form(f"/community/p/{first.id}/like")
    assert like.status_code == 404
    flag = await client.post_form(f"/community/p/{first.id}/flag", {"reason": "spam"})
    assert flag.status_code == 404
    new = await client.post_form(
        "/community/new",
        {"category_id": world.private_a.id, "kind": "discussion", "title": "侵入", "body": "本文"},
    )
    assert new.status_code == 404
    quote = await client.get(f"/community/t/{topic_id}?quote={first.id}")
    assert quote.status_code == 404
    assert await Post.count().where(Post.topic == topic_id) == 1


async def test_api_applies_the_same_visibility(client, settings):
    world = await World.create()
    topic_id = await _private_topic(world)
    await signed_in(client, world.bob)
    categories = (await client.api("GET", "/api/v1/community/categories")).json()
    assert [c["name"] for c in categories] == ["一般"]
    topics = (await client.api("GET", "/api/v1/community/topics")).json()
    assert topics["items"] == []
    response = await client.api("GET", f"/api/v1/community/topics/{topic_id}")
    assert response.status_code == 404
    assert "存在しないか" in problem(response)["detail"]
    response = await client.api(
        "POST", f"/api/v1/community/topics/{topic_id}/posts", json={"body": "のぞき見"}
    )
    assert response.status_code == 404
    hits = (await client.api("GET", "/api/v1/community/search?q=秘密")).json()
    assert hits == []


async def test_same_account_and_staff_see_the_private_category(client, other_client, settings):
    world = await World.create()
    topic_id = await _private_topic(world)
    await signed_in(client, world.anna)
    assert SECRET in (await client.get("/community")).text
    assert (await client.get(f"/community/t/{topic_id}")).status_code == 200
    await signed_in(other_client, world.csm)
    assert SECRET in (await other_client.get("/community")).text
    staff_topic = await make_topic(world.csm, world.staff_only, title="スタッフ間の連絡")
    assert (await client.get(f"/community/t/{staff_topic}")).status_code == 404
    assert "スタッフ間の連絡" not in (await client.get("/community")).text


async def test_mentions_never_notify_someone_who_cannot_read_the_topic(client, settings):
    world = await World.create()
    topic_id = await _private_topic(world)
    await make_reply(
        world.anna, topic_id, f"@{world.bob.handle} @{world.alice.handle} 見てください"
    )
    recipients = {n["recipient"] for n in await Notification.select(Notification.recipient)}
    assert recipients == {world.alice.id}
    await signed_in(client, world.bob)
    assert (await client.api("GET", "/api/v1/community/notifications")).json() == []


async def test_hidden_topic_is_gone_for_members_but_not_for_staff(client, other_client, settings):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public, title="非表示になる話題")
    await signed_in(other_client, world.csm)
    response = await other_client.post_form(f"/community/t/{topic_id}/hide")
    assert response.status_code == 303
    await signed_in(client, world.bob)
    assert (await client.get(f"/community/t/{topic_id}")).status_code == 404
    assert "非表示になる話題" not in (await client.get("/community")).text
    assert "非表示になる話題" not in (await client.get("/community/search?q=非表示")).text
    assert (await other_client.get(f"/community/t/{topic_id}")).status_code == 200


async def test_anonymous_visitors_are_sent_to_sign_in(client, settings):
    await World.create()
    response = await client.get("/community", follow_redirects=False)
    assert response.status_code in (302, 303, 307)
    assert response.headers["location"].startswith("/login")
    api = await client.api("GET", "/api/v1/community/topics")
    assert api.status_code == 401
