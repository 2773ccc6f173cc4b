"""Topics and replies: create, read, Markdown, mentions, preview, quote, edit history, delete."""

from __future__ import annotations

import re

from community.tables import Post, PostRevision, Topic
from engagement.tables import Signal
from tests.community.helpers import World, make_reply, make_topic
from tests.support import signed_in


async def test_member_opens_a_question_and_another_replies(client, other_client, settings):
    world = await World.create()
    await signed_in(client, world.alice)
    response = await client.post_form(
        "/community/new",
        {
            "category_id": world.public.id,
            "kind": "question",
            "title": "CSVの取り込みでエラーになります",
            "body": "**手順**\n\n1. 管理画面を開く\n2. CSVを選ぶ\n\n```\nError: 文字コード\n```",
        },
    )
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    topic_id = int(location.rsplit("/", 1)[1])
    page = await client.get(location)
    assert page.status_code == 200
    assert "CSVの取り込みでエラーになります" in page.text
    assert "<strong>手順</strong>" in page.text and "<ol>" in page.text and "<pre>" in page.text
    await signed_in(other_client, world.anna)
    response = await other_client.post_form(
        f"/community/t/{topic_id}/reply", {"body": "文字コードをUTF-8にしてください。"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/community/t/{topic_id}#post-2"
    page = await client.get(f"/community/t/{topic_id}")
    assert "文字コードをUTF-8にしてください。" in page.text
    topic = await Topic.objects().where(Topic.id == topic_id).first()
    assert topic.post_count == 2 and topic.first_response_at is not None
    kinds = sorted(
        s["kind"] for s in await Signal.select(Signal.kind) if s["kind"] != "daily_visit"
    )
    assert kinds == ["reply_created", "topic_created"]


async def test_links_are_nofollow_and_mentions_link_to_members(client, settings):
    world = await World.create()
    topic_id = await make_topic(
        world.alice,
        world.public,
        body=f"[資料](https://example.com/doc) を見てください @{world.anna.handle} と @nobody",
    )
    post = await Post.objects().where(Post.topic == topic_id).first()
    assert 'rel="nofollow ugc noopener"' in post.body_html
    assert f'href="/community/u/{world.anna.handle}"' in post.body_html
    assert "@nobody" in post.body_html and "/community/u/nobody" not in post.body_html
    await signed_in(client, world.bob)
    profile = await client.get(f"/community/u/{world.anna.handle}")
    assert profile.status_code == 200 and "安奈 由美" in profile.text


async def test_preview_renders_without_saving(client, settings):
    world = await World.create()
    await signed_in(client, world.alice)
    fragment = await client.post_form(
        "/community/preview", {"body": "# 見出し\n\n<script>x</script>"}
    )
    assert fragment.status_code == 200
    assert "<h1>見出し</h1>" in fragment.text and "<script" not in fragment.text
    # Without JavaScript, the Preview button re-renders the form with the preview.
    page = await client.post_form(
        "/community/new",
        {
            "category_id": world.public.id,
            "kind": "discussion",
            "title": "下書き",
            "body": "*強調*",
            "action": "preview",
        },
    )
    assert page.status_code == 200
    assert "<em>強調</em>" in page.text and 'value="下書き"' in page.text
    api = await client.api("POST", "/api/v1/community/preview", json={"body": "`code`"})
    assert api.json() == {"html": "<p><code>code</code></p>\n"}
    assert await Topic.count() == 0


async def test_quote_prefills_the_reply(client, settings):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public, body="一行目\n\n二行目")
    first = await Post.objects().where(Post.topic == topic_id).first()
    await signed_in(client, world.anna)
    page = await client.get(f"/community/t/{topic_id}?quote={first.id}")
    textarea = re.search(r'<textarea id="f-body"[^>]*>(.*?)</textarea>', page.text, re.S).group(1)
    assert "&gt; **有栖 花子**:" in textarea
    assert "&gt; 一行目" in textarea and "&gt; 二行目" in textarea


async def test_edit_keeps_history_that_only_staff_can_read(client, other_client, settings):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public)
    post_id = await make_reply(world.anna, topic_id, "最初の文")
    await signed_in(client, world.anna)
    response = await client.post_form(f"/community/p/{post_id}/edit", {"body": "直した文"})
    assert response.status_code == 303
    post = await Post.objects().where(Post.id == post_id).first()
    assert post.body_markdown == "直した文" and post.edited_at is not None
    revisions = await PostRevision.select().where(PostRevision.post == post_id)
    assert [r["body_markdown"] for r in revisions] == ["最初の文"]
    assert (await client.get(f"/community/p/{post_id}/history")).status_code == 403
    # Someone else cannot edit it.
    await signed_in(other_client, world.alice)
    refused = await other_client.post_form(f"/community/p/{post_id}/edit", {"body": "乗っ取り"})
    assert refused.status_code == 404
    await other_client.post_form("/logout")
    await signed_in(other_client, world.csm)
    history = await other_client.get(f"/community/p/{post_id}/history")
    assert history.status_code == 200 and "最初の文" in history.text and "直した文" in history.text


async def test_soft_delete_keeps_a_placeholder(client, settings):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public)
    post_id = await make_reply(world.anna, topic_id, "消す予定の返信")
    await signed_in(client, world.anna)
    response = await client.post_form(f"/community/p/{post_id}/delete")
    assert response.status_code == 303
    page = await client.get(f"/community/t/{topic_id}")
    assert "消す予定の返信" not in page.text
    assert "この投稿は削除されました" in page.text
    assert await Post.count().where(Post.id == post_id) == 1
