"""Accounts and members: the directory staff edit, and the rules it keeps."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from accounts.tables import Account, AccountDomain, Member, Role
from core.database import is_postgres, transaction
from core.errors import Conflict, DomainError, Forbidden, NotFound
from core.i18n import N_
from core.security import hash_password
from core.spreadsheet import FORMULA_STARTS


def normalize_email(email: str) -> str:
    return unicodedata.normalize("NFKC", email).strip().lower()


def email_domain(email: str) -> str:
    return normalize_email(email).rpartition("@")[2]


def member_locale(member: Member | None, default: str) -> str:
    return (member.locale if member is not None and member.locale else None) or default


async def get_member(member_id: int) -> Member | None:
    return await Member.objects().where(Member.id == member_id).first()


async def get_active_member(member_id: int) -> Member | None:
    return await Member.objects().where((Member.id == member_id) & (Member.active.eq(True))).first()


async def get_account(account_id: int) -> Account:
    account = await Account.objects().where(Account.id == account_id).first()
    if account is None:
        raise NotFound(N_("This account does not exist."))
    return account


def validate_password(password: str) -> None:
    if len(password) < 10:
        raise DomainError(
            N_("Use a password of at least 10 characters."),
            field_errors={"password": N_("Use a password of at least 10 characters.")},
        )
    if len(password) > 200:
        raise DomainError(N_("Use a password of at most 200 characters."))


# --- handles -----------------------------------------------------------------------------


async def unique_handle(email: str, display_name: str) -> str:
    """An ASCII @handle derived from the email's local part, made unique with a number."""
    base = re.sub(r"[^a-z0-9_]", "_", normalize_email(email).partition("@")[0])[:40].strip("_")
    base = base or "member"
    candidate, n = base, 1
    while await Member.exists().where(Member.handle == candidate):
        n += 1
        candidate = f"{base}{n}"
    return candidate


# --- members -----------------------------------------------------------------------------


async def create_member(
    *,
    email: str,
    display_name: str,
    role: str,
    account_id: int | None,
    password: str | None = None,
    locale: str | None = None,
    timezone: str = "Asia/Tokyo",
) -> Member:
    """Create a member; customers need an account, staff have none."""
    address = normalize_email(email)
    if role == Role.customer.value and account_id is None:
        raise DomainError(
            N_("A customer member needs an account."),
            field_errors={"account_id": N_("Choose an account.")},
        )
    if role != Role.customer.value:
        account_id = None
    if account_id is not None:
        await get_account(account_id)
    async with transaction():
        if await Member.exists().where(Member.email == address):
            raise Conflict(
                N_("A member with this email address already exists."),
                field_errors={"email": N_("This email address is already registered.")},
            )
        member = Member(
            email=address,
            display_name=display_name.strip(),
            handle=await unique_handle(address, display_name),
            role=role,
            account=account_id,
            password_hash=hash_password(password) if password else None,
            locale=locale,
            timezone=timezone,
        )
        await member.save()
    return member


async def update_member(member_id: int, changes: dict[str, Any]) -> Member:
    member = await get_member(member_id)
    if member is None:
        raise NotFound(N_("This member does not exist."))
    role = changes.get("role", member.role)
    account_id = changes.get("account_id", member.account)
    if role == Role.customer.value and account_id is None:
        raise DomainError(
            N_("A customer member needs an account."),
            field_errors={"account_id": N_("Choose an account.")},
        )
    values: dict[Any, Any] = {}
    for name in (
        "display_name",
        "role",
        "locale",
        "timezone",
        "active",
        "email_notifications",
        "reengagement_opt_out",
    ):
        if name in changes:
            values[getattr(Member, name)] = changes[name]
    if "account_id" in changes or "role" in changes:
        if account_id is not None and role == Role.customer.value:
            await get_account(account_id)
        values[Member.account] = account_id if role == Role.customer.value else None
    if values:
        await Member.update(values).where(Member.id == member_id)
    updated = await get_member(member_id)
    assert updated is not None
    return updated


async def set_password(member_id: int, password: str) -> None:
    validate_password(password)
    await Member.update({Member.password_hash: hash_password(password)}).where(
        Member.id == member_id
    )


# --- accounts ----------------------------------------------------------------------------

FORMULA_CRM_ID = N_("A CRM id cannot start with =, +, - or @, which spreadsheets run as a formula.")
_DOMAIN = re.compile(r"^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$")


def parse_domains(text: str | None) -> list[str]:
    """Domains from free text (comma, space or semicolon separated), validated and lower-cased."""
    if not text:
        return []
    found: list[str] = []
    for part in re.split(r"[\s,;、]+", unicodedata.normalize("NFKC", text).lower()):
        domain = part.strip().lstrip("@")
        if not domain:
            continue
        if not _DOMAIN.match(domain):
            raise DomainError(
                N_("“%(domain)s” is not a valid email domain."),
                domain=domain,
                field_errors={"domains": N_("Enter valid email domains.")},
            )
        if domain not in found:
            found.append(domain)
    return found


async def domains_of(account_id: int) -> list[str]:
    rows = (
        await AccountDomain.select(AccountDomain.domain)
        .where(AccountDomain.account == account_id)
        .order_by(AccountDomain.domain)
    )
    return [row["domain"] for row in rows]


