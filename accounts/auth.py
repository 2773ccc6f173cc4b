"""Signing in: credentials, invitations, self sign-up by email domain, password reset."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from accounts.services import (
    create_member,
    email_domain,
    get_account,
    get_active_member,
    member_locale,
    normalize_email,
    set_password,
    validate_password,
)
from accounts.settings import AccountsSettings
from accounts.tables import Account, AccountDomain, Invitation, Member, Role
from core.database import transaction
from core.errors import Conflict, DomainError, Forbidden, TooManyRequests
from core.i18n import N_
from core.mail import send_email
from core.ratelimit import RateLimiter
from core.security import TokenError, hash_password, needs_rehash, sign, unsign, verify_password
from core.timeutil import utcnow

INVITATION_PURPOSE = "invitation"
RESET_PURPOSE = "password-reset"
SIGNUP_PURPOSE = "signup"


# --- sign-in -----------------------------------------------------------------------------


async def authenticate(
    email: str, password: str, client_ip: str, settings: AccountsSettings, limiter: RateLimiter
) -> Member:
    """The member for these credentials; failures are counted per address and per client IP."""
    address = normalize_email(email)
    window = settings.signin_limit_window_seconds
    address_key, ip_key = f"signin:addr:{address}", f"signin:ip:{client_ip}"
    limits = (
        (address_key, settings.signin_limit_per_address),
        (ip_key, settings.signin_limit_per_ip),
    )
    full = [key for key, limit in limits if await limiter.exceeded(key, limit)]
    if full:
        left = max([await limiter.seconds_left(key, window) for key in full])
        raise TooManyRequests(
            N_("Too many failed sign-ins. Please wait %(minutes)s minutes and try again."),
            minutes=max(1, math.ceil(left / 60)),
            headers={"Retry-After": str(left)},
        )
    member = await Member.objects().where(Member.email == address).first()
    ok = verify_password(member.password_hash if member else None, password)
    if member is None or not ok or not member.active:
        await limiter.hit(address_key, window)
        await limiter.hit(ip_key, window)
        raise DomainError(N_("The email address or password is incorrect."))
    await limiter.reset(address_key)
    if member.password_hash and needs_rehash(member.password_hash):
        await Member.update({Member.password_hash: hash_password(password)}).where(
            Member.id == member.id
        )
    return member


# --- invitations -------------------------------------------------------------------------


async def invite_member(
    *,
    email: str,
    display_name: str,
    role: str,
    account_id: int | None,
    invited_by: Member,
    settings: AccountsSettings,
) -> Invitation:
    """Record an invitation and email its signed link (valid for the invitation lifetime)."""
    address = normalize_email(email)
    if role != Role.customer.value and not invited_by.is_admin:
        raise Forbidden(N_("Only an admin can invite staff."))
    if role == Role.customer.value and account_id is None:
        raise DomainError(
            N_("A customer member needs an account."),
            field_errors={"account_id": N_("Choose an account.")},
        )
    if account_id is not None:
        await get_account(account_id)
    async with transaction():
        if await Member.exists().where(Member.email == address):
            raise Conflict(
                N_("A member with this email address already exists."),
                field_errors={"email": N_("This email address is already registered.")},
            )
        invitation = Invitation(
            email=address,
            display_name=display_name.strip(),
            role=role,
            account=account_id if role == Role.customer.value else None,
            invited_by=invited_by.id,
            expires_at=utcnow() + timedelta(seconds=settings.invitation_max_age_seconds),
        )
        await invitation.save()
        token = sign(settings.resolved_secret_key(), INVITATION_PURPOSE, {"i": invitation.id})
        await send_email(
            address,
            "emails/invitation.html",
            settings.default_locale,
            link=f"{settings.base_url}/invitations/accept?token={token}",
            inviter=invited_by.display_name,
            days=settings.invitation_max_age_seconds // 86400,
        )
    return invitation


async def open_invitation(token: str, settings: AccountsSettings) -> Invitation:
    """The invitation behind a link, if it is genuine, unexpired and unused."""
    try:
        payload = unsign(
            settings.resolved_secret_key(),
            INVITATION_PURPOSE,
            token,
            settings.invitation_max_age_seconds,
        )
    except TokenError as exc:
        if exc.expired:
            raise DomainError(
                N_("This invitation has expired. Ask for a new one."),
            ) from exc
        raise DomainError(N_("This invitation link is not valid.")) from exc
    invitation = await Invitation.objects().where(Invitation.id == payload.get("i")).first()
    if invitation is None:
        raise DomainError(N_("This invitation link is not valid."))
    if invitation.accepted_at is not None:
        raise Conflict(N_("This invitation has already been used. Sign in instead."))
    if invitation.expires_at < utcnow():
        raise DomainError(N_("This invitation has expired. Ask for a new one."))
    return invitation


async def accept_invitation(
    token: str, display_name: str, password: str, settings: AccountsSettings
) -> Member:
    validate_password(password)
    async with transaction():
        invitation = await open_invitation(token, settings)
        # Mark first: a second concurrent accept finds it used (the row is written in this tx).
        marked = (
            await Invitation.update({Invitation.accepted_at: utcnow()})
            .where((Invitation.id == invitation.id) & Invitation.accepted_at.is_null())
            .returning(Invitation.id)
        )
        if not marked:
            raise Conflict(N_("This invitation has already been used. Sign in instead."))
        member = await create_member(
            email=invitation.email,
            display_name=display_name or invitation.display_name or invitation.email,
            role=invitation.role,
            account_id=invitation.account,
            password=password,
        )
    return member


# --- self sign-up ------------------------------------------------------------------------


async def signup_account_for(email: str) -> Account | None:
    """The account whose domain matches and allows self sign-up."""
    row = (
        await AccountDomain.select(AccountDomain.account)
        .where(AccountDomain.domain == email_domain(email))
        .first()
    )
    if row is None:
        return None
    account = (
        await Account.objects()
        .where(
            (Account.id == row["account"])
            & Account.active.eq(True)
            & Account.allow_self_signup.eq(True)
        )
        .first()
    )
    return account


async def request_signup(
    email: str, display_name: str, locale: str, settings: AccountsSettings
) -> None:
    """Email a link that completes the sign-up, if the domain's account allows it."""
    address = normalize_email(email)
    account = await signup_account_for(address)
    if account is None:
        raise Forbidden(
            N_(
                "Self sign-up is not available for this email domain. Ask your CSM for an "
                "invitation."
            ),
            field_errors={"email": N_("This email domain cannot sign up by itself.")},
        )
    async with transaction():
        if await Member.exists().where(Member.email == address):
            # Say the same as for a new address: do not reveal who is registered.
            await send_email(
                address,
                "emails/signup_exists.html",
                locale,
                link=f"{settings.base_url}/password/forgot",
            )
            return
        token = sign(
            settings.resolved_secret_key(),
            SIGNUP_PURPOSE,
            {"e": address, "n": display_name.strip(), "a": account.id, "l": locale},
        )
        await send_email(
            address,
            "emails/signup.html",
            locale,
            link=f"{settings.base_url}/signup/complete?token={token}",
            account_name=account.name,
            days=settings.invitation_max_age_seconds // 86400,
        )


