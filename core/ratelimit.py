"""Fixed-window counters for rate limits: Redis when configured, else an in-process table.

When Redis is configured but does not answer, counting falls back to this process's table for
a short while (a breaker) instead of failing the request: a rate limit is a guard, and Redis
being down must not take sign-in or posting down with it. The fallback is per process, so the
limits are looser (one window per process) until Redis is back.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from typing import Any

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from core.errors import TooManyRequests
from core.i18n import N_
from core.settings import CoreSettings

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE_WINDOW_SECONDS = 60

REDIS_RETRY_AFTER_SECONDS = 5.0


class RateLimiter:
    """Counts events per key within a window; `exceeded` tells whether a limit is reached."""

    def __init__(self, redis: Any | None = None, prefix: str = "kizuna:rl:") -> None:
        self._redis = redis
        self._prefix = prefix
        self._memory: dict[str, tuple[int, float]] = {}
        self._lock = asyncio.Lock()
        self._redis_down_until = 0.0

    def clear(self) -> None:
        """Forget every count kept in this process and any Redis failure (a test starts clean)."""
        self._memory.clear()
        self._redis_down_until = 0.0

    def _live_redis(self) -> Any | None:
        """The Redis client, unless none is configured or it failed moments ago."""
        if self._redis is None or time.monotonic() < self._redis_down_until:
            return None
        return self._redis

    def _redis_failed(self) -> None:
        if time.monotonic() >= self._redis_down_until:
            log.warning("rate limits: Redis does not answer; counting in this process for now")
        self._redis_down_until = time.monotonic() + REDIS_RETRY_AFTER_SECONDS

    async def hit(self, key: str, window_seconds: int) -> int:
        """Count one event for `key`; return the count in the current window."""
        count, _ = await self.hit_window(key, window_seconds)
        return count

    async def hit_window(self, key: str, window_seconds: int) -> tuple[int, int]:
        """Count one event for `key`; (count in the window, whole seconds until it resets)."""
        if (redis := self._live_redis()) is not None:
            name = self._prefix + key
            try:
                async with redis.pipeline(transaction=True) as pipe:
                    pipe.incr(name)
                    pipe.expire(name, window_seconds, nx=True)
                    pipe.ttl(name)
                    count, _, ttl = await pipe.execute()
                return int(count), max(1, int(ttl)) if int(ttl) > 0 else window_seconds
            except Exception:
                self._redis_failed()
        async with self._lock:
            now = time.monotonic()
            count, expires = self._memory.get(key, (0, now + window_seconds))
            if expires <= now:
                count, expires = 0, now + window_seconds
            self._memory[key] = (count + 1, expires)
            if len(self._memory) > 100_000:
                self._memory = {k: v for k, v in self._memory.items() if v[1] > now}
            return count + 1, max(1, math.ceil(expires - now))

    async def seconds_left(self, key: str, window_seconds: int) -> int:
        """Whole seconds until `key`'s window resets (the window itself when unknown)."""
        if (redis := self._live_redis()) is not None:
            try:
                ttl = int(await redis.ttl(self._prefix + key))
                return ttl if ttl > 0 else window_seconds
            except Exception:
                self._redis_failed()
        _, expires = self._memory.get(key, (0, 0.0))
        left = math.ceil(expires - time.monotonic())
        return left if left > 0 else window_seconds

    async def count(self, key: str) -> int:
        if (redis := self._live_redis()) is not None:
            try:
                value = await redis.get(self._prefix + key)
                return int(value or 0)
            except Exception:
                self._redis_failed()
        count, expires = self._memory.get(key, (0, 0.0))
        return count if expires > time.monotonic() else 0

    async def exceeded(self, key: str, limit: int) -> bool:
        return await self.count(key) >= limit

    async def reset(self, key: str) -> None:
        self._memory.pop(key, None)
        if (redis := self._live_redis()) is not None:
            try:
                await redis.delete(self._prefix + key)
            except Exception:
                self._redis_failed()


def too_many(message: str, *, limit: int, reset: int, **params: Any) -> TooManyRequests:
    """A 429 whose Retry-After is the real time left in the window, with the RateLimit
    headers of the IETF draft (limit, remaining, reset), so a client can pace itself."""
    return TooManyRequests(
        message,
        headers={
            "Retry-After": str(reset),
            "RateLimit-Limit": str(limit),
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": str(reset),
        },
        **params,
    )


class WriteRateLimitMiddleware(ASGIMiddleware):
    """Every signed-in member's writes (POST, PUT, PATCH, DELETE: posting, replying, liking,
    registering, the API over a session) are limited per minute; the answer past the limit is
    a translated 429 with Retry-After, and the request is not handled. API tokens have their
    own limit (crm.pull.auth)."""

    scopes = (ScopeType.HTTP,)
    should_bypass_for_scope = staticmethod(lambda scope: scope["path"].startswith("/static/"))

    def __init__(self, settings: CoreSettings, limiter: RateLimiter) -> None:
        self.settings = settings
        self.limiter = limiter

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        member: Any = scope.get("user")
        # Token principals carry no member id: their limit is per token.
        if getattr(member, "id", None) is not None and scope.get("method") not in SAFE_METHODS:
            key = f"writes:{member.id}"
            count, reset = await self.limiter.hit_window(key, WRITE_WINDOW_SECONDS)
            limit = self.settings.write_limit_per_minute
            if count > limit:
                raise too_many(
                    N_("You are doing that too often. Please wait a minute and try again."),
                    limit=limit,
                    reset=reset,
                )
        await next_app(scope, receive, send)
