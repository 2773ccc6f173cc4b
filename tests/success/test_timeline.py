"""One timeline per account: every source newest first, filtered by kind, paged without
repeating or skipping entries, and a bad cursor refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import DomainError
from core.timeutil import utcnow
from engagement.tables import ScoreAlert, Signal
from success.schemas import HomeworkIn, TaskIn
from success.tasks import create_task
from success.timeline import timeline
from tests.engagement.ui_helpers import put_snapshot
from tests.success.helpers import Cast, content, logged
from tests.support import signed_in


async def _story(cast: Cast) -> None:
    now = utcnow()
    item = await content(cast.admin, "権限設計")
    for days in (9, 6, 3):
        await logged(
            cast,
            cast.alice,
            when=now - timedelta(days=days),
            title=f"定例{days}",
            homework=[HomeworkIn(item_id=item, member_ids=[cast.alice.id])] if days == 3 else None,
        )
    await create_task(
        cast.csm, cast.account.id, TaskIn(title="電話", due_on=now.date()), now.date()
    )
    for n, kind in enumerate(("topic_created", "reply_created", "reply_created")):
        await Signal.insert(
            Signal(
                account=cast.account.id,
                member=cast.bob.id,
                kind=kind,
                occurred_at=now - timedelta(days=2, minutes=n),
                source="community",
                dedupe_key=f"forum:{n}",
            )
        )
    await ScoreAlert.insert(ScoreAlert(account=cast.account.id, kind="red", score=30.0))
    today = now.date()
    await put_snapshot(cast.account, today - timedelta(days=5), 55.0, "yellow")
    await put_snapshot(cast.account, today - timedelta(days=4), 35.0, "red")


async def test_every_source_newest_first_and_filters(app) -> None:
    cast = await Cast.create()
    await _story(cast)
    page = await timeline(cast.account.id, {}, "Asia/Tokyo", limit=50)
    sources = [e.source for e in page.entries]
    assert {"touch", "homework", "task", "forum", "score"} <= set(sources)
    moments = [e.at for e in page.entries]
    assert moments == sorted(moments, reverse=True)
    [forum] = [e for e in page.entries if e.source == "forum"]  # three signals, one day
    assert sum(forum.params["counts"].values()) == 3
    only = await timeline(cast.account.id, {}, "Asia/Tokyo", sources={"touch"})
    assert [e.params["title"] for e in only.entries] == ["定例3", "定例6", "定例9"]


async def test_pages_follow_each_other_exactly(app) -> None:
    cast = await Cast.create()
    await _story(cast)
    whole = await timeline(cast.account.id, {}, "Asia/Tokyo", limit=100)
    seen, cursor = [], None
    while True:
        page = await timeline(cast.account.id, {}, "Asia/Tokyo", cursor=cursor, limit=2)
        seen += [e.key for e in page.entries]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [e.key for e in whole.entries]
    with pytest.raises(DomainError):
        await timeline(cast.account.id, {}, "Asia/Tokyo", cursor="not-a-cursor")


async def test_the_timeline_page_and_the_account_page(app, client) -> None:
    cast = await Cast.create()
    await _story(cast)
    await signed_in(client, cast.csm)
    page = await client.get(f"/staff/success/accounts/{cast.account.id}/timeline?kind=touch")
    assert page.status_code == 200 and "定例3" in page.text and "電話" not in page.text
    bad = await client.get(f"/staff/success/accounts/{cast.account.id}/timeline?cursor=x")
    assert bad.status_code == 400
    account = await client.get(f"/staff/engagement/accounts/{cast.account.id}")
    assert account.status_code == 200
    assert (
        "ハイブリッド比率（人：デジタル）" in account.text and 'class="mix-chart"' in account.text
    )
    assert "タイムライン" in account.text and "定例3" in account.text


async def test_a_signal_without_a_subject_is_shown_without_a_link(app) -> None:
    cast = await Cast.create()
    await Signal.insert(
        Signal(
            account=cast.account.id,
            member=cast.alice.id,
            kind="webinar_attended",
            occurred_at=utcnow() - timedelta(days=1),
            source="import",
            dedupe_key="attended:legacy",
        )
    )
    page = await timeline(cast.account.id, {"registration": _no_links}, "Asia/Tokyo")
    [entry] = [e for e in page.entries if e.source == "event"]
    assert entry.link is None and entry.params["member"] == cast.alice.display_name


async def _no_links(ids: list[int]) -> dict:
    assert None not in ids
    return {}
