"""Small shared pieces of the web layer: flash messages, navigation, safe redirects, client IP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from litestar import Request
from litestar.response import Redirect

from core.i18n import gettext

FLASH_KEY = "_flashes"


def flash(request: Request[Any, Any, Any], text: str, kind: str = "info") -> None:
    """Show `text` (already translated) on the next page rendered for this session."""
    session = request.scope.get("session")
    if isinstance(session, dict):
        session.setdefault(FLASH_KEY, []).append([kind, text])


def flashes(request: Request[Any, Any, Any]) -> list[tuple[str, str]]:
    session = request.scope.get("session")
    if not isinstance(session, dict) or FLASH_KEY not in session:
        return []
    return [(kind, text) for kind, text in session.pop(FLASH_KEY)]


@dataclass(frozen=True)
class NavItem:
    label: str  # msgid
    href: str
    roles: frozenset[str]
    order: int


NAV: list[NavItem] = []


def register_nav(label: str, href: str, roles: set[str], order: int) -> None:
    """Domains add their top-level pages to the header navigation."""
    if any(item.href == href for item in NAV):
        return
    NAV.append(NavItem(label, href, frozenset(roles), order))
    NAV.sort(key=lambda item: item.order)


def nav_items(user: Any) -> list[NavItem]:
    return [item for item in NAV if user is not None and user.role in item.roles]


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths: never redirect to another host after sign-in."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target:
        return default
    return target


def redirect(path: str) -> Redirect:
    return Redirect(path, status_code=303)


def client_ip(request: Request[Any, Any, Any]) -> str:
    client = request.client
    return client.host if client is not None else "unknown"


def t(message: str, **params: Any) -> str:
    return gettext(message, **params)
