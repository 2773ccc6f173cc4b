"""API tokens: created by admins, shown once, stored as a digest, scoped, expiring, revocable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from accounts.api import SCOPES as ACCOUNT_SCOPES
from accounts.tables import Member
from community.api import SCOPES as COMMUNITY_SCOPES
from core.errors import DomainError, NotFound
from core.i18n import N_
from core.security import random_token, token_digest
from core.timeutil import utcnow
from crm.tables import ApiToken
from events.api import SCOPES as EVENT_SCOPES
from renewals.api import SCOPES as RENEWAL_SCOPES

TOKEN_PREFIX = "kz_"  # noqa: S105 - the public prefix of every token
SCOPES: dict[str, str] = {
    "scores:read": N_("Read engagement scores (pull API)"),
    "webhooks:manage": N_("Manage webhook endpoints"),
    **ACCOUNT_SCOPES,
    **COMMUNITY_SCOPES,
    **EVENT_SCOPES,
    **RENEWAL_SCOPES,
}
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    """A token just created: `secret` is shown once and never stored."""

    token: ApiToken
    secret: str


@dataclass(frozen=True)
class TokenCheck:
    """The outcome of checking a bearer token: the row when valid, else why it is refused."""

    token: ApiToken | None
    refusal: str | None


def parse_scopes(values: Any) -> list[str]:
    chosen = values if isinstance(values, list) else [values] if values else []
    scopes = sorted({str(v) for v in chosen})
    if not scopes:
        raise DomainError(
            N_("Choose at least one scope."),
            field_errors={"scopes": N_("Choose at least one scope.")},
        )
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise DomainError(
            N_("Unknown scope: %(scope)s"),
            scope=unknown[0],
            field_errors={"scopes": N_("Choose one of the offered values.")},
        )
    return scopes


async def create_token(
    name: str, scopes: list[str], expires_in_days: int | None, created_by: Member
) -> IssuedToken:
    """Issue a token `kz_…`; only its sha256 digest is kept."""
    name = name.strip()
    if not name:
        raise DomainError(
            N_("Give the token a name."), field_errors={"name": N_("This field is required.")}
        )
    secret = TOKEN_PREFIX + random_token(32)
    row = ApiToken(
        name=name[:100],
        prefix=secret[:10],
        digest=token_digest(secret),
        scopes=" ".join(parse_scopes(scopes)),
        created_by=created_by.id,
        expires_at=utcnow() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    await row.save()
    return IssuedToken(row, secret)


async def list_tokens() -> list[dict[str, Any]]:
    return await ApiToken.select(
        *ApiToken.all_columns(exclude=[ApiToken.digest]),
        ApiToken.created_by.display_name.as_alias("created_by_name"),
    ).order_by(ApiToken.id, ascending=False)


async def revoke_token(token_id: int) -> None:
    """Revoke a token; it stops working on its next request."""
    revoked = (
        await ApiToken.update({ApiToken.revoked_at: utcnow()})
        .where((ApiToken.id == token_id) & ApiToken.revoked_at.is_null())
        .returning(ApiToken.id)
    )
    if not revoked and not await ApiToken.exists().where(ApiToken.id == token_id):
        raise NotFound(N_("This API token does not exist."))


async def check_token(secret: str, now: datetime | None = None) -> TokenCheck:
    """The token row for a presented secret, or the reason it is refused (a msgid)."""
    now = now or utcnow()
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return TokenCheck(None, N_("The API token is not valid."))
    token = await ApiToken.objects().where(ApiToken.digest == token_digest(secret)).first()
    if token is None:
        return TokenCheck(None, N_("The API token is not valid."))
    if token.revoked_at is not None:
        return TokenCheck(None, N_("The API token has been revoked."))
    if token.expires_at is not None and token.expires_at <= now:
        return TokenCheck(None, N_("The API token has expired."))
    await touch_token(token, now)
    return TokenCheck(token, None)


async def touch_token(token: ApiToken, now: datetime) -> None:
    """Record use at most once a minute per token: a busy poller must not write every request."""
    last = token.last_used_at
    if last is not None and now - last < LAST_USED_RESOLUTION:
        return
    await ApiToken.update({ApiToken.last_used_at: now}).where(
        (ApiToken.id == token.id)
        & (ApiToken.last_used_at.is_null() | (ApiToken.last_used_at < now - LAST_USED_RESOLUTION))
    )
    token.last_used_at = now
