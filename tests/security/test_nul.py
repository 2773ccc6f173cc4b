"""A NUL character anywhere in a request is a translated 400 and nothing is stored.

Before the check, a NUL in a post, a reply's client token or a search made PostgreSQL fail the
statement (500), and SQLite's full-text search fail its MATCH (503). Text that only mentions
NUL (`\\u0000` written out, `%00` in JSON) is ordinary text.
"""

from __future__ import annotations

from typing import Any

import pytest

from community.tables import Post, Topic
from settings import Settings
from tests.community.helpers import World, make_topic
from tests.support import FormClient, problem, signed_in

NUL = "a\x00b"
REFUSED = "NUL 文字（U+0000）"


@pytest.fixture
async def world(client: FormClient) -> World:
    world = await World.create()
    await make_topic(world.alice, world.public)
    await signed_in(client, world.alice)
    return world


async def stored() -> tuple[int, int]:
    return await Topic.count(), await Post.count()


def api_requests(world: World) -> list[tuple[str, str, Any]]:
    topic = {"category_id": world.public.id, "kind": "question", "title": "題", "body": "本文"}
    return [
        ("POST", "/api/v1/community/topics", {**topic, "title": "題" + NUL}),
        ("POST", "/api/v1/community/topics", {**topic, "body": "本文" + NUL}),
        ("POST", "/api/v1/community/topics/1/posts", {"body": "返信", "client_token": NUL}),
        ("POST", "/api/v1/community/preview", {"body": NUL}),
        ("GET", "/api/v1/community/search?q=a%00bcd", None),
        ("GET", "/api/v1/community/search?q=%00", None),
        ("GET", "/api/v1/community/topics?cursor=a%00b", None),
    ]


async def test_api_requests_with_a_nul_are_refused(
    client: FormClient, settings: Settings, world: World
) -> None:
    before = await stored()
    for method, url, body in api_requests(world):
        response = await client.api(method, url, json=body)
        assert response.status_code == 400, (url, response.text)
        assert REFUSED in problem(response)["detail"], url
    assert await stored() == before


async def test_forms_with_a_nul_are_refused(
    client: FormClient, settings: Settings, world: World
) -> None:
    before = await stored()
    response = await client.post_form(
        "/community/new",
        {"category_id": world.public.id, "kind": "question", "title": "題", "body": NUL},
    )
    assert response.status_code == 400
    assert REFUSED in response.text
    search = await client.get("/community/search", params={"q": NUL})
    assert search.status_code == 400
    assert await stored() == before


async def test_text_that_mentions_nul_is_accepted(
    client: FormClient, settings: Settings, world: World
) -> None:
    body = "終端は \\u0000、URL では %00 と書きます。"
    response = await client.api(
        "POST",
        "/api/v1/community/topics",
        json={"category_id": world.public.id, "kind": "question", "title": "NUL", "body": body},
    )
    assert response.status_code == 201, response.text
    post = await Post.select(Post.body_markdown).order_by(Post.id, ascending=False).first()
    assert post is not None
    assert post["body_markdown"] == body
    found = await client.api("GET", "/api/v1/community/search", params={"q": "%00"})
    assert found.status_code == 200
