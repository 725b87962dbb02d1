"""Redis as an optional helper: a request is answered whether Redis is up or not.

``ResilientRedisCache`` is Django's Redis cache whose every operation, when Redis cannot be reached,
answers as a cache miss (``get`` → default, writes → ``False``) instead of raising. After a failure it
leaves Redis alone for ``RETRY_SECONDS`` (a circuit breaker), so a request pays at most one connect
timeout, and the outage is logged at most once a minute per process (``OutageLog``), not per request.

With ``"LOCAL_FALLBACK": True`` in its OPTIONS (the rate limiter's cache) it keeps working while Redis
is down from a per-process memory cache instead of answering misses: throttling degrades to a limit
per process rather than to none.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


class OutageLog:
    """Logs an outage of one service at most once per ``every`` seconds (per process)."""

    def __init__(self, what: str, every: float = 60.0) -> None:
        self.what, self.every = what, every
        self._last = float("-inf")
        self._suppressed = 0
        self._lock = threading.Lock()

    def failed(self, exc: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._last < self.every:
                self._suppressed += 1
                return
            suppressed, self._suppressed, self._last = self._suppressed, 0, now
        logger.warning(
            "%s unreachable (%s: %s); going on without it (%d more failures since the last report)",
            self.what,
            exc.__class__.__name__,
            exc,
            suppressed,
        )


_outage = OutageLog("redis cache")


class ResilientRedisCache(RedisCache):
    """Django's ``RedisCache`` that never raises for an unreachable Redis (see the module)."""

    RETRY_SECONDS = 5.0

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        params = {**params, "OPTIONS": dict(params.get("OPTIONS", {}))}
        self.retry_seconds = float(params["OPTIONS"].pop("RETRY_SECONDS", self.RETRY_SECONDS))
        local = params["OPTIONS"].pop("LOCAL_FALLBACK", False)
        super().__init__(server, params)
        self._down_until = 0.0
        timeout = {"TIMEOUT": params.get("TIMEOUT", 300)}
        self._local = LocMemCache(f"redis-fallback-{id(self)}", timeout) if local else None

    @property
    def available(self) -> bool:
        """False while the breaker is open (Redis failed less than ``retry_seconds`` ago)."""
        return time.monotonic() >= self._down_until

    def _call(self, name: str, miss: Any, *args: Any, **kwargs: Any) -> Any:
        if self.available:
            try:
                return getattr(super(), name)(*args, **kwargs)
            except REDIS_DOWN as exc:
                self._down_until = time.monotonic() + self.retry_seconds
                _outage.failed(exc)
        if self._local is not None:
            return getattr(self._local, name)(*args, **kwargs)
        if isinstance(miss, type) and issubclass(miss, Exception):
            raise miss(f"cache unavailable: {name}")
        return miss

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", False, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def incr(self, key, delta=1, version=None):
        # Like a missing key: callers already handle ValueError.
        return self._call("incr", ValueError, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def clear(self):
        return self._call("clear", False)