async def _check_account_unique(
    account_id: int | None, crm_external_id: str | None, domains: list[str]
) -> None:
    if crm_external_id:
        query = Account.exists().where(Account.crm_external_id == crm_external_id)
        if account_id is not None:
            query = query.where(Account.id != account_id)
        if await query:
            raise Conflict(
                N_("Another account already has this CRM id."),
                field_errors={"crm_external_id": N_("This CRM id is already used.")},
            )
    if domains:
        domain_query = AccountDomain.select(AccountDomain.domain).where(
            AccountDomain.domain.is_in(domains)
        )
        if account_id is not None:
            domain_query = domain_query.where(AccountDomain.account != account_id)
        taken = await domain_query
        if taken:
            raise Conflict(
                N_("The domain %(domain)s already belongs to another account."),
                domain=taken[0]["domain"],
                field_errors={"domains": N_("A domain belongs to another account.")},
            )


async def _check_owner(owner_id: int | None) -> None:
    if owner_id is None:
        return
    owner = await get_active_member(owner_id)
    if owner is None or not owner.is_staff:
        raise DomainError(
            N_("The owner must be an active CSM or admin."),
            field_errors={"owner_id": N_("Choose a CSM.")},
        )


async def save_account(
    account_id: int | None, fields: dict[str, Any], domains: list[str]
) -> Account:
    """Create (account_id None) or update an account and replace its domains, in one transaction."""
    crm_id = (fields.get("crm_external_id") or "").strip() or None
    if crm_id and crm_id.startswith(FORMULA_STARTS):
        # The id goes unchanged into the Salesforce and HubSpot files, which people open too.
        raise DomainError(FORMULA_CRM_ID, field_errors={"crm_external_id": FORMULA_CRM_ID})
    start, renewal = fields.get("contract_start"), fields.get("renewal_date")
    if start and renewal and renewal < start:
        message = N_("The renewal date must be on or after the contract start.")
        raise DomainError(message, field_errors={"renewal_date": message})
    async with transaction():
        await _check_account_unique(account_id, crm_id, domains)
        await _check_owner(fields.get("owner_id"))
        values = {
            "name": fields["name"].strip(),
            "crm_external_id": crm_id,
            "arr": int(fields.get("arr") or 0),
            "plan": (fields.get("plan") or "").strip(),
            "contract_start": fields.get("contract_start"),
            "renewal_date": fields.get("renewal_date"),
            "touch_tier": fields.get("touch_tier") or "low",
            "owner": fields.get("owner_id"),
            "allow_self_signup": bool(fields.get("allow_self_signup")),
            "score_self_view": bool(fields.get("score_self_view")),
        }
        if account_id is None:
            account = Account(**values)
            await account.save()
        else:
            account = await get_account(account_id)
            await Account.update(
                {getattr(Account, k): v for k, v in values.items()} | {Account.updated_at: _now()}
            ).where(Account.id == account_id)
        await AccountDomain.delete().where(AccountDomain.account == account.id)
        if domains:
            await AccountDomain.insert(
                *[AccountDomain(account=account.id, domain=d) for d in domains]
            )
    return await get_account(account.id)


async def set_account_active(account_id: int, active: bool) -> None:
    """Deactivating an account also deactivates its members (they can no longer sign in)."""
    async with transaction():
        await get_account(account_id)
        await Account.update({Account.active: active, Account.updated_at: _now()}).where(
            Account.id == account_id
        )
        if not active:
            await Member.update({Member.active: False}).where(Member.account == account_id)


def _now() -> Any:
    from core.timeutil import utcnow

    return utcnow()


async def staff_members() -> list[dict[str, Any]]:
    return (
        await Member.select(Member.id, Member.display_name, Member.role)
        .where(Member.role.is_in([Role.csm.value, Role.admin.value]) & Member.active.eq(True))
        .order_by(Member.display_name)
    )


# --- the staff directory's rules ---------------------------------------------------------


async def edit_member(actor: Member, member_id: int, changes: dict[str, Any]) -> Member:
    """A staff edit of a member, within the rules of who may change what."""
    async with transaction():
        member = await get_member(member_id)
        if member is None:
            raise NotFound(N_("This member does not exist."))
        _check_may_edit(actor, member, changes)
        return await update_member(member_id, changes)


def _check_may_edit(actor: Member, member: Member, changes: dict[str, Any]) -> None:
    new_role = changes.get("role", member.role)
    if not actor.is_admin and (member.is_staff or new_role != Role.customer.value):
        raise Forbidden(N_("Only an admin can change staff members or grant staff roles."))
    # Keeps an admin from locking themselves (and possibly everyone) out.
    if actor.id == member.id and (new_role != member.role or changes.get("active") is False):
        raise DomainError(N_("You cannot change your own role or deactivate yourself."))


async def deactivate_member(actor: Member, member_id: int) -> Member:
    """The member can no longer sign in; an open session ends at its next request."""
    return await edit_member(actor, member_id, {"active": False})


async def lock_member(member_id: int) -> None:
    """Serialise one member's writes inside a transaction (PostgreSQL row lock; SQLite's write
    transaction already does), so a double click's second request sees the first one's row."""
    if is_postgres():
        await Member.select(Member.id).where(Member.id == member_id).lock_rows("NO KEY UPDATE")
