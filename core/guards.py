"""Route guards by role. The user in scope is whatever the accounts middleware put there."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

STAFF_ROLES = frozenset({"csm", "admin"})


def _user(connection: ASGIConnection[Any, Any, Any, Any]) -> Any:
    user = connection.scope.get("user")
    if user is None:
        raise NotAuthorizedException()
    return user


def requires_member(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Any signed-in member (customer or staff)."""
    _user(connection)


def requires_staff(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """CSMs and admins."""
    if _user(connection).role not in STAFF_ROLES:
        raise PermissionDeniedException()


def requires_admin(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Admins only."""
    if _user(connection).role != "admin":
        raise PermissionDeniedException()
