"""The mix targets in force (versioned like the scoring configuration) and CSM capacity: each
CSM's human-touch hours this month and planned load (hours a month per owned account by its
touch tier, the seed's 4 / 1 / 0.2) against the capacity an admin set.

A CSM over capacity is flagged with the accounts that could move to a lighter touch model (the
mix says they are self-reliant enough).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from accounts.tables import Member, Role
from core.database import fetch, transaction
from core.errors import DomainError, Forbidden, NotFound
from core.i18n import N_, gettext
from success.mix import MixStatus, add_months, local_today, month_start, statuses
from success.schemas import MixSettings
from success.tables import CsmCapacity, MixConfig

TIERS = ("high", "low", "tech")


async def current_mix_settings() -> MixSettings:
    row = (
        await MixConfig.select(MixConfig.settings)
        .order_by(MixConfig.id, ascending=False)
        .output(load_json=True)
        .first()
    )
    return MixSettings.model_validate(row["settings"]) if row else MixSettings()


async def save_mix_settings(actor: Member, settings: MixSettings) -> None:
    if not actor.is_admin:
        raise Forbidden(N_("Only admins change the mix targets."))
    if settings.adoption_months <= settings.onboarding_months:
        message = N_("Adoption must end after onboarding.")
        raise DomainError(message, field_errors={"adoption_months": gettext(message)})
    async with transaction():
        await MixConfig(settings=settings.model_dump(), created_by=actor.id).save()


async def set_capacity(actor: Member, member_id: int, hours: float) -> None:
    if not actor.is_admin:
        raise Forbidden(N_("Only admins set a CSM's capacity."))
    person = await Member.objects().where(Member.id == member_id).first()
    if person is None or not person.is_staff:
        raise NotFound(N_("This CSM does not exist."))
    if not 1 <= hours <= 744:
        message = N_("Enter between 1 and 744 hours a month.")
        raise DomainError(message, field_errors={"hours": gettext(message)})
    async with transaction():
        await CsmCapacity.insert(CsmCapacity(member=member_id, hours_per_month=hours)).on_conflict(
            target=CsmCapacity.member, action="DO UPDATE", values=[CsmCapacity.hours_per_month]
        )


@dataclass
class CsmLoad:
    member_id: int
    name: str
    capacity: float  # hours a month
    accounts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TIERS, 0))
    planned: float = 0.0  # hours a month the owned accounts' tiers ask for
    actual: float = 0.0  # hours of 1:1 touch this month
    movable: list[MixStatus] = field(default_factory=list)

    @property
    def load(self) -> float:
        """The larger of planned and actual, as a share of capacity (%)."""
        return 100.0 * max(self.planned, self.actual) / self.capacity if self.capacity else 0.0

    @property
    def over(self) -> bool:
        return max(self.planned, self.actual) > self.capacity

    @property
    def near(self) -> bool:
        return not self.over and self.load >= 85.0


async def csm_loads(settings: MixSettings, zone: str, now: datetime) -> list[CsmLoad]:
    """Every active CSM and admin who owns accounts or touched one this month, by load."""
    staff = await Member.select(Member.id, Member.display_name).where(
        Member.role.is_in([Role.csm.value, Role.admin.value]) & Member.active.eq(True)
    )
    capacities = {
        row["member"]: float(row["hours_per_month"])
        for row in await CsmCapacity.select(CsmCapacity.member, CsmCapacity.hours_per_month)
    }
    loads = {
        row["id"]: CsmLoad(
            row["id"],
            row["display_name"],
            capacities.get(row["id"], settings.default_capacity_hours),
        )
        for row in staff
    }
    for row in await fetch(
        "SELECT owner, touch_tier, COUNT(*) AS n FROM accounts_account "
        "WHERE active = {} AND owner IS NOT NULL GROUP BY owner, touch_tier",
        True,
    ):
        load = loads.get(row["owner"])
        if load is not None and row["touch_tier"] in load.accounts:
            load.accounts[row["touch_tier"]] += int(row["n"])
            load.planned += settings.tier_hours(row["touch_tier"]) * int(row["n"])
    first = month_start(local_today(zone, now))
    since = datetime.combine(first, datetime.min.time(), ZoneInfo(zone)).astimezone(UTC)
    until = datetime.combine(add_months(first, 1), datetime.min.time(), ZoneInfo(zone))
    for row in await fetch(
        "SELECT s.member, SUM(t.duration_minutes) AS minutes FROM success_touch t "
        "JOIN success_touch_staff s ON s.touch = t.id WHERE t.outcome = {} "
        "AND t.occurred_at >= {} AND t.occurred_at < {} GROUP BY s.member",
        "held",
        since,
        until.astimezone(UTC),
    ):
        load = loads.get(row["member"])
        if load is not None:
            load.actual = float(row["minutes"] or 0) / 60.0
    busy = [load for load in loads.values() if load.planned or load.actual]
    over = [load for load in busy if load.over]
    if over:
        movable = _movable_by_owner(await statuses(settings, zone, now))
        for load in over:
            load.movable = movable.get(load.member_id, [])
    return sorted(busy, key=lambda load: (-load.load, load.name))


def _movable_by_owner(found: list[MixStatus]) -> dict[int, list[MixStatus]]:
    by_owner: dict[int, list[MixStatus]] = defaultdict(list)
    for status in found:
        if status.ready_to_move_down and status.owner_id is not None:
            by_owner[status.owner_id].append(status)
    return by_owner


def month_label(now: datetime, zone: str) -> Any:
    return month_start(local_today(zone, now))
