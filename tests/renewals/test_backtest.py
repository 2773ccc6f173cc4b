"""The backtest on both backends: rates per band and the AUC from the data (checked against a
count of every churned–stayed pair), what happened before the page's date only, a snapshot
found within a week, signals in the window before it, "too little history", a known relation
recovered by the fitted weights, and applying them as a new scoring version."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from core.errors import Conflict
from engagement.tables import ScoringConfig
from engagement.versions import current_config
from renewals.backtest import apply_suggested, backtest, gather, weights_digest
from tests.factories import make_member
from tests.renewals.helpers import TODAY, accounts, history
from tests.support import signed_in


def pairwise_auc(cases) -> float:
    """The AUC by definition: over every churned–stayed pair, the share where the churned
    account had the lower score (ties count half)."""
    churned = [c.score for c in cases if c.churned]
    stayed = [c.score for c in cases if not c.churned]
    wins = sum(1.0 if a < b else 0.5 if a == b else 0.0 for a in churned for b in stayed)
    return wins / (len(churned) * len(stayed))


async def _forty(settings) -> None:
    """40 renewals: red 10 (5 churned), yellow 10 (2 churned), green 20 (1 churned)."""
    found = await accounts(40)
    plan = [(20.0 + i, i < 5) for i in range(10)]
    plan += [(50.0 + i, i < 2) for i in range(10)]
    plan += [(75.0 + i, i < 1) for i in range(20)]
    for account, (score, churned) in zip(found, plan, strict=True):
        outcome = "churned" if churned else "renewed"
        await history(account, TODAY - timedelta(days=10), outcome, score)


async def test_rates_per_band_the_lift_and_the_auc(settings) -> None:
    await _forty(settings)
    result = await backtest(90, TODAY)
    assert (result.cases, result.churned, result.enough) == (40, 8, True)
    bands = {rate.label: (rate.count, rate.churned) for rate in result.bands}
    assert bands == {"red": (10, 5), "yellow": (10, 2), "green": (20, 1)}
    assert result.red_lift == pytest.approx(0.5 / (8 / 40))
    cases, _ = await gather(90, TODAY)
    assert result.auc == pytest.approx(pairwise_auc(cases))
    assert result.auc_low is not None and result.auc_high is not None
    assert result.auc_low <= result.auc <= result.auc_high
    assert [d.rate.count for d in result.deciles] == [4] * 10
    assert result.deciles[0].rate.churned == 4  # the lowest scores: 20–23, all churned
    again = await backtest(90, TODAY)
    assert (again.auc_low, again.auc_high) == (result.auc_low, result.auc_high)  # seeded


async def test_only_renewals_up_to_the_day_and_with_a_snapshot_count(settings) -> None:
    first, second, third, fourth = await accounts(4)
    await history(first, TODAY - timedelta(days=5), "renewed", 80.0)
    await history(second, TODAY + timedelta(days=5), "churned", 10.0)  # after the day
    await history(third, TODAY - timedelta(days=5), "churned", None)  # no snapshot
    # a snapshot 5 days older than T−90 is still the one the CSM saw; 9 days is too old
    await history(fourth, TODAY - timedelta(days=5), "renewed", 30.0, horizon=95)
    result = await backtest(90, TODAY)
    assert (result.cases, result.without_snapshot) == (2, 1)
    assert {rate.label: rate.count for rate in result.bands} == {
        "red": 1,
        "yellow": 0,
        "green": 1,
    }
    late = await history(first, TODAY - timedelta(days=400), "renewed", 70.0, horizon=99)
    cases, without = await gather(90, TODAY)
    assert late not in {c.renewal_id for c in cases} and without == 2
    assert result.enough is False and result.auc is None and result.fitted is None


async def test_signals_count_in_the_ninety_days_before_the_snapshot(settings) -> None:
    [account] = await accounts(1)
    renewal = await history(
        account, TODAY - timedelta(days=3), "renewed", 60.0, {"webinar_attended": 3}
    )
    # another renewal long before: its signals fall outside the first one's window
    await history(account, TODAY - timedelta(days=300), "renewed", None, {"webinar_attended": 1})
    cases, _ = await gather(90, TODAY)
    [case] = [c for c in cases if c.renewal_id == renewal]
    assert case.kinds == {"webinar_attended": 3}
    only = await backtest(90, TODAY)
    webinar = next(a for a in only.kinds if a.name == "webinar_attended")
    assert webinar.with_.count == 1


async def test_too_little_history_is_said_plainly(settings, client) -> None:
    found = await accounts(10)
    for i, account in enumerate(found):
        await history(account, TODAY - timedelta(days=2), "churned" if i < 2 else "renewed")
    result = await backtest(90, TODAY)
    assert (result.cases, result.churned, result.enough, result.fitted) == (10, 2, False, None)
    await signed_in(client, await make_member(None, role="csm"))
    page = await client.get("/staff/renewals/backtest")
    assert page.status_code == 200
    assert 'id="too-little"' in page.text and "履歴が少なすぎ" in page.text
    admin = await make_member(None, role="admin")
    with pytest.raises(Conflict):
        await apply_suggested(90, TODAY, "whatever", admin.id)


async def _known_relation(n: int = 160) -> None:
    """Churn falls with webinars attended; daily visits are noise."""
    rng = random.Random(7)
    found = await accounts(n)
    for account in found:
        webinars, visits = rng.randint(0, 6), rng.randint(0, 30)
        churn = rng.random() < max(0.03, 0.6 - 0.1 * webinars)
        await history(
            account,
            TODAY - timedelta(days=rng.randint(1, 300)),
            "churned" if churn else "renewed",
            rng.uniform(20, 90),
            {"webinar_attended": webinars, "daily_visit": visits},
        )


async def test_the_fitted_weights_recover_a_known_relation(settings) -> None:
    await _known_relation()
    result = await backtest(90, TODAY)
    assert result.enough and result.fitted is not None
    fitted = result.fitted
    assert fitted.coefficients["webinar_attended"] < 0  # more webinars, less churn
    assert fitted.weights["webinar_attended"] > fitted.weights["daily_visit"]
    assert fitted.weights["webinar_attended"] > 0
    assert fitted.auc > 0.6  # out of sample
    _, scoring = await current_config()
    assert fitted.weights["topic_created"] == scoring.weight("topic_created")  # no data: kept
    webinar = next(a for a in result.kinds if a.name == "webinar_attended")
    assert webinar.difference is not None and webinar.difference > 0


async def test_an_admin_applies_the_suggestion_as_a_new_version(settings, client) -> None:
    await _known_relation()
    result = await backtest(90, TODAY)
    assert result.fitted is not None
    admin = await make_member(None, role="admin")
    await signed_in(client, admin)
    stale = await client.post_form(
        "/staff/renewals/backtest/apply", {"days": "90", "digest": "0" * 16}
    )
    assert stale.status_code == 303 and await ScoringConfig.count() == 0  # nothing saved
    digest = weights_digest(result.fitted.weights)
    applied = await client.post_form(
        "/staff/renewals/backtest/apply", {"days": "90", "digest": digest}
    )
    assert applied.status_code == 303 and applied.headers["location"] == "/staff/engagement/config"
    version, scoring = await current_config()
    assert version is not None and await ScoringConfig.count() == 1
    for kind, weight in result.fitted.weights.items():
        assert scoring.weight(kind) == weight


async def test_the_api_gives_the_backtest_and_refuses_an_unknown_horizon(settings, client):
    await _forty(settings)
    await signed_in(client, await make_member(None, role="csm"))
    answer = await client.api("GET", "/api/v1/renewals/backtest?days=90")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["cases"], body["churned"], body["enough_history"]) == (40, 8, True)
    assert [b["count"] for b in body["bands"]] == [10, 10, 20]
    assert (await client.api("GET", "/api/v1/renewals/backtest?days=45")).status_code == 400
