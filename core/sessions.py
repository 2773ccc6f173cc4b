"""Server-side sessions that write only when changed and rotate their id on sign-in."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.types import Empty, Message, ScopeSession
from litestar.utils.dataclass import extract_dataclass_items

ROTATE_KEY = "_rotate"
_LOADED = "kizuna.session_loaded"


class SessionBackend(ServerSideSessionBackend):
    """Litestar's backend stores every session on every response; this one skips unchanged ones.

    Anonymous visitors get no session at all until something is put in it, and a handler that
    signs someone in sets `session[ROTATE_KEY]` so the old id (possibly planted) is dropped.
    """

    async def load_from_connection(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> dict[str, Any]:
        data = await super().load_from_connection(connection)
        # A deep copy: a handler that appends to a list in the session (a second flash message)
        # changes the session without changing a shallow copy, and the change would be lost.
        connection.scope.setdefault("state", {})[_LOADED] = copy.deepcopy(data)
        return data

    async def store_in_message(
        self,
        scope_session: ScopeSession,
        message: Message,
        connection: ASGIConnection[Any, Any, Any, Any],
    ) -> None:
        had_cookie = bool(connection.cookies.get(self.config.key))
        loaded = connection.scope.get("state", {}).get(_LOADED)
        if scope_session is not Empty and isinstance(scope_session, dict):
            rotate = bool(scope_session.pop(ROTATE_KEY, False))
            if not rotate and scope_session == loaded and (had_cookie or not scope_session):
                return
            if rotate and had_cookie:
                store = self.config.get_store_from_app(connection.scope["app"])
                await self.delete(connection.cookies[self.config.key], store=store)
                session_id = self.generate_session_id()
                await self._write(scope_session, session_id, message, connection)
                return
        elif scope_session is Empty and not had_cookie:
            return
        await super().store_in_message(scope_session, message, connection)

    async def _write(
        self,
        data: dict[str, Any],
        session_id: str,
        message: Message,
        connection: ASGIConnection[Any, Any, Any, Any],
    ) -> None:
        store = self.config.get_store_from_app(connection.scope["app"])
        await self.set(session_id, self.serialize_data(data, connection.scope), store=store)
        params = dict(
            extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys())
        )
        MutableScopeHeaders.from_message(message).add(
            "Set-Cookie",
            Cookie(value=session_id, key=self.config.key, **params).to_header(header=""),
        )


@dataclass
class SessionConfig(ServerSideSessionConfig):
    _backend_class = SessionBackend
