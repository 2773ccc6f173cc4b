"""A Litestar store in the application database (sessions on PostgreSQL).

One primary-key read per request that carries a session cookie, one upsert when the session
changes (core.sessions writes only then). Expired rows are ignored on read and deleted by the
hourly `purge_expired_sessions` job.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar.stores.base import NamespacedStore

from core.database import fetch
from core.tables import StoredSession
from core.timeutil import utcnow


def _seconds(value: int | timedelta | None) -> float | None:
    if value is None:
        return None
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class DatabaseStore(NamespacedStore):
    """Keys live in `core_session` as "<namespace>:<key>"."""

    def __init__(self, namespace: str = "kizuna") -> None:
        self.namespace = namespace

    def with_namespace(self, namespace: str) -> DatabaseStore:
        return DatabaseStore(f"{self.namespace}:{namespace}")

    def _key(self, key: str) -> str:
        return f"{self.namespace}:{key}"

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        data = value.encode() if isinstance(value, str) else value
        seconds = _seconds(expires_in)
        expires_at = utcnow() + timedelta(seconds=seconds) if seconds is not None else None
        await StoredSession.insert(
            StoredSession(key=self._key(key), value=data, expires_at=expires_at)
        ).on_conflict(
            target=StoredSession.key,
            action="DO UPDATE",
            values=[StoredSession.value, StoredSession.expires_at],
        )

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        row = await self._live_row(key)
        if row is None:
            return None
        seconds = _seconds(renew_for)
        if seconds is not None and row["expires_at"] is not None:
            await StoredSession.update(
                {StoredSession.expires_at: utcnow() + timedelta(seconds=seconds)}
            ).where(StoredSession.key == self._key(key))
        value = row["value"]
        return bytes(value) if value is not None else None

    async def _live_row(self, key: str) -> dict[str, Any] | None:
        row = (
            await StoredSession.select(StoredSession.value, StoredSession.expires_at)
            .where(StoredSession.key == self._key(key))
            .first()
        )
        if row is None or (row["expires_at"] is not None and row["expires_at"] <= utcnow()):
            return None
        return row

    async def delete(self, key: str) -> None:
        await StoredSession.delete().where(StoredSession.key == self._key(key))

    async def delete_all(self) -> None:
        prefix = self._key("")
        await fetch("DELETE FROM core_session WHERE substr(key, 1, {}) = {}", len(prefix), prefix)

    async def exists(self, key: str) -> bool:
        return await self._live_row(key) is not None

    async def expires_in(self, key: str) -> int | None:
        row = await self._live_row(key)
        if row is None or row["expires_at"] is None:
            return None
        return int((row["expires_at"] - utcnow()).total_seconds())


async def purge_expired_sessions(ctx: dict[str, Any]) -> None:
    """Delete expired rows (reads already ignore them)."""
    await StoredSession.delete().where(StoredSession.expires_at < utcnow())
