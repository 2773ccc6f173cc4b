"""Small shared pieces of the web layer: flash messages, navigation, safe redirects, client IP."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from litestar import Request
from litestar.response import Redirect

from core.i18n import N_, Text, gettext
from core.templating import localtime

FLASH_KEY = "_flashes"


Flash = Text | list[Text]


def flash(request: Request[Any, Any, Any], text: Flash, kind: str = "info") -> None:
    """Show `text` on the next page rendered for this session, translated then: in the
    language and time zone the member has on that page (several Texts are joined)."""
    session = request.scope.get("session")
    if isinstance(session, dict):
        parts = text if isinstance(text, list) else [text]
        stored = [[part.msgid, {k: _stored(v) for k, v in part.params.items()}] for part in parts]
        session.setdefault(FLASH_KEY, []).append([kind, stored])


def flashes(request: Request[Any, Any, Any]) -> list[tuple[str, str]]:
    session = request.scope.get("session")
    if not isinstance(session, dict) or FLASH_KEY not in session:
        return []
    shown = []
    for kind, parts in session.pop(FLASH_KEY):
        text = " ".join(
            gettext(msgid, **{k: _shown(v) for k, v in params.items()}) for msgid, params in parts
        )
        shown.append((kind, text))
    return shown


_MOMENT = "$datetime"


def _stored(value: Any) -> Any:
    """A parameter as the session keeps it (JSON): a moment keeps its zone-free instant."""
    if isinstance(value, datetime):
        return {_MOMENT: value.isoformat()}
    return value if isinstance(value, int | float | str) or value is None else str(value)


def _shown(value: Any) -> Any:
    """A stored parameter for the viewer: a moment in their time zone and locale."""
    if isinstance(value, dict) and _MOMENT in value:
        return localtime(datetime.fromisoformat(value[_MOMENT]))
    return value


@dataclass(frozen=True)
class NavItem:
    """A header link a domain declares (`Domain.nav`, core.wiring), for the roles given."""

    label: str  # msgid
    href: str
    roles: frozenset[str]
    order: int
    group: str = ""  # "" in the header itself, or the menu it is in ("admin": 管理)


def nav(label: str, href: str, roles: set[str], order: int, group: str = "") -> NavItem:
    return NavItem(label, href, frozenset(roles), order, group)


NAV_GROUPS = {"admin": N_("Administration")}


@dataclass(frozen=True)
class Navigation:
    """The header for one viewer and page: its links, its menus, and the one current link."""

    links: list[NavItem]
    menus: list[tuple[str, list[NavItem]]]  # (label msgid, items)
    current: str | None  # href of the link the page belongs to

    def menu_is_current(self, items: list[NavItem]) -> bool:
        return any(item.href == self.current for item in items)


def navigation(request: Request[Any, Any, Any], user: Any) -> Navigation:
    """The header of the app's links (`app.state.wiring.nav`) the viewer may see; one current
    link per page: the longest href the path lies under (/community/moderation is Moderation,
    not Community as well)."""
    path = request.url.path
    links: tuple[NavItem, ...] = request.app.state.wiring.nav
    items = [item for item in links if user is not None and user.role in item.roles]
    under = [i.href for i in items if path == i.href or path.startswith(i.href.rstrip("/") + "/")]
    current = max(under, key=len) if under else None
    menus = [
        (label, [item for item in items if item.group == group])
        for group, label in NAV_GROUPS.items()
    ]
    return Navigation(
        links=[item for item in items if not item.group],
        menus=[(label, members) for label, members in menus if members],
        current=current,
    )


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


def page_handlers_answering_json(app: Any) -> list[str]:
    """Page routes (outside /api) whose return annotation hides what they answer.

    A handler annotated `-> Any` gets Litestar's default JSON media type, so a Template it
    returns on an error path reaches the browser as page source. Every page handler must say
    what it returns (Template, Redirect, Response, dict for JSON); `create_app` refuses to start
    otherwise, so the fault cannot come back one handler at a time.
    """
    from litestar.handlers.http_handlers import HTTPRouteHandler

    faults = []
    for route in app.routes:
        if route.path.startswith("/api/"):
            continue
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, HTTPRouteHandler):
                continue
            returned = handler.parsed_fn_signature.return_type
            kinds = [t.annotation for t in returned.inner_types] if returned.is_union else []
            if any(kind is Any for kind in [returned.annotation, *kinds]):
                methods = ",".join(sorted(handler.http_methods))
                faults.append(f"{methods} {route.path} ({handler.handler_name})")
    return faults
