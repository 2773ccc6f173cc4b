"""NUL characters in requests are refused: no text needs one, and PostgreSQL stores none.

A U+0000 that reaches a query makes PostgreSQL fail the statement (a 500) and SQLite's full-text
search fail its MATCH; so every request is checked once, before its handler reads anything: the
path, the query string, and JSON or form bodies (multipart bodies carry files, which the
uploads check themselves). The answer is a translated 400.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Request

from core.errors import BadRequest
from core.i18n import N_

NUL_REFUSED = N_(
    "The request contains a NUL character (U+0000), which text cannot hold. "
    "Remove it and try again."
)
# An escaped NUL in JSON: `\u0000` after an even run of backslashes (`\\u0000` is text).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
FORM = "application/x-www-form-urlencoded"


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


def _body_has_nul(content_type: str, body: bytes) -> bool:
    if b"\x00" in body:
        return True
    if _is_json(content_type):
        return _JSON_NUL.search(body) is not None
    return b"%00" in body


async def refuse_nul(request: Request[Any, Any, Any]) -> None:
    """A `before_request` hook: BadRequest (400) when the request carries a NUL (the OpenAPI
    document excludes it from every string: core.openapi)."""
    query = request.scope.get("query_string", b"")
    found = "\x00" in request.scope["path"] or b"%00" in query or b"\x00" in query
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not found and (content_type == FORM or _is_json(content_type)):
        # Litestar keeps the body it read (within the route's size limit) for the handler.
        found = _body_has_nul(content_type, await request.body())
    if found:
        raise BadRequest(NUL_REFUSED)
