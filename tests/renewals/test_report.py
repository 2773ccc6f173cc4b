"""The leader's report: who took part, the four retention measures per group and breakdown,
what preceded expansions, silent accounts, its CSV, its page and charts, its JSON; and API
tokens on the renewal endpoints (scopes, CSRF skipped only for a valid token)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta

from accounts.tables import Account
from core.database import insert_rows
from crm.pull.tokens import create_token
from engagement.tables import Signal
from renewals.report import Quarter, last_quarters, report
from renewals.tables import Renewal
from tests.factories import make_account
from tests.renewals.helpers import TODAY
from tests.support import sign_in_as

_serial = iter(range(1, 1_000_000))


async def signals(account: Account, before: date, kinds: dict[str, int]) -> None:
    rows = []
    for kind, n in kinds.items():
        for i in range(n):
            at = datetime.combine(before - timedelta(days=10 + i), time(2, 0), tzinfo=UTC)
            rows.append([account.id, kind, at, 1.0, "test", f"report:{next(_serial)}"])
    await insert_rows(
        Signal._meta.tablename,
        ["account", "kind", "occurred_at", "value", "source", "dedupe_key"],
        rows,
    )


async def renewal(account: Account, day: date, outcome: str, before: int, after: int) -> None:
    await Renewal.insert(
        Renewal(
            account=account.id,
            renewal_date=day,
            outcome=outcome,
            arr_before=before,
            arr_after=after,
            source="manual",
        )
    )


async def portfolio() -> dict[str, Account]:
    """Five renewals this quarter (or the last, early in a quarter): two accounts that took
    part (one expanded), one that only visited, one silent that churned, one whose only
    participation is older than a year (so it did not take part)."""
    day = TODAY - timedelta(days=5)
    forum = await make_account("フォーラム参加社", touch_tier="high")
    events = await make_account("イベント参加社", touch_tier="low")
    visitor = await make_account("訪問だけ社", touch_tier="low")
    silent = await make_account("沈黙社", touch_tier="tech")
    stale = await make_account("昔の参加社", touch_tier="tech")
    await signals(forum, day, {"reply_created": 3, "daily_visit": 5})
    await signals(events, day, {"webinar_attended": 1})
    await signals(visitor, day, {"daily_visit": 4})
    await signals(stale, day - timedelta(days=380), {"topic_created": 2})
    await renewal(forum, day, "expanded", 2_000_000, 3_000_000)
    await renewal(events, day, "renewed", 1_000_000, 1_000_000)
    await renewal(visitor, day, "downgraded", 4_000_000, 3_000_000)
    await renewal(silent, day, "churned", 6_000_000, 0)
    await renewal(stale, day, "renewed", 500_000, 500_000)
    # Outside the four quarters: not counted.
    await renewal(forum, day - timedelta(days=500), "churned", 9_000_000, 0)
    return {"forum": forum, "events": events, "visitor": visitor, "silent": silent}


def test_quarters_are_the_current_and_three_before() -> None:
    quarters = last_quarters(date(2026, 2, 10))
    assert [q.label for q in quarters] == ["2025 Q2", "2025 Q3", "2025 Q4", "2026 Q1"]
    assert quarters[0].start == date(2025, 4, 1)
    assert quarters[2].end == date(2025, 12, 31)
    assert Quarter(2026, 1).end == date(2026, 3, 31)
    assert Quarter.of(date(2026, 12, 7)) == Quarter(2026, 4)


async def test_measures_per_group(app) -> None:
    await portfolio()
    result = await report(TODAY)
    assert len(result.rows) == 5
    took, others = result.overall.took_part, result.overall.did_not
    assert (took.count, others.count) == (2, 3)
    assert took.renewal_rate == 1.0
    assert took.expansion_rate == 0.5
    assert took.nrr == 4_000_000 / 3_000_000
    assert took.grr == 1.0  # the expansion is not counted in gross retention
    assert others.renewal_rate == 2 / 3
    assert others.grr == (3_000_000 + 0 + 500_000) / (4_000_000 + 6_000_000 + 500_000)
    assert others.nrr == others.grr
    tiers = {c.label: c for c in result.by_tier}
    assert tiers["high"].took_part.count == 1 and tiers["high"].did_not.count == 0
    assert tiers["tech"].did_not.count == 2
    bands = {c.label: c for c in result.by_band}
    assert bands["¥5M–20M"].did_not.churned == 1
    assert bands["¥1M–5M"].took_part.count == 2  # 2M expanded, 1M renewed
    preceding = {p.group: p for p in result.preceding}
    assert (preceding["forum"].expansions_with, preceding["forum"].expansions) == (1, 1)
    assert (preceding["events"].others_with, preceding["events"].others) == (1, 4)
    assert result.silent.count == 2  # the churned account and the one active 380 days ago
    assert result.silent_outcomes == {"renewed": 1, "expanded": 0, "downgraded": 0, "churned": 1}
    assert sum(c.took_part.count + c.did_not.count for c in result.by_quarter) == 5


async def test_page_csv_and_json_agree(app, client) -> None:
    await portfolio()
    await sign_in_as(client, "csm")
    page = await client.get("/staff/renewals/report")
    assert page.status_code == 200
    html = page.text
    assert "因果" in html  # association, not cause, said in the UI's language
    assert html.count('<svg class="bar-chart"') == 2
    assert "133.3%" in html  # the NRR of the accounts that took part
    data = (await client.get("/api/v1/renewals/report")).json()
    assert data["overall"]["took_part"]["renewals"] == 2
    assert round(data["overall"]["took_part"]["nrr"], 4) == 1.3333
    assert data["silent_outcomes"]["churned"] == 1
    response = await client.get("/api/v1/renewals/report.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][2] == "顧客企業"
    assert len(rows) == 6
    silent = next(r for r in rows if r[2] == "沈黙社")
    assert silent[7] == "解約" and silent[10] == "いいえ"


async def test_an_empty_report_says_so(app, client) -> None:
    await sign_in_as(client, "admin")
    page = await client.get("/staff/renewals/report")
    assert page.status_code == 200
    assert 'id="no-renewals"' in page.text


async def test_a_formula_in_an_account_name_stays_text_in_the_csv(app, client) -> None:
    account = await make_account("=HYPERLINK(1)")
    await renewal(account, TODAY - timedelta(days=1), "renewed", 1, 1)
    await sign_in_as(client, "csm")
    text = (await client.get("/api/v1/renewals/report.csv")).text
    assert "'=HYPERLINK(1)" in text


async def test_tokens_read_and_write_renewals_by_scope(app, client, other_client) -> None:
    admin = await sign_in_as(client, "admin")
    account = await make_account("トークン株式会社")
    reader = (await create_token("bi", ["renewals:read"], None, admin)).secret
    writer = (await create_token("etl", ["renewals:write"], None, admin)).secret
    body = {"account_id": account.id, "renewal_date": "2026-01-31", "outcome": "renewed"}
    raw = other_client.raw  # no session, no CSRF cookie
    created = await raw.post(
        "/api/v1/renewals/", json=body, headers={"Authorization": f"Bearer {writer}"}
    )
    assert created.status_code == 201, created.text
    assert created.json()["arr_before"] == 1_000_000  # the account's ARR
    row = await Renewal.select(Renewal.created_by).first()
    assert row["created_by"] == admin.id  # recorded as the admin who made the token
    refused = await raw.post(
        "/api/v1/renewals/",
        json={**body, "renewal_date": "2026-02-28"},
        headers={"Authorization": f"Bearer {reader}"},
    )
    assert refused.status_code == 403
    assert "renewals:write" in refused.json()["detail"]
    listed = await raw.get("/api/v1/renewals/", headers={"Authorization": f"Bearer {reader}"})
    assert listed.json()["total"] == 1
    weights = await raw.get(
        "/api/v1/renewals/backtest/weights", headers={"Authorization": f"Bearer {reader}"}
    )
    assert weights.status_code == 200
    assert weights.json()["enough_history"] is False and weights.json()["suggested"] is None
    bad = await raw.get("/api/v1/renewals/", headers={"Authorization": "Bearer kz_nope"})
    assert bad.status_code == 401
    assert await Renewal.count() == 1


async def test_a_session_still_needs_the_csrf_token(app, client) -> None:
    await sign_in_as(client, "admin")
    account = await make_account("CSRF株式会社")
    body = {"account_id": account.id, "renewal_date": "2026-01-31", "outcome": "renewed"}
    without = await client.raw.post("/api/v1/renewals/", json=body)
    assert without.status_code == 403
    assert await Renewal.count() == 0
    with_token = await client.api("POST", "/api/v1/renewals/", json=body)
    assert with_token.status_code == 201
