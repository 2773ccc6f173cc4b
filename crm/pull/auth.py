"""Bearer API tokens on /api/: the principal they stand for, scope guards and the rate limit.

Only route handlers that opt in with `opt={API_TOKEN_OPT: True}` accept a token; every other
/api/ route answers 403 to one, so a token can never act as a member.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from core.errors import BEARER_CHALLENGE, DomainError, Forbidden
from core.guards import STAFF_ROLES
from core.i18n import N_
from core.ratelimit import RateLimiter, too_many
from crm.pull.tokens import check_token
from crm.settings import CrmSettings

API_TOKEN_OPT = "api_token"  # noqa: S105 - an opt key, not a secret
# The OpenAPI security schemes (crm.cli.CrmPlugin declares them): a token, or a session.
BEARER_SCHEME = "BearerToken"
SESSION_SCHEME = "Session"
SESSION_COOKIE = "kizuna_session"
RATE_WINDOW_SECONDS = 60


class Unauthorized(DomainError):
    status_code = 401
    default_message = N_("The API token is not valid.")


@dataclass(frozen=True)
class ApiPrincipal:
    """Who a bearer token acts as: not a member, only its scopes."""

    token_id: int
    name: str
    scopes: frozenset[str]
    owner_id: int | None
    role: str = "api"
    id: None = None
    account: None = None
    locale: None = None
    is_staff: bool = False
    is_admin: bool = False

    @property
    def display_name(self) -> str:
        return self.name


def bearer_secret(scope: Scope) -> str | None:
    """The token of an `Authorization: Bearer …` header, if there is one."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, credentials = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer":
                return credentials.strip()
    return None


class BearerTokenMiddleware(ASGIMiddleware):
    """Sets scope["user"] to an ApiPrincipal for a valid token (runs after CurrentMember)."""

    scopes = (ScopeType.HTTP,)
    should_bypass_for_scope = staticmethod(lambda scope: not scope["path"].startswith("/api/"))

    def __init__(self, settings: CrmSettings, limiter: RateLimiter) -> None:
        self.settings = settings
        self.limiter = limiter

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        secret = bearer_secret(scope)
        if secret is None:
            await next_app(scope, receive, send)
            return
        handler = scope.get("route_handler")
        if handler is None or not handler.opt.get(API_TOKEN_OPT):
            raise Forbidden(N_("This endpoint does not accept API tokens."))
        check = await check_token(secret)
        if check.token is None:
            raise Unauthorized(
                check.refusal,
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        token = check.token
        key = f"api-token:{token.id}"
        count, reset = await self.limiter.hit_window(key, RATE_WINDOW_SECONDS)
        limit = self.settings.api_token_rate_limit_per_minute
        if count > limit:
            raise too_many(
                N_("Too many API requests with this token. Retry after %(seconds)s seconds."),
                limit=limit,
                reset=reset,
                seconds=reset,
            )
        scope["user"] = ApiPrincipal(
            token_id=token.id,
            name=token.name,
            scopes=frozenset(token.scopes.split()),
            owner_id=token.created_by,
        )
        await next_app(scope, receive, send)


def requires_scope(scope_name: str, sessions: str | None = "staff") -> Any:
    """A guard: a token with `scope_name`, or (when `sessions` is staff/admin) such a member.

    Handlers that take sessions=None are token-only, so they may skip CSRF: a browser never
    sends a bearer token by itself.
    """
    allowed_roles = {"staff": STAFF_ROLES, "admin": frozenset({"admin"}), None: frozenset()}[
        sessions
    ]

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        user = connection.scope.get("user")
        if user is None:
            raise NotAuthorizedException()
        if isinstance(user, ApiPrincipal):
            if scope_name not in user.scopes:
                raise Forbidden(N_("This API token lacks the scope %(scope)s."), scope=scope_name)
            return
        if sessions is None:
            raise Unauthorized(
                N_("This endpoint takes an API token (Authorization: Bearer …), not a session."),
                headers={"WWW-Authenticate": BEARER_CHALLENGE},
            )
        if user.role not in allowed_roles:
            raise Forbidden()

    guard.__name__ = f"requires_scope_{scope_name.replace(':', '_')}"
    return guard


# How an API operation documents its token refusals (problem_responses(described=…)).
TOKEN_PROBLEMS = {
    401: "Unknown, expired or revoked token.",
    403: "The token lacks the scope, or the endpoint does not take a session.",
}
