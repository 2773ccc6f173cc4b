"""Demo renewals: two years of outcomes for 36 former and current customers, with the ledger
and the score snapshots the backtest reads.

Each account has two hidden levels, community (daily visits, topics, replies…) and events
(webinars and もくもく会 attended). Its members' signals follow those levels day by day from
the contract start; at each yearly renewal it churns with a probability that falls with both
levels — more with events than with the community — and otherwise renews, expands or
downgrades at random. So participation and outcome are related, as the studies find, but
loosely: engaged accounts churn too, and silent ones often renew. The snapshots 30, 90 and
180 days before each renewal are scored with the model in force, as the nightly pass would
have scored them then.
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from accounts.tables import Account, Member
from core.database import insert_rows, transaction
from core.settings import CoreSettings
from core.timeutil import utcnow
from engagement.kinds import SignalKind
from engagement.recompute import recompute_scores
from engagement.schemas import ScoringSettings
from engagement.scoring import aggregate_signals, recommended_tier, score_account
from engagement.tables import ScoreSnapshot, Signal
from engagement.versions import current_config
from renewals.backtest import HORIZONS
from renewals.tables import Outcome, Renewal, Source

log = logging.getLogger("kizuna.demo")

SEED = 20261207
ACCOUNTS = 36
YEARS = 2
PLACES = [
    "青空",
    "朝日",
    "大和",
    "銀河",
    "富士",
    "若葉",
    "光陽",
    "白鷺",
    "紅葉",
    "桜川",
    "千歳",
    "瑞穂",
]
TRADES = ["商事", "工業", "システムズ", "物産", "製薬", "電機", "食品", "建設", "運輸"]
PEOPLE = ["佐藤 健", "鈴木 花子", "高橋 翔", "田中 美咲", "伊藤 大輝", "山本 彩"]
COMMUNITY_MIX = [
    (SignalKind.daily_visit, 12),
    (SignalKind.reply_created, 3),
    (SignalKind.reaction_received, 3),
    (SignalKind.topic_created, 1),
    (SignalKind.answer_accepted, 1),
]


# Below this level an account does not post (community) or attend (events): some accounts
# only read, so the leader's report has accounts that did not take part.
QUIET_BELOW = 0.3


def _name(index: int) -> str:
    return f"{PLACES[index % len(PLACES)]}{TRADES[(index * 5 + 2) % len(TRADES)]}株式会社"


def _churn_probability(community: float, events: float) -> float:
    return min(0.7, max(0.03, 0.55 - 0.15 * community - 0.45 * events))


def _outcome(rng: random.Random, community: float, events: float, arr: int) -> tuple[str, int]:
    if rng.random() < _churn_probability(community, events):
        return Outcome.churned.value, 0
    draw = rng.random()
    if draw < 0.1 + 0.25 * (community + events) / 2:
        return Outcome.expanded.value, int(arr * rng.uniform(1.1, 1.5)) // 10_000 * 10_000
    if draw > 0.88:
        return Outcome.downgraded.value, int(arr * rng.uniform(0.6, 0.9)) // 10_000 * 10_000
    return Outcome.renewed.value, arr


def _signals(
    rng: random.Random,
    account: int,
    members: list[int],
    levels: tuple[float, float],
    span: tuple[date, date],
) -> list[dict[str, Any]]:
    community, events = levels
    kinds = [kind for kind, weight in COMMUNITY_MIX for _ in range(weight)]
    if community < QUIET_BELOW:  # a quiet account reads the forum but does not post
        kinds = [k for k in kinds if k in (SignalKind.daily_visit, SignalKind.reaction_received)]
    rows: list[dict[str, Any]] = []
    day = span[0]
    while day < span[1]:
        for member in members:
            if rng.random() < 0.12 * community:
                at = datetime.combine(day, time(rng.randint(0, 9), rng.randint(0, 59)), tzinfo=UTC)
                rows.append(_signal(account, member, rng.choice(kinds), at))
        if (
            day.weekday() == 2
            and day.isocalendar().week % 2 == 0
            and events >= QUIET_BELOW
            and rng.random() < 0.8 * events
        ):
            kind = rng.choice([SignalKind.webinar_attended, SignalKind.mokumoku_attended])
            at = datetime.combine(day, time(6, 0), tzinfo=UTC)
            rows.append(_signal(account, rng.choice(members), kind, at, 60.0))
        day += timedelta(days=1)
    return rows


def _signal(
    account: int, member: int, kind: str, at: datetime, value: float = 1.0
) -> dict[str, Any]:
    return {
        "account": account,
        "member": member,
        "kind": str(kind),
        "occurred_at": at,
        "value": value,
        "source": "demo",
        "dedupe_key": f"demo-renewals:{account}:{member}:{kind}:{at.isoformat()}",
    }


def _snapshots(
    account: int,
    signals: list[dict[str, Any]],
    members: set[int],
    renewal: date,
    scoring: ScoringSettings,
) -> list[dict[str, Any]]:
    found = []
    ledger = [(s["member"], s["kind"], s["occurred_at"]) for s in signals]
    for horizon in HORIZONS:
        day = renewal - timedelta(days=horizon)
        as_of = datetime.combine(day, time(18, 0), tzinfo=UTC)
        seen = [s for s in ledger if s[2] <= as_of]
        values = score_account(
            aggregate_signals(seen, members, len(members), as_of, scoring), scoring, as_of, None
        )
        found.append(
            {
                "account": account,
                "day": day,
                **{
                    k: values[k]
                    for k in ("score", "band", "community", "events", "breadth", "recency")
                },
            }
        )
    return found


async def _members(index: int, account: int) -> list[int]:
    ids = []
    for n in range(3):
        handle = f"hist{index:02d}_{n}"
        member = Member(
            email=f"{handle}@history{index:02d}.example",
            display_name=PEOPLE[(index + n) % len(PEOPLE)],
            handle=handle,
            role="customer",
            account=account,
        )
        await member.save()
        ids.append(member.id)
    return ids


async def _one_account(
    rng: random.Random, index: int, today: date, owner: int | None, scoring: ScoringSettings
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[Renewal]]:
    """One account's ledger, snapshots and renewals (it churns at most once)."""
    start = today - timedelta(days=365 * YEARS + rng.randint(30, 200))
    arr = rng.choice([1_800_000, 2_400_000, 4_800_000, 7_200_000, 12_000_000, 18_000_000])
    account = Account(
        name=_name(index),
        arr=arr,
        plan="Business",
        contract_start=start,
        owner=owner,
        touch_tier=recommended_tier(arr, scoring),
    )
    await account.save()
    members = await _members(index, account.id)
    community, events = rng.random(), rng.random()
    signals: list[dict[str, Any]] = []
    snapshots: list[dict[str, Any]] = []
    renewals: list[Renewal] = []
    period_start = start
    for year in range(1, YEARS + 1):
        renewal = start + timedelta(days=365 * year)
        # the levels drift a little from one year to the next
        community = min(1.0, max(0.0, community + rng.uniform(-0.2, 0.2)))
        events = min(1.0, max(0.0, events + rng.uniform(-0.2, 0.2)))
        signals += _signals(rng, account.id, members, (community, events), (period_start, renewal))
        snapshots += _snapshots(account.id, signals, set(members), renewal, scoring)
        outcome, after = _outcome(rng, community, events, arr)
        renewals.append(
            Renewal(
                account=account.id,
                renewal_date=renewal,
                outcome=outcome,
                arr_before=arr,
                arr_after=after,
                source=Source.demo.value,
            )
        )
        if outcome == Outcome.churned:
            await Account.update({Account.active: False, Account.arr: 0}).where(
                Account.id == account.id
            )
            return signals, snapshots, renewals
        arr, period_start = after, renewal
    signals += _signals(rng, account.id, members, (community, events), (period_start, today))
    await Account.update(
        {Account.arr: arr, Account.renewal_date: start + timedelta(days=365 * (YEARS + 1))}
    ).where(Account.id == account.id)
    return signals, snapshots, renewals


