"""Categories: admins create and order them; navigation and the home section show the forum."""

from __future__ import annotations

from community.categories import visible_categories
from community.tables import Category
from tests.community.helpers import World, make_topic
from tests.support import signed_in


async def test_admin_creates_ordered_categories_with_visibility(client, other_client, settings):
    world = await World.create()
    await signed_in(client, world.admin)
    page = await client.get("/community/categories")
    assert page.status_code == 200 and "エー社専用" in page.text
    created = await client.post_form(
        "/community/categories",
        {"name": "はじめに", "description": "最初に読む", "position": -1, "visibility": "all"},
    )
    assert created.status_code == 303
    names = [c["name"] for c in await visible_categories(world.bob)]
    assert names == ["はじめに", "一般"]
    missing_account = await client.post_form(
        "/community/categories", {"name": "ビー社専用", "visibility": "account"}
    )
    assert missing_account.status_code == 400
    assert "非公開カテゴリの顧客企業を選んでください" in missing_account.text
    unknown_account = await client.post_form(
        "/community/categories", {"name": "謎", "visibility": "account", "account_id": 999999}
    )
    assert unknown_account.status_code == 404
    no_name = await client.post_form("/community/categories", {"name": "", "visibility": "all"})
    assert no_name.status_code == 400
    private_b = await client.post_form(
        "/community/categories",
        {"name": "ビー社専用", "visibility": "account", "account_id": world.account_b.id},
    )
    assert private_b.status_code == 303
    assert "ビー社専用" in [c["name"] for c in await visible_categories(world.bob)]
    assert "ビー社専用" not in [c["name"] for c in await visible_categories(world.alice)]
    edit = await client.post_form(
        f"/community/categories/{world.public.id}",
        {"name": "一般（改名）", "position": 5, "visibility": "all"},
    )
    assert edit.status_code == 303
    assert (await Category.objects().where(Category.id == world.public.id).first()).name == (
        "一般（改名）"
    )
    await signed_in(other_client, world.csm)
    assert (await other_client.get("/community/categories")).status_code == 403
    assert await Category.count().where(Category.name == "謎") == 0


async def test_navigation_and_home_section(client, other_client, settings):
    world = await World.create()
    await make_topic(world.alice, world.public, title="ホームに出る話題")
    await signed_in(client, world.bob)
    home = await client.get("/")
    assert 'href="/community"' in home.text and "ホームに出る話題" in home.text
    assert 'href="/community/moderation"' not in home.text
    await signed_in(other_client, world.csm)
    staff_home = await other_client.get("/")
    assert 'href="/community/moderation"' in staff_home.text
