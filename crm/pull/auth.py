"""Bearer API tokens on /api/: the middleware that checks one, rate-limits it and puts the
principal it stands for in scope (core.api_tokens: the principal, the scope guard).

Only route handlers that opt in with `opt={API_TOKEN_OPT: True}` accept a token; every other
/api/ route answers 403 to one, so a token can never act as a member.
"""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from core.api_tokens import API_TOKEN_OPT, ApiPrincipal, Unauthorized
from core.errors import Forbidden
from core.i18n import N_
from core.ratelimit import RateLimiter, too_many
from crm.pull.tokens import check_token
from crm.settings import CrmSettings

# The OpenAPI security schemes (crm.cli.CrmPlugin declares them): a token, or a session.
BEARER_SCHEME = "BearerToken"
SESSION_SCHEME = "Session"
SESSION_COOKIE = "kizuna_session"
RATE_WINDOW_SECONDS = 60


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
