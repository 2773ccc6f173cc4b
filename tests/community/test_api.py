"""The JSON API: the same features and checks as the pages, documented in the OpenAPI schema."""

from __future__ import annotations

from community.tables import Topic
from tests.community.helpers import World, make_reply, make_topic
from tests.support import problem, signed_in


async def test_api_round_trip(client, other_client, settings):
    world = await World.create()
    await signed_in(client, world.alice)
    created = await client.api(
        "POST",
        "/api/v1/community/topics",
        json={
            "category_id": world.public.id,
            "kind": "question",
            "title": "APIからの質問",
            "body": "**太字**の本文",
            "client_token": "api-1",
        },
    )
    assert created.status_code == 201, created.text
    detail = created.json()
    topic_id = detail["topic"]["id"]
    assert detail["topic"]["author"]["account_name"] == "株式会社エー"
    assert detail["posts"][0]["body_html"] == "<p><strong>太字</strong>の本文</p>\n"
    repeated = await client.api(
        "POST",
        "/api/v1/community/topics",
        json={"category_id": world.public.id, "title": "別", "body": "別", "client_token": "api-1"},
    )
    assert repeated.status_code == 200 and repeated.json()["topic"]["id"] == topic_id
    await signed_in(other_client, world.bob)
    reply = await other_client.api(
        "POST", f"/api/v1/community/topics/{topic_id}/posts", json={"body": "回答です"}
    )
    assert reply.status_code == 201
    post = reply.json()
    assert post["number"] == 2 and post["author"]["handle"] == world.bob.handle
    liked = await client.api("PUT", f"/api/v1/community/posts/{post['id']}/like")
    assert liked.json() == {"post_id": post["id"], "liked": True, "like_count": 1}
    accepted = await client.api(
        "POST", f"/api/v1/community/topics/{topic_id}/accept", json={"post_id": post["id"]}
    )
    assert accepted.status_code == 200
    body = accepted.json()
    assert body["topic"]["solved"] and body["topic"]["accepted_post_id"] == post["id"]
    assert [p["accepted"] for p in body["posts"]] == [False, True]
    listing = await other_client.api("GET", "/api/v1/community/topics?status=solved")
    assert [t["id"] for t in listing.json()["items"]] == [topic_id]
    withdrawn = await client.api("DELETE", f"/api/v1/community/topics/{topic_id}/accept")
    assert not withdrawn.json()["topic"]["solved"]
    hits = await other_client.api("GET", "/api/v1/community/search?q=太字")
    assert [h["topic_id"] for h in hits.json()] == [topic_id]
    notes = await other_client.api("GET", "/api/v1/community/notifications")
    assert [n["kind"] for n in notes.json()] == ["accepted"]


async def test_api_errors_are_problem_json_in_japanese(client, settings):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public)
    await make_reply(world.bob, topic_id)
    await Topic.update({Topic.locked: True}).where(Topic.id == topic_id)
    await signed_in(client, world.anna)
    locked = await client.api(
        "POST", f"/api/v1/community/topics/{topic_id}/posts", json={"body": "追記"}
    )
    assert locked.status_code == 403
    assert problem(locked)["detail"] == "このトピックはロックされています。これ以上返信できません。"
    missing = await client.api("GET", "/api/v1/community/topics/424242")
    assert missing.status_code == 404 and problem(missing)["status"] == 404
    bad_limit = await client.api("GET", "/api/v1/community/topics?limit=1000")
    assert bad_limit.status_code == 400
    no_csrf = await client.raw.post("/api/v1/community/preview", json={"body": "x"})
    assert no_csrf.status_code == 403


async def test_openapi_documents_the_community_api(client, settings):
    schema = (await client.get("/schema/openapi.json")).json()
    paths = schema["paths"]
    for path in (
        "/api/v1/community/categories",
        "/api/v1/community/topics",
        "/api/v1/community/topics/{topic_id}",
        "/api/v1/community/topics/{topic_id}/posts",
        "/api/v1/community/topics/{topic_id}/accept",
        "/api/v1/community/posts/{post_id}/like",
        "/api/v1/community/search",
    ):
        assert path in paths, path
    assert not any(p.startswith("/community") for p in paths)  # pages stay out of the API
    create = schema["components"]["schemas"]["TopicCreate"]["properties"]
    assert create["title"]["maxLength"] == 150 and create["body"]["maxLength"] == 20000
