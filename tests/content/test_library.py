"""The content library: who sees which item, tracked views once a day, done once (even with
two clicks at once), and the staff form's refusals."""

from __future__ import annotations

import asyncio

from content.schemas import ContentIn
from content.services import complete_item, library, open_item, save_item, visible_item
from content.tables import ContentItem, ContentProgress
from core.errors import Forbidden, NotFound
from engagement.tables import Signal
from tests.factories import make_account, make_member
from tests.support import signed_in


async def _items(admin, high, other) -> dict[str, int]:
    def item(title: str, **fields) -> ContentIn:
        return ContentIn(title=title, body="本文", published=True, **fields)

    return {
        "all": await save_item(admin, None, item("全員向け", minutes=25)),
        "high": await save_item(
            admin, None, item("ハイタッチ向け", audience="tiers", audience_tiers=["high"])
        ),
        "mine": await save_item(
            admin, None, item("A社向け", audience="accounts", audience_accounts=[high.id])
        ),
        "other": await save_item(
            admin, None, item("B社向け", audience="accounts", audience_accounts=[other.id])
        ),
        "draft": await save_item(admin, None, ContentIn(title="下書き", body="本文")),
    }


async def test_each_member_sees_the_items_of_their_audience(app) -> None:
    high = await make_account("A社", touch_tier="high")
    other = await make_account("B社", touch_tier="low")
    admin = await make_member(None, role="admin")
    alice = await make_member(high)
    bob = await make_member(other)
    ids = await _items(admin, high, other)

    assert {i.title for i in await library(alice)} == {"全員向け", "ハイタッチ向け", "A社向け"}
    assert {i.title for i in await library(bob)} == {"全員向け", "B社向け"}
    assert len(await library(admin)) == 5  # staff: drafts too
    for hidden in ("other", "draft"):
        try:
            await visible_item(alice, ids[hidden])
        except NotFound:
            continue
        raise AssertionError(f"{hidden} was visible to alice")
    assert all(item.new for item in await library(alice))


async def test_a_view_counts_once_a_day_and_staff_views_not_at_all(app) -> None:
    account = await make_account(touch_tier="low")
    admin = await make_member(None, role="admin")
    alice = await make_member(account)
    item_id = await save_item(admin, None, ContentIn(title="記事", body="本文", published=True))

    await open_item(alice, item_id)
    await open_item(alice, item_id)
    await open_item(admin, item_id)
    views = await Signal.select().where(Signal.kind == "content_viewed")
    assert [(v["member"], v["subject_id"]) for v in views] == [(alice.id, item_id)]
    progress = await ContentProgress.select().where(ContentProgress.member == alice.id).first()
    assert progress["views"] == 2 and progress["first_viewed_at"] is not None
    [seen] = await library(alice)
    assert not seen.new and not seen.done


async def test_done_once_even_with_two_clicks_at_once(app) -> None:
    account = await make_account(touch_tier="low")
    admin = await make_member(None, role="admin")
    alice = await make_member(account)
    item_id = await save_item(
        admin,
        None,
        ContentIn(title="動画", url="https://videos.example/a", minutes=12, published=True),
    )
    told: list[tuple[int, int]] = []

    async def listener(member_id: int, item: int, _at) -> None:
        told.append((member_id, item))

    results = await asyncio.gather(
        complete_item(alice, item_id, [listener]), complete_item(alice, item_id, [listener])
    )
    assert sorted(results) == [False, True]
    [signal] = await Signal.select().where(Signal.kind == "content_completed")
    assert signal["value"] == 12.0 and signal["member"] == alice.id
    assert told == [(alice.id, item_id)]
    assert await complete_item(alice, item_id, [listener]) is False
    try:
        await complete_item(admin, item_id)
    except Forbidden:
        pass
    else:
        raise AssertionError("staff completed content")


async def test_pages_open_tracked_links_and_mark_done(app, client) -> None:
    account = await make_account(touch_tier="low")
    other = await make_account(touch_tier="low")
    admin = await make_member(None, role="admin")
    alice = await make_member(account)
    video = await save_item(
        admin, None, ContentIn(title="設定動画", url="https://videos.example/setup", published=True)
    )
    secret = await save_item(
        admin,
        None,
        ContentIn(
            title="他社向け",
            body="x",
            published=True,
            audience="accounts",
            audience_accounts=[other.id],
        ),
    )
    await signed_in(client, alice)
    page = await client.get("/content")
    assert "設定動画" in page.text and "他社向け" not in page.text and "新着" in page.text
    opened = await client.get(f"/content/{video}/open")
    assert (
        opened.status_code == 302 and opened.headers["location"] == "https://videos.example/setup"
    )
    assert await Signal.count().where(Signal.kind == "content_viewed") == 1
    assert (await client.get(f"/content/{secret}")).status_code == 404
    done = await client.post_form(f"/content/{video}/done", {})
    assert done.status_code == 303
    shown = await client.get(f"/content/{video}")
    assert "完了" in shown.text
    api = await client.get("/api/v1/content")
    assert [item["title"] for item in api.json()["items"]] == ["設定動画"]
    assert api.json()["items"][0]["completed_at"] is not None


async def test_the_staff_form_says_what_is_wrong_and_saves_nothing(app, client) -> None:
    await signed_in(client, await make_member(None, role="admin"))
    cases = [
        ({"title": "", "body": "本文"}, "タイトルを入力してください"),
        ({"title": "リンクも本文もない"}, "リンクか本文のどちらかを入力してください"),
        ({"title": "壊れたリンク", "url": "javascript:alert(1)"}, "http:// または https://"),
        (
            {"title": "対象なし", "body": "x", "audience": "tiers"},
            "タッチモデルを1つ以上選んでください",
        ),
        ({"title": "所要時間", "body": "x", "minutes": "-5"}, "以上の値を入力してください"),
    ]
    for form, message in cases:
        response = await client.post_form("/staff/content/new", form)
        assert response.status_code == 400, form
        assert message in response.text, (form, response.text[:2000])
    assert await ContentItem.count() == 0
    saved = await client.post_form(
        "/staff/content/new", {"title": "保存できる", "body": "x", "tags": "Setup, CSV setup"}
    )
    assert saved.status_code == 303
    row = await ContentItem.select().first()
    assert row["tags"] == "setup csv" and row["published"] is False
