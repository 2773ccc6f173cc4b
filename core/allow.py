"""`Allow` on OPTIONS answers: every method the path has (RFC 9110 §10.2.1).

Litestar makes a path's OPTIONS handler with the methods of the first handlers registered on
it; a path served by two controllers (PUT like in one, DELETE like in another) then answered
`Allow: OPTIONS, PUT`. This `before_send` hook writes the methods of every route handler on the
matched path instead.
"""

from __future__ import annotations

from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.routes import HTTPRoute
from litestar.types import Message, Scope


class AllowHeader:
    def __init__(self) -> None:
        self._methods: dict[str, str] | None = None

    def _table(self, app: Any) -> dict[str, str]:
        if self._methods is None:
            methods: dict[str, set[str]] = {}
            for route in app.routes:
                if isinstance(route, HTTPRoute):
                    methods.setdefault(route.path_format, set()).update(route.methods)
            self._methods = {path: ", ".join(sorted(m)) for path, m in methods.items()}
        return self._methods

    async def __call__(self, message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start" or scope.get("method") != "OPTIONS":
            return
        template = scope.get("path_template")
        allowed = self._table(scope["app"]).get(template) if template else None
        headers = MutableScopeHeaders.from_message(message)
        if allowed and "allow" in headers:
            headers["allow"] = allowed
