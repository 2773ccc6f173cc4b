"""Read-side queries of the staff directory: accounts and members, searched and paged."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from piccolo.columns import Column
from piccolo.columns.combination import Where
from piccolo.query.functions.aggregate import Count

from accounts.schemas import AccountOut
from accounts.tables import Account, AccountDomain, Invitation, Member, Role
from core.database import is_postgres
from core.errors import NotFound
from core.i18n import N_
from core.timeutil import utcnow


@dataclass
class AccountPage:
    """One page of accounts, with the owners' names for display."""

    items: list[AccountOut]
    total: int
    owner_names: dict[int, str] = field(default_factory=dict)


def _contains(column: Column, text: str) -> Where:
    # LIKE in SQLite is already case-insensitive for ASCII; PostgreSQL needs ILIKE.
    pattern = f"%{text}%"
    return column.ilike(pattern) if is_postgres() else column.like(pattern)


def _account_search(text: str) -> Any:
    by_domain = AccountDomain.select(AccountDomain.account).where(
        _contains(AccountDomain.domain, text.lower().lstrip("@"))
    )
    return _contains(Account.name, text) | Account.id.is_in(by_domain)


async def find_accounts(search: str = "", *, limit: int = 50, offset: int = 0) -> AccountPage:
    """Accounts by name, whose name or one of whose domains contains `search`."""
    text = search.strip()
    query = Account.select(*_ACCOUNT_COLUMNS)
    count = Account.count()
    if text:
        query = query.where(_account_search(text))
        count = count.where(_account_search(text))
    rows = await query.order_by(Account.name).order_by(Account.id).limit(limit).offset(offset)
    items = await _account_outs(rows)
    owners = {row["owner"]: row["owner_name"] for row in rows if row["owner"] is not None}
    return AccountPage(items=items, total=await count, owner_names=owners)


async def account_out(account_id: int) -> AccountOut:
    """One account as the API shows it."""
    rows = await Account.select(*_ACCOUNT_COLUMNS).where(Account.id == account_id)
    if not rows:
        raise NotFound(N_("This account does not exist."))
    return (await _account_outs(rows))[0]


_ACCOUNT_COLUMNS = (
    Account.id,
    Account.name,
    Account.crm_external_id,
    Account.arr,
    Account.plan,
    Account.contract_start,
    Account.renewal_date,
    Account.touch_tier,
    Account.owner,
    Account.owner.display_name.as_alias("owner_name"),
    Account.allow_self_signup,
    Account.active,
)


async def _account_outs(rows: list[dict[str, Any]]) -> list[AccountOut]:
    ids = [row["id"] for row in rows]
    if not ids:
        return []
    domains: dict[int, list[str]] = {}
    for row in await (
        AccountDomain.select(AccountDomain.account, AccountDomain.domain)
        .where(AccountDomain.account.is_in(ids))
        .order_by(AccountDomain.domain)
    ):
        domains.setdefault(row["account"], []).append(row["domain"])
    counts = {
        row["account"]: row["count"]
        for row in await Member.select(Member.account, Count())
        .where(Member.account.is_in(ids) & Member.active.eq(True))
        .group_by(Member.account)
    }
    return [
        AccountOut(
            id=row["id"],
            name=row["name"],
            domains=domains.get(row["id"], []),
            crm_external_id=row["crm_external_id"],
            arr=row["arr"],
            plan=row["plan"] or "",
            contract_start=row["contract_start"],
            renewal_date=row["renewal_date"],
            touch_tier=row["touch_tier"],
            owner_id=row["owner"],
            allow_self_signup=row["allow_self_signup"],
            active=row["active"],
            member_count=counts.get(row["id"], 0),
        )
        for row in rows
    ]


async def account_choices(include_inactive: bool = False) -> list[tuple[int, str]]:
    """(id, name) of accounts for a select box."""
    query = Account.select(Account.id, Account.name).order_by(Account.name)
    if not include_inactive:
        query = query.where(Account.active.eq(True))
    return [(row["id"], row["name"]) for row in await query]


@dataclass
class MemberFilter:
    search: str = ""
    account_id: int | None = None
    role: str | None = None


async def find_members(
    wanted: MemberFilter, *, limit: int = 50, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """Members matching the filter (name or email contains the search), with their account."""
    conditions: list[Any] = []
    text = wanted.search.strip()
    if text:
        conditions.append(_contains(Member.display_name, text) | _contains(Member.email, text))
    if wanted.account_id is not None:
        conditions.append(Member.account == wanted.account_id)
    if wanted.role in {role.value for role in Role}:
        conditions.append(Member.role == wanted.role)
    query = Member.select(
        Member.id,
        Member.email,
        Member.display_name,
        Member.role,
        Member.account,
        Member.account.name.as_alias("account_name"),
        Member.last_seen_at,
        Member.active,
    )
    count = Member.count()
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    rows = await query.order_by(Member.display_name).order_by(Member.id).limit(limit).offset(offset)
    return rows, await count


async def pending_invitations(account_id: int | None = None) -> list[dict[str, Any]]:
    """Invitations not yet accepted and not expired, newest first."""
    query = Invitation.select(
        Invitation.id,
        Invitation.email,
        Invitation.display_name,
        Invitation.role,
        Invitation.account.name.as_alias("account_name"),
        Invitation.invited_by.display_name.as_alias("invited_by_name"),
        Invitation.expires_at,
        Invitation.created_at,
    ).where(Invitation.accepted_at.is_null() & (Invitation.expires_at > utcnow()))
    if account_id is not None:
        query = query.where(Invitation.account == account_id)
    return await query.order_by(Invitation.created_at, ascending=False).limit(200)
