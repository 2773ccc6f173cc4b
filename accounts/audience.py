"""Who something is for (an event, a content item): every account, the accounts of chosen touch
tiers (their `touch_tier` when asked), or chosen accounts (kept by the owning domain)."""

from __future__ import annotations

from enum import StrEnum

from accounts.tables import Account, TouchTier
from core.forms import Problems
from core.i18n import N_


class Audience(StrEnum):
    all = "all"
    tiers = "tiers"
    accounts = "accounts"


def parse_tiers(text: str) -> list[str]:
    """The touch tiers of a space-separated audience_tiers value, known ones only."""
    known = {tier.value for tier in TouchTier}
    return [tier for tier in text.split() if tier in known]


def admits(audience: str, tiers: str, account_tier: str | None, chosen: bool) -> bool:
    """Whether an account (its touch tier; whether it is among the chosen accounts) is in the
    audience; staff, who have no account, are never "in" an audience (they see everything)."""
    if audience == Audience.all.value:
        return True
    if audience == Audience.tiers.value:
        return account_tier is not None and account_tier in parse_tiers(tiers)
    return chosen


async def check_audience(
    audience: str, tiers: list[str], account_ids: list[int]
) -> tuple[list[int], Problems]:
    """The audience's account ids (none unless the audience is chosen accounts), and its
    problems: tiers without a tier, accounts without an account or with an unknown one."""
    problems: Problems = {}
    accounts = sorted(set(account_ids))
    if audience == Audience.tiers.value and not tiers:
        problems["audience_tiers"] = (N_("Choose at least one touch tier."), {})
    if audience != Audience.accounts.value:
        return [], problems
    if not accounts:
        problems["audience_accounts"] = (N_("Choose at least one account."), {})
    elif await Account.count().where(Account.id.is_in(accounts)) != len(accounts):
        problems["audience_accounts"] = (N_("One of the chosen accounts does not exist."), {})
    return accounts, problems
