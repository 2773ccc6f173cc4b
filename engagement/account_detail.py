"""One account's engagement: score, history, explanation, recent signals, members, self-view.

Events attended, topics started and answers accepted are read from the signals ledger (never
from the community or events tables): engagement knows only what the ledger says.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

from piccolo.query.functions.aggregate import Count

from accounts.tables import Account
from core.database import fetch, transaction
from core.errors import NotFound
from core.i18n import N_
from core.subjects import Resolver, subject_links
from core.timeutil import utcnow
from engagement.alerts import ALERT_LABELS
from engagement.dashboard import as_date, as_datetime
from engagement.kinds import KIND_LABELS, SignalKind, SubjectType
from engagement.schemas import ScoringSettings
from engagement.scoring import recommended_tier
from engagement.tables import AccountScore, ScoreAlert, ScoreSnapshot, Signal

HISTORY_DAYS = 180
RECENT_SIGNALS = 20
ATTENDED = (SignalKind.webinar_attended.value, SignalKind.mokumoku_attended.value)
COMMUNITY_COUNTED = (SignalKind.topic_created.value, SignalKind.answer_accepted.value)
ACCOUNT_NOT_FOUND = N_("This account does not exist.")


async def get_account(account_id: int) -> dict[str, Any]:
    row = await (
        Account.select(
            Account.id,
            Account.name,
            Account.arr,
            Account.plan,
            Account.touch_tier,
            Account.owner,
            Account.owner.display_name.as_alias("owner_name"),
            Account.score_self_view,
            Account.active,
        )
        .where(Account.id == account_id)
        .first()
    )
    if row is None:
        raise NotFound(ACCOUNT_NOT_FOUND)
    return row


async def score_row(account_id: int) -> dict[str, Any] | None:
    row = await (
        AccountScore.select()
        .where(AccountScore.account == account_id)
        .output(load_json=True)
        .first()
    )
    if row is not None:
        explanation = row["explanation"] or {}
        row["explanation"] = explanation
        row["top_signals"] = [
            SimpleNamespace(
                kind=item["kind"],
                label=KIND_LABELS.get(item["kind"], item["kind"]),
                count=int(item["count"]),
                contribution=float(item["contribution"]),
            )
            for item in explanation.get("signals", [])
        ]
    return row


async def history(account_id: int, days: int = HISTORY_DAYS) -> list[dict[str, Any]]:
    """Snapshots of the last `days` days, oldest first."""
    since = utcnow().date() - timedelta(days=days - 1)
    rows = await (
        ScoreSnapshot.select(ScoreSnapshot.day, ScoreSnapshot.score, ScoreSnapshot.band)
        .where((ScoreSnapshot.account == account_id) & (ScoreSnapshot.day >= since))
        .order_by(ScoreSnapshot.day)
    )
    return [{"day": as_date(r["day"]), "score": r["score"], "band": r["band"]} for r in rows]


def history_range(days: int = HISTORY_DAYS) -> tuple[date, date]:
    today = utcnow().date()
    return today - timedelta(days=days - 1), today


async def recent_signals(
    account_id: int, resolvers: Mapping[str, Resolver], limit: int = RECENT_SIGNALS
) -> list[SimpleNamespace]:
    rows = await (
        Signal.select(
            Signal.id,
            Signal.kind,
            Signal.occurred_at,
            Signal.value,
            Signal.subject_type,
            Signal.subject_id,
            Signal.member.display_name.as_alias("member_name"),
        )
        .where(Signal.account == account_id)
        .order_by(Signal.occurred_at, ascending=False)
        .order_by(Signal.id, ascending=False)
        .limit(limit)
    )
    return await with_links([_signal(row) for row in rows], resolvers)


def _signal(row: dict[str, Any]) -> SimpleNamespace:
    topic = row["subject_type"] == SubjectType.topic.value
    return SimpleNamespace(
        kind=row["kind"],
        label=KIND_LABELS.get(row["kind"], row["kind"]),
        occurred_at=as_datetime(row["occurred_at"]),
        value=row["value"],
        member_name=row["member_name"],
        topic_id=int(row["subject_id"]) if topic and row["subject_id"] is not None else None,
        link=None,
    )


async def with_links(
    signals: list[SimpleNamespace], resolvers: Mapping[str, Resolver]
) -> list[SimpleNamespace]:
    """The signals with the title and address of the topic each is about, where it can be
    shown (core.subjects: the forum names its topics; engagement imports no domain)."""
    links = await subject_links(resolvers, "topic", [s.topic_id for s in signals if s.topic_id])
    for signal in signals:
        signal.link = links.get(signal.topic_id) if signal.topic_id else None
    return signals


async def kind_counts(account_id: int, kinds: tuple[str, ...]) -> dict[str, int]:
    rows = await (
        Signal.select(Signal.kind, Count(alias="n"))
        .where((Signal.account == account_id) & Signal.kind.is_in(list(kinds)))
        .group_by(Signal.kind)
    )
    counts = dict.fromkeys(kinds, 0)
    counts.update({row["kind"]: int(row["n"]) for row in rows})
    return counts


async def signals_of(
    account_id: int, kinds: tuple[str, ...], resolvers: Mapping[str, Resolver], limit: int = 20
) -> list[Any]:
    rows = await (
        Signal.select(
            Signal.id,
            Signal.kind,
            Signal.occurred_at,
            Signal.value,
            Signal.subject_type,
            Signal.subject_id,
            Signal.member.display_name.as_alias("member_name"),
        )
        .where((Signal.account == account_id) & Signal.kind.is_in(list(kinds)))
        .order_by(Signal.occurred_at, ascending=False)
        .limit(limit)
    )
    return await with_links([_signal(row) for row in rows], resolvers)


async def members(account_id: int) -> list[dict[str, Any]]:
    """The account's customers, the most recently seen first (never seen last)."""
    rows = await fetch(
        """SELECT id, display_name, email, last_seen_at, active FROM accounts_member
           WHERE account = {} AND role = 'customer'
           ORDER BY last_seen_at IS NULL, last_seen_at DESC, id""",
        account_id,
    )
    for row in rows:
        row["last_seen_at"] = as_datetime(row["last_seen_at"])
        row["active"] = bool(row["active"])
    return rows


