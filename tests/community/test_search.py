"""Search: Japanese from one character, English, NFKC on both sides, highlighting, visibility."""

from __future__ import annotations

import pytest

from community.search import highlight, make_snippet, query_terms, search
from tests.community.helpers import World, make_reply, make_topic
from tests.support import signed_in


async def _world_with_posts() -> World:
    world = await World.create()
    await make_topic(world.alice, world.public, title="請求書の発行について", body="経理部です。")
    topic = await make_topic(
        world.alice,
        world.public,
        title="APIの認証",
        body="トークンの有効期限を教えてください。",
        kind="discussion",
    )
    await make_reply(world.bob, topic, "Webhook の再送は ＡＰＩ 設定から行えます。")
    await make_topic(world.alice, world.private_a, title="社内の請求ルール", body="エー社だけ")
    return world


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("請", {"請求書の発行について"}),  # one character
        ("請求", {"請求書の発行について"}),  # two characters (base-table scan)
        ("請求書", {"請求書の発行について"}),  # three: trigram index
        ("経理", {"請求書の発行について"}),  # body, two characters
        ("有効期限", {"APIの認証"}),  # body, trigram
        ("webhook", {"APIの認証"}),  # case-folded English in a reply
        ("ａｐｉ", {"APIの認証"}),  # full-width query meets half-width text
        ("api 再送", {"APIの認証"}),  # every term, in one post
        ("存在しない語", set()),
        ("%", set()),
        ("_", set()),
    ],
)
async def test_search_finds_titles_and_bodies(settings, query, expected):
    world = await _world_with_posts()
    hits = await search(world.bob, query)
    assert {hit.title for hit in hits} == expected


async def test_search_respects_visibility_and_removed_posts(client, settings):
    world = await _world_with_posts()
    assert {h.title for h in await search(world.bob, "請求")} == {"請求書の発行について"}
    assert {h.title for h in await search(world.anna, "請求")} == {
        "請求書の発行について",
        "社内の請求ルール",
    }
    topic = await make_topic(world.alice, world.public, title="雑談", body="特別な合言葉")
    reply = await make_reply(world.bob, topic, "消える合言葉ふたつめ")
    await signed_in(client, world.bob)
    await client.post_form(f"/community/p/{reply}/delete")
    assert await search(world.anna, "ふたつめ") == []
    assert {h.title for h in await search(world.anna, "合言葉")} == {"雑談"}


async def test_search_page_highlights_the_match_safely(client, settings):
    world = await World.create()
    await make_topic(
        world.alice,
        world.public,
        title="<b>太字</b>の請求",
        body="請求書の <script>alert(1)</script> 書き方",
        kind="discussion",
    )
    await signed_in(client, world.bob)
    page = await client.get("/community/search?q=請求")
    assert page.status_code == 200
    assert "&lt;b&gt;太字&lt;/b&gt;の<mark>請求</mark>" in page.text
    assert "<mark>請求</mark>書の" in page.text
    assert "<script>alert" not in page.text
    too_long = await client.get("/community/search?q=" + "あ" * 101)
    assert too_long.status_code == 400 and "100文字以内" in too_long.text


def test_highlight_maps_normalised_matches_back_to_the_original_text():
    assert str(highlight("ＡＰＩ設定", query_terms("api"))) == "<mark>ＡＰＩ</mark>設定"
    assert str(highlight("ｶﾞｲﾄﾞ<a>", query_terms("ガイド"))) == "<mark>ｶﾞｲﾄﾞ</mark>&lt;a&gt;"
    assert str(highlight("a&b", ["&"])) == "a<mark>&amp;</mark>b"
    text = "前置き" * 40 + "目的の語" + "後ろ" * 100
    snippet = make_snippet(text, ["目的"])
    assert snippet.startswith("…") and snippet.endswith("…") and "目的の語" in snippet


async def test_three_characters_use_the_trigram_index_and_shorter_ones_scan(settings):
    from community.search import body_query, title_query
    from community.visibility import fetch_dicts
    from core.database import is_postgres, transaction

    world = await _world_with_posts()

    async def plan(sql) -> str:
        async with transaction():
            if is_postgres():
                # Tiny tables make a sequential scan cheapest; forbid it to see the index used.
                await fetch_dicts("SET LOCAL enable_seqscan = off")
                rows = await fetch_dicts("EXPLAIN " + sql.text, *sql.args)
            else:
                rows = await fetch_dicts("EXPLAIN QUERY PLAN " + sql.text, *sql.args)
        return "\n".join(str(list(row.values())) for row in rows)

    long_body = await plan(body_query(world.bob, ["有効期限"], 10))
    long_title = await plan(title_query(world.bob, ["請求書"], 10))
    short_body = await plan(body_query(world.bob, ["請求"], 10))
    if is_postgres():
        assert "community_post_search_trgm" in long_body
        assert "community_topic_search_trgm" in long_title
        assert "trgm" not in short_body
    else:
        assert "community_post_fts" in long_body
        assert "community_topic_fts" in long_title
        assert "_fts" not in short_body


@pytest.mark.parametrize(
    "query",
    ['"', '""""', "AND OR NOT", "NEAR(a b)", "***", "a'b'c", "\\\\\\", "%_%", "col:umn", "😀😀😀"],
)
async def test_odd_queries_are_searched_literally(client, settings, query):
    world = await World.create()
    await make_topic(world.alice, world.public, title=f"記号 {query} を含む題", kind="discussion")
    await signed_in(client, world.bob)
    page = await client.get("/community/search", params={"q": query})
    assert page.status_code == 200
    assert "記号" in page.text