async def load_renewals_demo(settings: CoreSettings) -> None:
    """Once, after the engagement demo: the history accounts, their ledger, snapshots and
    renewals, then today's scores for them."""
    if await Renewal.exists().where(Renewal.source == Source.demo.value):
        return
    rng = random.Random(SEED)
    today = utcnow().date()
    csm = await Member.select(Member.id).where(Member.role == "csm").first()
    _, scoring = await current_config()
    signals: list[dict[str, Any]] = []
    snapshots: list[dict[str, Any]] = []
    renewals: list[Renewal] = []
    async with transaction():
        for index in range(ACCOUNTS):
            found = await _one_account(rng, index, today, csm["id"] if csm else None, scoring)
            signals += found[0]
            snapshots += found[1]
            renewals += found[2]
        columns = list(signals[0])
        await insert_rows(Signal._meta.tablename, columns, [list(s.values()) for s in signals])
        columns = list(snapshots[0])
        await insert_rows(
            ScoreSnapshot._meta.tablename, columns, [list(s.values()) for s in snapshots]
        )
        for start in range(0, len(renewals), 500):
            await Renewal.insert(*renewals[start : start + 500])
    await recompute_scores(settings, snapshot=True)
    log.info("renewals demo: %s renewals, %s signals", len(renewals), len(signals))