def open_signup(token: str, settings: AccountsSettings) -> dict[str, Any]:
    try:
        payload: dict[str, Any] = unsign(
            settings.resolved_secret_key(),
            SIGNUP_PURPOSE,
            token,
            settings.invitation_max_age_seconds,
        )
    except TokenError as exc:
        if exc.expired:
            raise DomainError(N_("This sign-up link has expired. Please sign up again.")) from exc
        raise DomainError(N_("This sign-up link is not valid.")) from exc
    return payload


async def complete_signup(token: str, password: str, settings: AccountsSettings) -> Member:
    payload = open_signup(token, settings)
    validate_password(password)
    account = await signup_account_for(payload["e"])
    if account is None or account.id != payload["a"]:
        raise Forbidden(N_("Self sign-up is no longer available for this email domain."))
    return await create_member(
        email=payload["e"],
        display_name=payload["n"] or payload["e"].partition("@")[0],
        role=Role.customer.value,
        account_id=account.id,
        password=password,
        locale=payload.get("l"),
    )


# --- password reset ----------------------------------------------------------------------


def _reset_fingerprint(member: Member) -> str:
    # Changes when the password changes, so a used link stops working.
    return (member.password_hash or "unset")[-16:]


async def request_password_reset(email: str, settings: AccountsSettings) -> None:
    """Email a reset link if the address belongs to an active member; silent otherwise."""
    member = (
        await Member.objects()
        .where((Member.email == normalize_email(email)) & Member.active.eq(True))
        .first()
    )
    if member is None:
        return
    token = sign(
        settings.resolved_secret_key(),
        RESET_PURPOSE,
        {"m": member.id, "f": _reset_fingerprint(member)},
    )
    async with transaction():
        await send_email(
            member.email,
            "emails/password_reset.html",
            member_locale(member, settings.default_locale),
            link=f"{settings.base_url}/password/reset?token={token}",
            minutes=settings.password_reset_max_age_seconds // 60,
        )


async def open_password_reset(token: str, settings: AccountsSettings) -> Member:
    try:
        payload = unsign(
            settings.resolved_secret_key(),
            RESET_PURPOSE,
            token,
            settings.password_reset_max_age_seconds,
        )
    except TokenError as exc:
        if exc.expired:
            raise DomainError(N_("This reset link has expired. Request a new one.")) from exc
        raise DomainError(N_("This reset link is not valid.")) from exc
    member = await get_active_member(int(payload.get("m", 0)))
    if member is None or payload.get("f") != _reset_fingerprint(member):
        raise DomainError(N_("This reset link has already been used or is not valid."))
    return member


async def reset_password(token: str, password: str, settings: AccountsSettings) -> Member:
    member = await open_password_reset(token, settings)
    await set_password(member.id, password)
    return member
