"""Issue 12, item 13: the small display faults, read off the pages a real browser gets.

(Layout — one header line at 1280 px, the phone menu, the dashboard's last column, the roster
checkbox beside its label — is measured in a real browser: tests/e2e/test_display.py.)
"""

from __future__ import annotations

import re

from community.moderation import flag_post, set_topic_flag
from tests.community.helpers import World, make_reply, make_topic
from tests.support import signed_in


def current_links(html: str) -> list[str]:
    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    return re.findall(r'<a href="([^"]+)" aria-current="page"', header)


async def test_one_current_link_and_an_administration_menu(client, settings):
    world = await World.create()
    await signed_in(client, world.csm)
    moderation = (await client.get("/community/moderation")).text
    assert current_links(moderation) == ["/community/moderation"]  # not コミュニティ as well
    community = (await client.get("/community")).text
    assert current_links(community) == ["/community"]
    assert "<summary>管理</summary>" in community and 'href="/staff/crm"' in community
    accounts = (await client.get("/staff/accounts")).text
    assert current_links(accounts) == ["/staff/accounts"]
    assert '<summary class="current">管理</summary>' in accounts
    assert 'class="nav-toggle-label">メニュー</label>' in accounts  # the phone menu
    await signed_in(client, world.alice)
    customer = (await client.get("/community")).text
    assert "管理" not in customer[: customer.index("</header>")]


async def test_a_question_has_one_question_badge(client, settings):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public, title="質問です")
    await signed_in(client, world.alice)
    page = (await client.get(f"/community/t/{topic_id}")).text
    header = page[
        page.index('<header class="topic-header">') : page.index(
            "</header>", page.index('<header class="topic-header">')
        )
    ]
    assert header.count(">質問<") == 1


async def test_the_flag_queue_says_what_each_choice_does(client, settings):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public)
    visible = await make_reply(world.bob, topic_id, "見えている返信")
    await flag_post(world.anna, visible, "spam", None)
    await signed_in(client, world.csm)
    queue = (await client.get("/community/moderation")).text
    assert "表示を続ける" in queue and "非表示にする" in queue and "非表示のままにする" not in queue
    await flag_post(world.alice, visible, "spam", None)
    await flag_post(world.admin, visible, "spam", None)  # three flags hide it
    queue = (await client.get("/community/moderation")).text
    assert "非表示のままにする" in queue and "再表示" in queue and "表示を続ける" not in queue


async def test_the_account_page_names_topics_by_their_titles(client, settings):
    world = await World.create()
    shown = await make_topic(world.alice, world.public, title="CSV の取り込みで文字化けします")
    hidden = await make_topic(world.alice, world.public, title="非表示にした話題")
    await set_topic_flag(world.csm, hidden, "hidden", True)
    await signed_in(client, world.csm)
    page = (await client.get(f"/staff/engagement/accounts/{world.account_a.id}")).text
    assert f'<a href="/community/t/{shown}">CSV の取り込みで文字化けします</a>' in page
    assert "トピック #" not in page and "非表示にした話題" not in page
    assert "表示できないトピック" in page


async def test_a_favicon_is_served(client, settings):
    icon = await client.get("/favicon.ico", follow_redirects=True)
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    page = await client.get("/login")
    assert 'rel="icon" href="/static/favicon.svg"' in page.text
