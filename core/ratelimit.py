"""Fixed-window counters for rate limits: Redis when configured, else an in-process table."""

from __future__ import annotations

import asyncio
import time
from typing import Any


class RateLimiter:
    """Counts events per key within a window; `exceeded` tells whether a limit is reached."""

    def __init__(self, redis: Any | None = None, prefix: str = "kizuna:rl:") -> None:
        self._redis = redis
        self._prefix = prefix
        self._memory: dict[str, tuple[int, float]] = {}
        self._lock = asyncio.Lock()

    async def hit(self, key: str, window_seconds: int) -> int:
        """Count one event for `key`; return the count in the current window."""
        if self._redis is not None:
            name = self._prefix + key
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(name)
                pipe.expire(name, window_seconds, nx=True)
                count, _ = await pipe.execute()
            return int(count)
        async with self._lock:
            now = time.monotonic()
            count, expires = self._memory.get(key, (0, now + window_seconds))
            if expires <= now:
                count, expires = 0, now + window_seconds
            self._memory[key] = (count + 1, expires)
            if len(self._memory) > 100_000:
                self._memory = {k: v for k, v in self._memory.items() if v[1] > now}
            return count + 1

    async def count(self, key: str) -> int:
        if self._redis is not None:
            value = await self._redis.get(self._prefix + key)
            return int(value or 0)
        count, expires = self._memory.get(key, (0, 0.0))
        return count if expires > time.monotonic() else 0

    async def exceeded(self, key: str, limit: int) -> bool:
        return await self.count(key) >= limit

    async def reset(self, key: str) -> None:
        if self._redis is not None:
            await self._redis.delete(self._prefix + key)
        else:
            self._memory.pop(key, None)
