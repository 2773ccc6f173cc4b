"""Security headers on every response: CSP without inline script, no sniffing, no framing."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from core.settings import CoreSettings

_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)
# The OpenAPI viewer loads its assets from a CDN and inlines a bootstrap script.
_SCHEMA_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https:; style-src 'self' "
    "'unsafe-inline' https:; img-src 'self' data: https:; frame-ancestors 'none'"
)


class SecurityHeaders:
    """A `before_send` hook rather than a middleware: app middleware runs only for a matched
    route, and the router's own 404 and 405 pages need the headers too."""

    def __init__(self, settings: CoreSettings) -> None:
        self.hsts = settings.cookie_secure

    async def __call__(self, message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        path = scope["path"]
        csp = _SCHEMA_CSP if path == "/schema" or path.startswith("/schema/") else _CSP
        headers = MutableScopeHeaders.from_message(message)
        headers.setdefault("content-security-policy", csp)
        headers.setdefault("x-content-type-options", "nosniff")
        headers.setdefault("referrer-policy", "same-origin")
        headers.setdefault("x-frame-options", "DENY")
        if self.hsts:
            headers.setdefault("strict-transport-security", "max-age=31536000")
