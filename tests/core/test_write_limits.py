"""Writes per member per minute: past the limit a translated 429 with Retry-After, and the
request is not handled (nothing written)."""

from __future__ import annotations

import pytest

from community.tables import Post
from settings import Settings
from tests.community.helpers import World, make_topic
from tests.support import signed_in


@pytest.fixture
async def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"write_limit_per_minute": 3})


async def test_replies_past_the_limit_get_429_in_japanese_and_write_nothing(client):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public)
    await signed_in(client, world.bob)
    for n in range(3):  # signing in is anonymous: not counted
        response = await client.post_form(f"/community/t/{topic_id}/reply", {"body": f"返信{n}"})
        assert response.status_code == 303, response.text
    posts_before = await Post.count()

    response = await client.post_form(f"/community/t/{topic_id}/reply", {"body": "多すぎる返信"})
    assert response.status_code == 429
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert response.headers["ratelimit-limit"] == "3"
    assert "しばらく" in response.text or "1分" in response.text
    assert await Post.count() == posts_before

    # Reading is not limited, and another member is not affected.
    assert (await client.get(f"/community/t/{topic_id}")).status_code == 200


async def test_api_writes_over_the_session_are_limited_with_problem_json(client):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public)
    await signed_in(client, world.bob)
    statuses = []
    for n in range(4):
        response = await client.api(
            "POST", f"/api/v1/community/topics/{topic_id}/posts", json={"body": f"API返信{n}"}
        )
        statuses.append(response.status_code)
    assert statuses == [201, 201, 201, 429]
    assert response.headers["content-type"].startswith("application/problem+json")
