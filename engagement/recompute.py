"""Recomputing scores from the ledger: one account (incremental) or all (the nightly full pass).

Both run the same model in one transaction: PostgreSQL one statement (engagement.scoring_sql),
SQLite one grouped read of the ledger finished in Python. Whatever changed is then told to
the score listeners (engagement.hooks: the CRM's webhooks) and checked for alert crossings, in
the same transaction. The ledger is the truth: a lost job or a deleted score row is repaired by the
next pass, which rebuilds every row from the signals alone.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from accounts.tables import Account
from core.database import fetch, is_postgres, transaction
from core.settings import CoreSettings
from core.timeutil import utcnow
from engagement.alerts import apply_alert_crossings
from engagement.hooks import ScoreListener
from engagement.kinds import NOT_ACTIVITY
from engagement.schemas import ScoringSettings
from engagement.scoring import (
    ACTIVE_WINDOW_DAYS,
    AccountAggregate,
    KindTotal,
    decay,
    dropped,
    score_account,
    snapshot_day,
)
from engagement.scoring_sql import (
    EXPORTED,
    RETURNED,
    baseline_window,
    pg_score_statement,
    sqlite_ledger_query,
)
from engagement.tables import AccountScore, ScoreSnapshot
from engagement.versions import current_config

# Advisory lock keys (PostgreSQL): the full pass excludes incremental recomputes, which
# share the first key and lock their own account under the second.
_LOCK_ALL = 58_201
_LOCK_ACCOUNT = 58_202
_CHUNK = 500
_SNAPPED = ("score", "band", "community", "events", "breadth", "recency")


@dataclass(frozen=True)
class ScoreChange:
    """An account whose score row is new, or whose exported fields or alert states changed."""

    account_id: int
    old: dict[str, Any] | None
    new: dict[str, Any]

    @property
    def exported_changed(self) -> bool:
        return self.old is None or any(self.old[k] != self.new[k] for k in EXPORTED)


async def recompute_scores(
    app_settings: CoreSettings,
    *,
    account_id: int | None = None,
    as_of: datetime | None = None,
    snapshot: bool = False,
    listeners: Sequence[ScoreListener] = (),
) -> list[ScoreChange]:
    """Rebuild the score of `account_id` (or of every account) as of `as_of` (now).

    `snapshot` also writes the day's history row of every account recomputed. Each account
    whose exported fields changed is told to `listeners` (the wiring's SCORE_CHANGED ones).
    """
    as_of = as_of or utcnow()
    version, settings = await current_config()
    async with transaction():
        if is_postgres():
            changes = await _pg_pass(settings, version, account_id, as_of, snapshot)
        else:
            changes = await _sqlite_pass(settings, version, account_id, as_of, snapshot)
        for change in changes:
            if change.exported_changed:
                old = _exported(change.old) if change.old is not None else None
                for listener in listeners:
                    await listener(change.account_id, old, _exported(change.new))
        await apply_alert_crossings(app_settings, changes)
    return changes


def _exported(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row[key] for key in (*EXPORTED, "updated_at")}


async def _pg_pass(
    settings: ScoringSettings,
    version: int | None,
    account_id: int | None,
    as_of: datetime,
    snapshot: bool,
) -> list[ScoreChange]:
    if account_id is None:
        await fetch("SELECT pg_advisory_xact_lock({})", _LOCK_ALL)
    else:
        await fetch("SELECT pg_advisory_xact_lock_shared({})", _LOCK_ALL)
        await fetch("SELECT pg_advisory_xact_lock({}, {})", _LOCK_ACCOUNT, account_id)
    sql, args = pg_score_statement(
        settings,
        as_of=as_of,
        computed_at=utcnow(),
        version=version,
        account_id=account_id,
        snapshot=snapshot,
    )
    changes = []
    for row in await fetch(sql, *args):
        old = row.pop("old")
        if isinstance(old, str):
            old = json.loads(old)
        if old is not None:
            last = old.get("last_activity_at")
            old["last_activity_at"] = datetime.fromisoformat(last) if last else None
            old["updated_at"] = datetime.fromisoformat(old["updated_at"])
        changes.append(ScoreChange(int(row["account"]), old, row))
    return changes


async def _sqlite_pass(
    settings: ScoringSettings,
    version: int | None,
    account_id: int | None,
    as_of: datetime,
    snapshot: bool,
) -> list[ScoreChange]:
    aggregates = await _sqlite_aggregates(settings, account_id, as_of)
    baselines = await _sqlite_baselines(settings, account_id, as_of)
    old_rows = {
        row["account"]: row
        for row in await _score_rows(account_id)  # the previous rows, for change detection
    }
    accounts = Account.select(Account.id)
    if account_id is not None:
        accounts = accounts.where(Account.id == account_id)
    account_ids = [row["id"] for row in await accounts]
    computed_at = utcnow()
    rows, changes = [], []
    for acc in sorted(account_ids):
        baseline = baselines.get(acc)
        values = score_account(aggregates.get(acc, AccountAggregate()), settings, as_of, baseline)
        values.update(
            red_alert_open=values["band"] == "red",
            drop_alert_open=dropped(values["score"], baseline, settings),
        )
        old = old_rows.get(acc)
        same = old is not None and all(old[k] == values[k] for k in EXPORTED)
        values["updated_at"] = old["updated_at"] if same and old is not None else computed_at
        rows.append(
            AccountScore(account=acc, config_version=version, computed_at=computed_at, **values)
        )
        keys = (*EXPORTED, "red_alert_open", "drop_alert_open")
        if old is None or any(old[k] != values[k] for k in keys):
            new = {k: values[k] for k in (*RETURNED, "updated_at")}
            changes.append(ScoreChange(acc, old, {"account": acc, **new}))
    await _sqlite_write(rows, snapshot_day(as_of) if snapshot else None)
    return changes


async def _sqlite_aggregates(
    settings: ScoringSettings, account_id: int | None, as_of: datetime
) -> dict[int, AccountAggregate]:
    aggregates: dict[int, AccountAggregate] = {}
    engaged: dict[int, set[int]] = defaultdict(set)
    sql, args = sqlite_ledger_query(account_id, as_of)
    for row in await fetch(sql, *args):
        agg = aggregates.setdefault(row["account"], AccountAggregate())
        kind, age, count = row["kind"], int(row["age"]), int(row["n"])
        if age < settings.lookback_days:
            total = agg.kinds.setdefault(kind, KindTotal())
            total.count += count
            total.decayed += count * decay(age, settings.half_life_days)
        if kind in NOT_ACTIVITY:
            continue
        last = datetime.fromisoformat(row["last_at"])
        if agg.last_activity_at is None or last > agg.last_activity_at:
            agg.last_activity_at = last
        if row["countable"] and row["member"] is not None and age < ACTIVE_WINDOW_DAYS:
            engaged[row["account"]].add(row["member"])
    only = "AND account = {}" if account_id is not None else ""
    heads = await fetch(
        "SELECT account, count(*) AS n FROM accounts_member WHERE active AND role = 'customer' "  # noqa: S608
        f"AND account IS NOT NULL {only} GROUP BY account",
        *([account_id] if account_id is not None else []),
    )
    for row in heads:
        agg = aggregates.setdefault(row["account"], AccountAggregate())
        agg.headcount = int(row["n"])
    for acc, members in engaged.items():
        aggregates[acc].engaged_members = len(members)
    return aggregates


async def _sqlite_baselines(
    settings: ScoringSettings, account_id: int | None, as_of: datetime
) -> dict[int, float]:
    after, until = baseline_window(as_of, settings)
    query = ScoreSnapshot.select(ScoreSnapshot.account, ScoreSnapshot.score).where(
        (ScoreSnapshot.day > after) & (ScoreSnapshot.day <= until)
    )
    if account_id is not None:
        query = query.where(ScoreSnapshot.account == account_id)
    # Ascending by day: the newest snapshot in the window wins.
    rows = await query.order_by(ScoreSnapshot.day)
    return {row["account"]: row["score"] for row in rows}


async def _score_rows(account_id: int | None) -> list[dict[str, Any]]:
    query = AccountScore.select(
        AccountScore.account, *[getattr(AccountScore, c) for c in RETURNED], AccountScore.updated_at
    )
    if account_id is not None:
        query = query.where(AccountScore.account == account_id)
    return await query


async def _sqlite_write(rows: list[AccountScore], day: Any) -> None:
    columns = [c for c in AccountScore._meta.columns if c._meta.name not in ("id", "account")]
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start : start + _CHUNK]
        await AccountScore.insert(*chunk).on_conflict(
            target=AccountScore.account, action="DO UPDATE", values=columns
        )
        if day is None:
            continue
        snapshots = [
            ScoreSnapshot(account=row.account, day=day, **{k: getattr(row, k) for k in _SNAPPED})
            for row in chunk
        ]
        await ScoreSnapshot.insert(*snapshots).on_conflict(
            target=(ScoreSnapshot.account, ScoreSnapshot.day),
            action="DO UPDATE",
            values=[getattr(ScoreSnapshot, k) for k in _SNAPPED],
        )
