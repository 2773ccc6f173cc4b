"""The hybrid mix: per account and month, minutes of human touch (1:1 touches held) against
minutes of digital touch (content and homework taken in), with the staff-led events attended
(low touch) and forum actions (community touch) shown apart; the lifecycle stage each account
is in and the share of human touch its stage asks for.

Every figure for every account comes from two grouped queries (touches; the signals ledger),
never a query per account. Months are the vendor's calendar months (DEFAULT_TIMEZONE, at its
offset on the day asked: exact for zones without daylight saving time, as Japan's).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from core.database import fetch, is_postgres
from engagement.dashboard import as_date, as_datetime
from engagement.kinds import TOUCH, SignalKind, Touch
from success.schemas import MixSettings

DIGITAL_KINDS = (SignalKind.content_completed.value,)  # value: the item's minutes
LOW_KINDS = (SignalKind.webinar_attended.value, SignalKind.mokumoku_attended.value)
COMMUNITY_KINDS = tuple(
    kind
    for kind, touch in TOUCH.items()
    if touch == Touch.community.value and kind != SignalKind.daily_visit.value
)


class Stage(StrEnum):
    onboarding = "onboarding"
    adoption = "adoption"
    self_reliant = "self_reliant"


@dataclass
class MonthMix:
    month: date  # its first day
    human: float = 0.0  # minutes of 1:1 touch held
    digital: float = 0.0  # minutes of content and homework taken in
    low: float = 0.0  # minutes of webinars and mokumoku-kai attended
    community: int = 0  # topics, replies, accepted answers, likes received

    @property
    def touch_minutes(self) -> float:
        return self.human + self.digital

    @property
    def human_share(self) -> float | None:
        """Human touch as a percentage of human + digital; None with neither."""
        total = self.touch_minutes
        return None if total <= 0 else 100.0 * self.human / total


@dataclass
class AccountMix:
    account_id: int
    months: list[MonthMix] = field(default_factory=list)

    def window(self, months: int) -> MonthMix:
        """The last `months` months summed (the current one included)."""
        total = MonthMix(self.months[-1].month if self.months else date.today())
        for month in self.months[-months:]:
            total.human += month.human
            total.digital += month.digital
            total.low += month.low
            total.community += month.community
        return total


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end` (0 in the first month)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (1 if end.day < start.day else 0)


def stage_of(contract_start: date | None, today: date, settings: MixSettings) -> Stage:
    """Onboarding in the first months from the contract start, then adoption, then
    self-reliant. Without a contract start the account is taken as onboarding."""
    if contract_start is None or contract_start > today:
        return Stage.onboarding
    months = months_between(contract_start, today)
    if months < settings.onboarding_months:
        return Stage.onboarding
    return Stage.adoption if months < settings.adoption_months else Stage.self_reliant


def target_share(stage: Stage, settings: MixSettings) -> float:
    return {
        Stage.onboarding: settings.onboarding_human,
        Stage.adoption: settings.adoption_human,
        Stage.self_reliant: settings.self_reliant_human,
    }[stage]


def local_today(zone: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


def _offset_minutes(zone: str, now: datetime) -> int:
    offset = now.astimezone(ZoneInfo(zone)).utcoffset() or timedelta(0)
    return int(offset.total_seconds() // 60)


def _month_sql(column: str, offset: int) -> str:
    """The 'YYYY-MM' of a timestamp column in the vendor's zone, in the engine's dialect."""
    if is_postgres():
        return f"to_char(({column} AT TIME ZONE 'UTC') + interval '{offset} minutes', 'YYYY-MM')"
    return f"strftime('%Y-%m', {column}, '{offset:+d} minutes')"


def _in(values: Iterable[Any]) -> tuple[str, list[Any]]:
    items = list(values)
    return ", ".join("{}" for _ in items), items


class _Cells:
    """The months met so far, by account and 'YYYY-MM'."""

    def __init__(self) -> None:
        self.by_account: dict[int, dict[str, MonthMix]] = defaultdict(dict)

    def __call__(self, account: int, month: str) -> MonthMix:
        found = self.by_account[account].get(month)
        if found is None:
            year, number = month.split("-")
            found = self.by_account[account][month] = MonthMix(date(int(year), int(number), 1))
        return found


async def mixes(
    zone: str,
    now: datetime,
    months: int,
    account_ids: Iterable[int] | None = None,
) -> dict[int, AccountMix]:
    """{account id: its last `months` months, oldest first} for every account with any touch
    (or for `account_ids`, each present even when empty)."""
    first = add_months(month_start(local_today(zone, now)), -(months - 1))
    since = datetime.combine(first, datetime.min.time(), ZoneInfo(zone)).astimezone(UTC)
    wanted = sorted(set(account_ids)) if account_ids is not None else None
    if wanted == []:
        return {}
    cells = _Cells()
    month_sql = _month_sql("occurred_at", _offset_minutes(zone, now))
    await _add_touches(cells, month_sql, since, wanted)
    await _add_signals(cells, month_sql, since, wanted)
    calendar = [add_months(first, i) for i in range(months)]
    result: dict[int, AccountMix] = {}
    for account in wanted if wanted is not None else sorted(cells.by_account):
        by_month = {m.month: m for m in cells.by_account.get(account, {}).values()}
        result[account] = AccountMix(account, [by_month.get(m) or MonthMix(m) for m in calendar])
    return result


def _accounts_filter(wanted: list[int] | None) -> tuple[str, list[Any]]:
    if wanted is None:
        return "", []
    placeholders, values = _in(wanted)
    return f" AND account IN ({placeholders})", values


async def _add_touches(
    cells: _Cells, month_sql: str, since: datetime, wanted: list[int] | None
) -> None:
    """Minutes of 1:1 touch held, per account and month (one grouped query)."""
    where, args = _accounts_filter(wanted)
    rows = await fetch(
        f"SELECT account, {month_sql} AS month, SUM(duration_minutes) AS minutes "  # noqa: S608
        f"FROM success_touch WHERE outcome = 'held' AND occurred_at >= {{}}{where} GROUP BY 1, 2",
        since,
        *args,
    )
    for row in rows:
        cells(row["account"], row["month"]).human += float(row["minutes"] or 0)


async def _add_signals(
    cells: _Cells, month_sql: str, since: datetime, wanted: list[int] | None
) -> None:
    """Digital minutes, low-touch minutes and community actions from the ledger, per account,
    month and kind (one grouped query)."""
    where, args = _accounts_filter(wanted)
    kinds_sql, kinds = _in((*DIGITAL_KINDS, *LOW_KINDS, *COMMUNITY_KINDS))
    rows = await fetch(
        f"SELECT account, {month_sql} AS month, kind, SUM(value) AS total, "  # noqa: S608
        "COUNT(*) AS n FROM engagement_signal "
        f"WHERE occurred_at >= {{}} AND kind IN ({kinds_sql}){where} GROUP BY 1, 2, 3",
        since,
        *kinds,
        *args,
    )
    for row in rows:
        target = cells(row["account"], row["month"])
        if row["kind"] in DIGITAL_KINDS:
            target.digital += float(row["total"] or 0)
        elif row["kind"] in LOW_KINDS:
            target.low += float(row["total"] or 0)
        else:
            target.community += int(row["n"])


@dataclass(frozen=True)
class MixStatus:
    """Where one account's mix stands against its lifecycle stage."""

    account_id: int
    account_name: str
    tier: str
    owner_id: int | None
    band: str | None
    stage: Stage
    target: float
    share: float | None  # human share over the window; None without touch minutes
    human: float
    digital: float
    last_human_touch_at: datetime | None
    lags: bool  # still mostly human late in the lifecycle: a capacity risk
    ready_to_move_down: bool  # self-reliant, mostly digital, not red: a lighter tier would do
    high_touch_unreached: bool  # a high-touch account without a human touch for N days


