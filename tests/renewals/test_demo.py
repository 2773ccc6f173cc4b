"""The demo's renewals: two years for a few dozen accounts, enough for the backtest, related to
participation loosely (the score predicts better than chance, far from perfectly); loaded once."""

from __future__ import annotations

from datetime import date, timedelta

from renewals.backtest import backtest
from renewals.demo import load_renewals_demo
from renewals.tables import Renewal


async def test_the_demo_holds_two_years_of_plausible_renewals(settings) -> None:
    await load_renewals_demo(settings)
    rows = await Renewal.select(Renewal.renewal_date, Renewal.outcome, Renewal.account)
    assert len({row["account"] for row in rows}) >= 30
    assert min(row["renewal_date"] for row in rows) <= date.today() - timedelta(days=500)
    assert {row["outcome"] for row in rows} >= {"renewed", "expanded", "churned"}
    result = await backtest(90, date.today())
    assert result.enough and result.fitted is not None
    assert result.auc is not None and 0.5 < result.auc < 0.95
    await load_renewals_demo(settings)
    assert await Renewal.count() == len(rows)
