"""For any ledger, the incremental recompute of each account equals the full pass, and both
equal the model computed in Python from the raw signals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.tables import Account, Member
from engagement.kinds import SignalKind
from engagement.recompute import recompute_scores
from engagement.schemas import ScoringSettings
from engagement.scoring import aggregate_signals, band_for, score_account, trend_for
from engagement.tables import AccountScore, ScoreSnapshot, ScoringConfig, Signal
from tests.engagement.helpers import AS_OF
from tests.support import reset_database

KINDS = [kind.value for kind in SignalKind]
COMPARED = (
    "score",
    "band",
    "trend",
    "community",
    "events",
    "breadth",
    "recency",
    "last_activity_at",
    "baseline_score",
    "flagged",
    "explanation",
    "red_alert_open",
    "drop_alert_open",
)

members_st = st.lists(st.booleans(), min_size=0, max_size=4)  # active or deactivated
signal_st = st.tuples(
    st.integers(0, 2),  # account index
    st.one_of(st.none(), st.integers(0, 3)),  # member index (None: no member)
    st.sampled_from(KINDS),
    st.integers(-2 * 86_400, 400 * 86_400),  # age in seconds (negative: clock skew)
)
ledger_st = st.fixed_dictionaries(
    {
        "accounts": st.lists(members_st, min_size=1, max_size=3),
        "signals": st.lists(signal_st, max_size=40),
        "baselines": st.lists(
            st.one_of(st.none(), st.tuples(st.floats(0, 100), st.integers(0, 8))),
            min_size=3,
            max_size=3,
        ),
        "half_life": st.sampled_from([30.0, 7.5, 90.0]),
        "lookback": st.sampled_from([365, 60, 400]),
    }
)


async def _write_ledger(ledger: dict[str, Any]) -> tuple[list[int], dict[int, list[Any]]]:
    """Rows for the generated ledger; returns account ids and each account's member rows."""
    accounts, members = [], {}
    for index, actives in enumerate(ledger["accounts"]):
        [row] = await Account.insert(Account(name=f"顧客{index}")).returning(Account.id)
        accounts.append(row["id"])
        members[row["id"]] = []
        for n, active in enumerate(actives):
            [m] = await Member.insert(
                Member(
                    email=f"m{index}-{n}@example.com",
                    display_name=f"m{index}-{n}",
                    handle=f"m{index}_{n}",
                    account=row["id"],
                    active=active,
                )
            ).returning(Member.id)
            members[row["id"]].append((m["id"], active))
    return accounts, members


async def _write_signals(ledger, accounts, members) -> dict[int, list[tuple[Any, str, Any]]]:
    raw: dict[int, list[tuple[Any, str, Any]]] = {a: [] for a in accounts}
    rows = []
    for n, (a_index, m_index, kind, age_s) in enumerate(ledger["signals"]):
        account = accounts[a_index % len(accounts)]
        pool = members[account]
        member = pool[m_index % len(pool)][0] if (pool and m_index is not None) else None
        at = AS_OF - timedelta(seconds=age_s)
        raw[account].append((member, kind, at))
        rows.append(
            Signal(
                account=account,
                member=member,
                kind=kind,
                occurred_at=at,
                value=1.0,
                source="test",
                dedupe_key=f"p{n}",
            )
        )
    if rows:
        await Signal.insert(*rows)
    return raw


async def _score_rows() -> dict[int, dict[str, Any]]:
    rows = await AccountScore.select().output(load_json=True)
    return {row["account"]: {k: row[k] for k in COMPARED} for row in rows}


@hypothesis_settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ledger=ledger_st)
async def test_incremental_equals_full_for_any_ledger(app, settings, ledger):
    await reset_database()
    config = ScoringSettings(half_life_days=ledger["half_life"], lookback_days=ledger["lookback"])
    await ScoringConfig(settings=config.model_dump()).save()
    accounts, members = await _write_ledger(ledger)
    raw = await _write_signals(ledger, accounts, members)
    baselines: dict[int, float] = {}
    for account, baseline in zip(accounts, ledger["baselines"], strict=False):
        if baseline is not None:
            score, back = baseline
            day = AS_OF.date() - timedelta(days=30 + back)
            await ScoreSnapshot(account=account, day=day, score=round(score, 1)).save()
            if back < 7:  # older than the window's slack: not a baseline
                baselines[account] = round(score, 1)

    await recompute_scores(settings, as_of=AS_OF)
    full = await _score_rows()
    await AccountScore.delete(force=True)
    for account in accounts:
        await recompute_scores(settings, account_id=account, as_of=AS_OF)
    incremental = await _score_rows()
    assert incremental == full

    for account in accounts:
        active = {m for m, is_active in members[account] if is_active}
        agg = aggregate_signals(raw[account], active, len(active), AS_OF, config)
        expected = score_account(agg, config, AS_OF, baselines.get(account))
        stored = full[account]
        for name in ("score", "community", "events", "breadth", "recency"):
            assert abs(stored[name] - expected[name]) <= 0.1 + 1e-9, (name, stored, expected)
        assert stored["band"] == band_for(stored["score"], config)
        assert stored["baseline_score"] == expected["baseline_score"]
        assert stored["trend"] == trend_for(stored["score"], stored["baseline_score"], config)
        assert _same_moment(stored["last_activity_at"], expected["last_activity_at"])
        counts = {kind: total.count for kind, total in agg.kinds.items() if total.count}
        shown = stored["explanation"]["signals"]
        assert len(shown) == min(5, len(counts))
        assert all(counts[s["kind"]] == s["count"] for s in shown)


def _same_moment(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    return abs((a - b).total_seconds()) < 1e-6
