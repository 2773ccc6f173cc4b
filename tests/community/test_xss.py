"""XSS: a corpus of hostile input through every place the forum shows member text."""

from __future__ import annotations

import pytest

from community.tables import Post
from settings import Settings
from tests.community.helpers import World, make_reply, make_topic
from tests.security.xss_corpus import PAYLOADS, audit, post_bodies
from tests.support import signed_in, subject_of


@pytest.fixture
async def settings(settings: Settings) -> Settings:
    # One member sends the whole corpus within a minute: above the per-member write limit.
    return settings.model_copy(update={"write_limit_per_minute": 10_000})


def test_the_corpus_is_large_and_the_audit_catches_raw_payloads():
    assert len(PAYLOADS) >= 40
    # The audit must be able to fail: unsanitised payloads are caught.
    caught = [p for p in PAYLOADS if audit(p)]
    assert len(caught) >= 35


async def test_no_payload_survives_rendering(client, settings):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public, title="XSSの検証", body="本文")
    for payload in PAYLOADS:
        await make_reply(world.bob, topic_id, payload)
    stored = await Post.select(Post.body_markdown, Post.body_html).where(Post.number > 1)
    for row in stored:
        assert audit(row["body_html"]) == [], row["body_markdown"]
    await signed_in(client, world.alice)
    page = await client.get(f"/community/t/{topic_id}")
    bodies = post_bodies(page.text)
    assert len(bodies) == len(PAYLOADS) + 1
    for body in bodies:
        assert audit(body) == []
    assert audit(page.text, in_post=False) == []
    api = await client.api("GET", f"/api/v1/community/topics/{topic_id}")
    for post in api.json()["posts"]:
        assert audit(post["body_html"]) == []


async def test_preview_neutralises_every_payload(client, settings):
    world = await World.create()
    await signed_in(client, world.alice)
    for payload in PAYLOADS:
        fragment = await client.post_form("/community/preview", {"body": payload})
        assert fragment.status_code == 200
        assert audit(fragment.text) == [], payload


async def test_hostile_titles_names_and_queries_are_escaped(client, settings, run_jobs, mailbox):
    world = await World.create()
    hostile = '<img src=x onerror=alert(1)>"><script>alert(1)</script>'
    topic_id = await make_topic(world.alice, world.public, title=hostile)
    await make_reply(world.bob, topic_id, "返信")
    await signed_in(client, world.alice)
    for path in (
        "/community",
        f"/community/t/{topic_id}",
        "/community/search?q=" + "<script>alert(1)</script>",
        "/community/search?q=img",
        "/notifications",
        "/",
    ):
        page = await client.get(path)
        assert page.status_code == 200
        assert audit(page.text, in_post=False) == [], path
        assert "<img src=x" not in page.text
    await run_jobs()
    message = mailbox.to(world.alice.email)[0]
    assert hostile in subject_of(message)  # plain text: shown, not run
    html_part = next(p for p in message.walk() if p.get_content_type() == "text/html")
    html = html_part.get_payload(decode=True).decode()
    assert audit(html, in_post=False) == []
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
