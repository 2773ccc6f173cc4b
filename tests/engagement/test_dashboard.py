"""The staff dashboard: filters, sort, CSV download (with the formula guard), silent accounts,
the account page with its history chart, and the portfolio."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from core.timeutil import utcnow
from engagement.recompute import recompute_scores
from engagement.tables import Signal
from tests.engagement.helpers import add_signal
from tests.engagement.ui_helpers import put_score, put_snapshot
from tests.factories import make_account, make_member
from tests.support import sign_in_as


def account_ids(html: str) -> list[int]:
    """Account ids of the table rows, in page order."""
    return [int(n) for n in re.findall(r'<tr data-account="(\d+)"', html)]


async def portfolio_of_four(csm_id: int) -> dict[str, int]:
    """Red, yellow and green accounts with different tiers and owners, and one never scored."""
    red = await make_account("赤字商事", arr=12_000_000, touch_tier="high", owner_id=csm_id)
    yellow = await make_account("黄色工業", arr=4_000_000, touch_tier="low")
    green = await make_account("緑化学", arr=500_000, touch_tier="tech", owner_id=csm_id)
    fresh = await make_account("新規株式会社", arr=100, touch_tier="tech")
    now = utcnow()
    await put_score(red, 22.5, "red", trend="down", last_activity_at=now - timedelta(days=50))
    await put_score(yellow, 55.0, "yellow", last_activity_at=now - timedelta(days=3))
    await put_score(green, 81.2, "green", trend="up", last_activity_at=now - timedelta(hours=2))
    return {"red": red.id, "yellow": yellow.id, "green": green.id, "fresh": fresh.id}


async def test_dashboard_lists_every_account_worst_first(client, settings):
    csm = await sign_in_as(client, "csm")
    ids = await portfolio_of_four(csm.id)
    response = await client.get("/staff/engagement")
    assert response.status_code == 200
    # Default: score ascending, accounts not yet scored last.
    assert account_ids(response.text) == [ids["red"], ids["yellow"], ids["green"], ids["fresh"]]
    html = response.text
    assert "要注意" in html and "注意" in html and "良好" in html
    assert "まだスコアがありません" in html or 'data-band="none"' in html
    red_row = html.split(f'<tr data-account="{ids["red"]}"')[1].split("</tr>")[0]
    assert 'class="flagged"' in red_row or "flag-mark" in red_row
    assert "↓" in red_row
    # Recommended tier from ARR (12M ≥ high 10M) next to the assigned one.
    assert "ハイタッチ" in red_row


async def test_filters_band_tier_owner(client, settings):
    csm = await sign_in_as(client, "csm")
    ids = await portfolio_of_four(csm.id)
    assert account_ids((await client.get("/staff/engagement?band=red")).text) == [ids["red"]]
    assert account_ids((await client.get("/staff/engagement?band=none")).text) == [ids["fresh"]]
    tech = account_ids((await client.get("/staff/engagement?tier=tech")).text)
    assert tech == [ids["green"], ids["fresh"]]
    mine = account_ids((await client.get("/staff/engagement?owner=me")).text)
    assert mine == [ids["red"], ids["green"]]
    by_id = account_ids((await client.get(f"/staff/engagement?owner={csm.id}&tier=high")).text)
    assert by_id == [ids["red"]]
    unowned = account_ids((await client.get("/staff/engagement?owner=none")).text)
    assert unowned == [ids["yellow"], ids["fresh"]]
    flagged = account_ids((await client.get("/staff/engagement?flagged=1")).text)
    assert flagged == [ids["red"]]
    # Unknown values are ignored, never put into SQL.
    response = await client.get("/staff/engagement?band=purple&sort=1;drop&dir=sideways")
    assert response.status_code == 200
    assert len(account_ids(response.text)) == 4


async def test_sort_by_columns(client, settings):
    csm = await sign_in_as(client, "csm")
    ids = await portfolio_of_four(csm.id)
    desc = account_ids((await client.get("/staff/engagement?sort=score&dir=desc")).text)
    assert desc == [ids["green"], ids["yellow"], ids["red"], ids["fresh"]]
    by_arr = account_ids((await client.get("/staff/engagement?sort=recommended&dir=desc")).text)
    assert by_arr == [ids["red"], ids["yellow"], ids["green"], ids["fresh"]]
    recent = account_ids((await client.get("/staff/engagement?sort=last_activity&dir=desc")).text)
    assert recent == [ids["green"], ids["yellow"], ids["red"], ids["fresh"]]
    trend = account_ids((await client.get("/staff/engagement?sort=trend")).text)
    assert trend[:3] == [ids["red"], ids["yellow"], ids["green"]]
    page = (await client.get("/staff/engagement?sort=score&dir=desc")).text
    assert 'aria-sort="descending"' in page


async def test_pagination(client, settings):
    await sign_in_as(client, "csm")
    for n in range(53):
        account = await make_account(f"顧客{n:02d}")
        await put_score(account, float(n), "red" if n < 40 else "yellow")
    first = await client.get("/staff/engagement")
    second = await client.get("/staff/engagement?page=2")
    assert len(account_ids(first.text)) == 50
    assert len(account_ids(second.text)) == 3
    assert not set(account_ids(first.text)) & set(account_ids(second.text))
    assert (await client.get("/staff/engagement?page=0")).status_code == 400


async def test_csv_download_of_the_current_view(client, settings):
    csm = await sign_in_as(client, "csm")
    ids = await portfolio_of_four(csm.id)
    evil = await make_account('=HYPERLINK("http://evil.example")', arr=1)
    await put_score(evil, 10.0, "red")
    for name in ("+81 商事", "-悪意", "@SUM(A1)"):
        await put_score(await make_account(name), 30.0, "red")
    response = await client.get("/staff/engagement/export.csv?band=red&sort=score&dir=asc")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["顧客ID", "顧客企業", "エンゲージメントスコア", "バンド"]
    names = [row[1] for row in body]
    assert names[0] == '\'=HYPERLINK("http://evil.example")'
    assert names[1] == "赤字商事"
    assert set(names[2:]) == {"'+81 商事", "'-悪意", "'@SUM(A1)"}
    assert body[1][0] == str(ids["red"])
    assert body[1][2] == "22.5" and body[1][3] == "要注意"
    assert body[1][11] == "ハイタッチ"  # assigned tier
    assert all(row[3] == "要注意" for row in body)  # the band filter holds
    assert response.content.count(b"\r\n") == len(rows)


async def test_silent_accounts_largest_contract_first(client, settings):
    await sign_in_as(client, "csm")
    now = utcnow()
    small = await make_account("小口商店", arr=1_000_000)
    big = await make_account("大口物産", arr=50_000_000)
    mid = await make_account("中堅製作所", arr=8_000_000)
    active = await make_account("活発株式会社", arr=90_000_000)
    member = await make_member(mid)
    await add_signal(active, None, "daily_visit", now - timedelta(days=2))
    await add_signal(mid, member, "topic_created", now - timedelta(days=40))
    await add_signal(mid, member, "event_no_show", now - timedelta(days=1))  # not activity
    await add_signal(small, None, "reply_created", now - timedelta(days=12))
    response = await client.get("/staff/engagement/silent")
    assert response.status_code == 200
    assert account_ids(response.text) == [big.id, mid.id]  # 30 days by default
    widened = await client.get("/staff/engagement/silent?days=10")
    assert account_ids(widened.text) == [big.id, mid.id, small.id]
    assert "接点のない顧客" in response.text
    assert (await client.get("/staff/engagement/silent?days=0")).status_code == 400


async def test_account_page_with_history_chart_and_explanation(client, settings):
    await sign_in_as(client, "csm")
    account = await make_account("履歴商事", arr=20_000_000)
    member = await make_member(account, name="記録 太郎")
    now = utcnow()
    await add_signal(account, member, "topic_created", now - timedelta(days=3))
    await Signal.insert(
        Signal(
            account=account.id,
            member=member.id,
            kind="topic_created",
            occurred_at=now - timedelta(days=1),
            value=1.0,
            source="community",
            subject_type="topic",
            subject_id=4242,
            dedupe_key="topic_created:4242",
        )
    )
    await add_signal(account, member, "webinar_attended", now - timedelta(days=5), 90)
    await add_signal(account, member, "mokumoku_attended", now - timedelta(days=8), 120)
    await add_signal(account, member, "answer_accepted", now - timedelta(days=9))
    today = now.date()
    for back, score in ((150, 80.0), (60, 55.0), (10, 30.0)):
        await put_snapshot(account, today - timedelta(days=back), score, "green")
    await put_snapshot(account, today - timedelta(days=400), 99.0, "green")  # outside 180 days
    await recompute_scores(settings, snapshot=True)

    response = await client.get(f"/staff/engagement/accounts/{account.id}")
    assert response.status_code == 200
    html = response.text
    chart = html.index('<svg class="score-chart"')
    svg = html[chart : html.index("</svg>", chart)]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    points = re.search(r'<polyline class="series" points="([^"]+)"', svg)
    assert points is not None and len(points.group(1).split()) == 4  # 3 snapshots + today
    assert svg.count('class="band-line') == 2
    start = html.index("<details>", chart)
    table = html[start : html.index("</details>", start)]
    assert "80.0" in table and "99.0" not in table
    assert 'id="explanation"' in html and "トピック" in html
    # The signal carries its topic; topic 4242 does not exist, so it is named as not shown.
    assert "表示できないトピック" in html and "トピック #" not in html
    assert "記録 太郎" in html
    events = html[html.index('id="events-attended"') :].split("</section>")[0]
    assert "<strong>1</strong>" in events
    community = html[html.index('id="community"') :].split("</section>")[0]
    assert "<strong>2</strong>" in community and "<strong>1</strong>" in community

    missing = await client.get("/staff/engagement/accounts/999999")
    assert missing.status_code == 404


async def test_account_not_yet_scored(client, settings):
    await sign_in_as(client, "csm")
    account = await make_account("未計算株式会社")
    response = await client.get(f"/staff/engagement/accounts/{account.id}")
    assert response.status_code == 200
    assert 'id="explanation"' not in response.text
    assert "<polyline" not in response.text


async def test_portfolio_counts_and_average_chart(client, settings):
    csm = await sign_in_as(client, "csm")
    ids = await portfolio_of_four(csm.id)
    today = utcnow().date()
    await put_snapshot(ids["red"], today - timedelta(days=2), 20.0, "red")
    await put_snapshot(ids["green"], today - timedelta(days=2), 80.0, "green")
    await put_snapshot(ids["green"], today - timedelta(days=1), 90.0, "green")
    await put_snapshot(ids["green"], today - timedelta(days=120), 10.0, "red")
    response = await client.get("/staff/engagement/portfolio")
    assert response.status_code == 200
    html = response.text
    high = html.split('<tr data-tier="high">')[1].split("</tr>")[0]
    assert '<td class="num" data-band="red">1</td>' in high
    tech = html.split('<tr data-tier="tech">')[1].split("</tr>")[0]
    assert '<td class="num" data-band="green">1</td>' in tech
    assert '<td class="num" data-band="none">1</td>' in tech
    start = html.index("<details>")
    details = html[start : html.index("</details>", start)]
    assert "50.0" in details and "90.0" in details and "10.0" not in details
    assert re.search(r'<polyline class="series" points="[^"]+ [^"]+"', html)
