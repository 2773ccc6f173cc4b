"""Demo engagement for a fresh embedded database: 120 days of signals, daily history, scores.

Two more accounts join the demo set so that the dashboard shows every situation: one large
customer nobody has reached for three months (red, silent, under-served tier) and a small
one that is fading. The history is computed with the same model as the nightly pass, day by
day, as if the product had been running for four months; the final full pass writes today's
scores.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from typing import Any

from accounts.tables import Account, Member
from core.database import transaction
from core.settings import CoreSettings
from core.timeutil import utcnow
from engagement.kinds import NOT_ACTIVITY, SignalKind
from engagement.recompute import recompute_scores
from engagement.schemas import ScoringSettings
from engagement.scoring import aggregate_signals, score_account, snapshot_day
from engagement.tables import ScoreSnapshot, Signal
from engagement.versions import current_config

log = logging.getLogger("kizuna.demo")

DAYS = 120
SEED = 20261123
EXTRA_ACCOUNTS = [
    # name, ARR (yen), assigned tier, members
    ("東雲製作所株式会社", 15_000_000, "low", ["高橋 誠", "渡辺 愛", "中村 大輔"]),
    ("あおば会計事務所", 2_400_000, "tech", ["松本 さくら", "井上 拓海"]),
]
# Per account name: (activity a day at the start, at the end, last active days ago).
PROFILES: dict[str, tuple[float, float, int]] = {
    "株式会社さくらテック": (0.5, 0.9, 0),
    "みなと物流株式会社": (0.7, 0.15, 3),
    "北斗フーズ株式会社": (0.15, 0.05, 20),
    "東雲製作所株式会社": (0.4, 0.0, 95),
    "あおば会計事務所": (0.35, 0.08, 12),
}
KIND_MIX = [
    (SignalKind.daily_visit, 10),
    (SignalKind.reply_created, 3),
    (SignalKind.reaction_received, 3),
    (SignalKind.topic_created, 1),
    (SignalKind.answer_accepted, 1),
    (SignalKind.event_registered, 1),
]


async def _extra_accounts(owner: int | None) -> None:
    for index, (name, arr, tier, people) in enumerate(EXTRA_ACCOUNTS):
        account = Account(name=name, arr=arr, touch_tier=tier, owner=owner, plan="Business")
        await account.save()
        for n, person in enumerate(people):
            handle = f"demo{index}_{n}"
            await Member(
                email=f"{handle}@{'shinonome' if index == 0 else 'aoba'}.example",
                display_name=person,
                handle=handle,
                role="customer",
                account=account.id,
            ).save()


def _ledger(
    rng: random.Random, accounts: list[dict[str, Any]], people: dict[int, list[int]], now: datetime
) -> list[Signal]:
    kinds = [kind for kind, weight in KIND_MIX for _ in range(weight)]
    rows: list[Signal] = []
    for account in accounts:
        start, end, quiet = PROFILES.get(account["name"], (0.2, 0.2, 0))
        members = people.get(account["id"], [])
        for age in range(DAYS, quiet - 1, -1):
            rate = end + (start - end) * age / DAYS
            day = now - timedelta(days=age)
            for member in members:
                if rng.random() >= rate:
                    continue
                at = min(now, day.replace(hour=rng.randint(0, 9), minute=rng.randint(0, 59)))
                rows.append(_signal(account["id"], member, rng.choice(kinds), at, len(rows)))
            if age % 14 == 3 and members and rng.random() < rate + 0.2:
                member = rng.choice(members)
                at = min(now, day.replace(hour=6, minute=0))
                attended = rng.random() < 0.8
                if attended:
                    kind = rng.choice([SignalKind.webinar_attended, SignalKind.mokumoku_attended])
                else:
                    kind = SignalKind.event_no_show
                rows.append(_signal(account["id"], member, kind, at, len(rows), 60.0))
    return rows


def _signal(account: int, member: int, kind: str, at: datetime, n: int, value: float = 1.0) -> Any:
    return Signal(
        account=account,
        member=member,
        kind=str(kind),
        occurred_at=at,
        value=value,
        source="demo",
        dedupe_key=f"demo:{n}",
    )


async def load_engagement_demo(settings: CoreSettings) -> None:
    """Once, after the accounts and community demos: signals, history and today's scores."""
    if await Signal.exists().where(Signal.source == "demo"):
        return
    rng = random.Random(SEED)
    now = utcnow().replace(second=0, microsecond=0)
    csm = await Member.select(Member.id).where(Member.role == "csm").first()
    _, scoring = await current_config()
    async with transaction():
        await _extra_accounts(csm["id"] if csm else None)
        accounts = await Account.select(Account.id, Account.name).order_by(Account.id)
        customers = await Member.select(Member.id, Member.account).where(
            (Member.role == "customer") & Member.active.eq(True)
        )
        people: dict[int, list[int]] = {}
        for row in customers:
            people.setdefault(row["account"], []).append(row["id"])
        ledger = _ledger(rng, accounts, people, now)
        for start in range(0, len(ledger), 500):
            await Signal.insert(*ledger[start : start + 500])
        existing = await Signal.select(
            Signal.account, Signal.member, Signal.kind, Signal.occurred_at
        )
        snapshots = []
        for account in accounts:
            signals = [
                (s["member"], s["kind"], s["occurred_at"])
                for s in existing
                if s["account"] == account["id"]
            ]
            members = set(people.get(account["id"], []))
            snapshots += _history(account["id"], signals, members, now, scoring)
            await _mark_last_seen(signals)
        for start in range(0, len(snapshots), 500):
            await ScoreSnapshot.insert(*snapshots[start : start + 500])
    # No listeners: the demo loads at first start, before anyone can register a webhook.
    await recompute_scores(settings, snapshot=True)
    log.info("engagement demo: %s signals, %s snapshots", len(ledger), len(snapshots))


def _history(
    account_id: int,
    signals: list[tuple[int | None, str, datetime]],
    members: set[int],
    now: datetime,
    scoring: ScoringSettings,
) -> list[ScoreSnapshot]:
    """The account's daily snapshots over the demo's DAYS, scored as the nightly pass would
    have scored them each evening from the signals known by then."""
    snapshots = []
    history: dict[Any, float] = {}
    for age in range(DAYS, 0, -1):
        as_of = (now - timedelta(days=age)).replace(hour=18, minute=0)
        seen = [s for s in signals if s[2] <= as_of]
        agg = aggregate_signals(seen, members, len(members), as_of, scoring)
        day = snapshot_day(as_of)
        baseline = history.get(day - timedelta(days=scoring.trend_window_days))
        values = score_account(agg, scoring, as_of, baseline)
        history[day] = values["score"]
        snapshots.append(
            ScoreSnapshot(
                account=account_id,
                day=day,
                **{k: values[k] for k in ("score", "band", "community", "events")},
                breadth=values["breadth"],
                recency=values["recency"],
            )
        )
    return snapshots


async def _mark_last_seen(signals: list[tuple[int | None, str, datetime]]) -> None:
    """Each member's last activity in the demo ledger as when they were last seen."""
    last_seen: dict[int, datetime] = {}
    for member, kind, at in signals:
        if member is not None and kind not in NOT_ACTIVITY:
            last_seen[member] = max(at, last_seen.get(member, at))
    for member, at in last_seen.items():
        await Member.update({Member.last_seen_at: at}).where(Member.id == member)