async def statuses(
    settings: MixSettings, zone: str, now: datetime, account_ids: Iterable[int] | None = None
) -> list[MixStatus]:
    """Every active account's mix status (or those of `account_ids`), by name."""
    accounts = await _active_accounts(account_ids)
    if not accounts:
        return []
    ids = [row["id"] for row in accounts]
    by_account = await mixes(zone, now, settings.window_months, ids)
    last_touch = await last_human_touches(ids)
    today = local_today(zone, now)
    unreached_before = now - timedelta(days=settings.no_human_touch_days)
    found = []
    for row in accounts:
        window = by_account[row["id"]].window(settings.window_months)
        start = as_date(row["contract_start"]) if row["contract_start"] else None
        stage = stage_of(start, today, settings)
        target = target_share(stage, settings)
        share = window.human_share
        last = last_touch.get(row["id"])
        found.append(
            MixStatus(
                account_id=row["id"],
                account_name=row["name"],
                tier=row["touch_tier"],
                owner_id=row["owner"],
                band=row["band"],
                stage=stage,
                target=target,
                share=share,
                human=window.human,
                digital=window.digital,
                last_human_touch_at=last,
                lags=share is not None
                and stage != Stage.onboarding
                and share > target + settings.tolerance,
                ready_to_move_down=share is not None
                and row["touch_tier"] != "tech"
                and stage == Stage.self_reliant
                and share < target - settings.tolerance
                and row["band"] != "red",
                high_touch_unreached=row["touch_tier"] == "high"
                and (last is None or last < unreached_before),
            )
        )
    return found


async def _active_accounts(account_ids: Iterable[int] | None) -> list[dict[str, Any]]:
    where, args = "a.active = {}", [True]
    if account_ids is not None:
        wanted = sorted(set(account_ids))
        if not wanted:
            return []
        placeholders, values = _in(wanted)
        where += f" AND a.id IN ({placeholders})"
        args += values
    return await fetch(
        "SELECT a.id, a.name, a.touch_tier, a.owner, a.contract_start, s.band "  # noqa: S608
        "FROM accounts_account a LEFT JOIN engagement_account_score s ON s.account = a.id "
        f"WHERE {where} ORDER BY a.name, a.id",
        *args,
    )


async def last_human_touches(account_ids: Iterable[int]) -> dict[int, datetime]:
    """{account id: its newest 1:1 touch held}."""
    wanted = sorted(set(account_ids))
    if not wanted:
        return {}
    placeholders, values = _in(wanted)
    rows = await fetch(
        "SELECT account, MAX(occurred_at) AS last_at FROM success_touch "  # noqa: S608
        f"WHERE outcome = 'held' AND account IN ({placeholders}) GROUP BY account",
        *values,
    )
    return {
        row["account"]: last for row in rows if (last := as_datetime(row["last_at"])) is not None
    }