async def account_alerts(account_id: int) -> list[dict[str, Any]]:
    rows = await (
        ScoreAlert.select(
            ScoreAlert.id,
            ScoreAlert.kind,
            ScoreAlert.score,
            ScoreAlert.baseline_score,
            ScoreAlert.created_at,
        )
        .where((ScoreAlert.account == account_id) & ScoreAlert.closed_at.is_null())
        .order_by(ScoreAlert.id, ascending=False)
    )
    for row in rows:
        row["label"] = ALERT_LABELS.get(row["kind"], row["kind"])
    return rows


async def staff_view(
    account_id: int, settings: ScoringSettings, resolvers: Mapping[str, Resolver]
) -> dict[str, Any]:
    """Everything the staff account page shows; `resolvers` name the signals' subjects."""
    account = await get_account(account_id)
    topics = await signals_of(account_id, (SignalKind.topic_created.value,), resolvers)
    return {
        "account": account,
        "score": await score_row(account_id),
        "recommended": recommended_tier(int(account["arr"] or 0), settings),
        "history": await history(account_id),
        "signals": await recent_signals(account_id, resolvers),
        "members": await members(account_id),
        "attended": await signals_of(account_id, ATTENDED, resolvers),
        "attended_counts": await kind_counts(account_id, ATTENDED),
        "community_counts": await kind_counts(account_id, COMMUNITY_COUNTED),
        "linked_topics": [s for s in topics if s.topic_id is not None],
        "alerts": await account_alerts(account_id),
    }


async def own_account_for(member: Any) -> dict[str, Any]:
    """A customer's own account, when its self-view is on; otherwise not found (no hint)."""
    if member.role != "customer" or member.account is None:
        raise NotFound(ACCOUNT_NOT_FOUND)
    account = await get_account(int(member.account))
    if not account["score_self_view"] or not account["active"]:
        raise NotFound(ACCOUNT_NOT_FOUND)
    return account


async def can_see_score(member: Any, account_id: int) -> bool:
    """Staff see every account; a customer only their own, and only with the self-view on."""
    if member.is_staff:
        return True
    if member.account != account_id:
        return False
    row = (
        await Account.select(Account.score_self_view, Account.active)
        .where(Account.id == account_id)
        .first()
    )
    return bool(row and row["score_self_view"] and row["active"])


async def set_self_view(account_id: int, enabled: bool) -> None:
    """Let the account's customers see its own score (admins decide, per account)."""
    async with transaction():
        await get_account(account_id)
        await Account.update(
            {Account.score_self_view: enabled, Account.updated_at: utcnow()}
        ).where(Account.id == account_id)


async def owner_alert_count(member_id: int) -> int:
    """Open alerts on the accounts this CSM owns (the in-app count)."""
    return int(
        await ScoreAlert.count().where(
            ScoreAlert.closed_at.is_null() & (ScoreAlert.account.owner == member_id)
        )
    )
