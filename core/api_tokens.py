"""API tokens as the routes see them: the principal a bearer token stands for, the scope guard,
and the CSRF check that a token request skips.

Which tokens exist and whether one is valid is the CRM package's (crm.pull: its table, the
middleware that puts an `ApiPrincipal` in scope); any domain's routes opt in to tokens with
`opt={API_TOKEN_OPT: True}` and guard themselves with `requires_scope`. Every other /api/
route answers 403 to a token, so a token can never act as a member.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import Receive, Scope, Send

from core.errors import BEARER_CHALLENGE, DomainError, Forbidden
from core.guards import STAFF_ROLES
from core.i18n import N_

API_TOKEN_OPT = "api_token"  # noqa: S105 - an opt key, not a secret


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


def token_route(scope_name: str, sessions: str | None = "staff") -> dict[str, Any]:
    """A route handler's keyword arguments that let it take API tokens with `scope_name` (and
    the sessions of `requires_scope`): `@post("/", **token_route("events:write"))`."""
    return {"guards": [requires_scope(scope_name, sessions)], "opt": {API_TOKEN_OPT: True}}


class TokenAwareCSRFMiddleware(CSRFMiddleware):
    """Litestar's CSRF check, skipped for a request a valid bearer token made: a browser never
    sends one by itself, and such a request acts as the token, never as the session's member
    (an invalid token was refused before this runs). So one route can take a session (with its
    CSRF token) and a token (without)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if isinstance(scope.get("user"), ApiPrincipal):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


# How an API operation documents its token refusals (problem_responses(described=…)).
TOKEN_PROBLEMS = {
    401: "Unknown, expired or revoked token.",
    403: "The token lacks the scope, or the endpoint does not take a session.",
}
