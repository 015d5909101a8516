"""Failed API keys are throttled per client: guessing keys at speed earns a 429.

The count is kept in each server process's memory, so with N processes a client gets N times
the allowance; it bounds guessing to a rate no key of useful length can be found at. Behind a
reverse proxy, run uvicorn with `--proxy-headers` and `--forwarded-allow-ips` so that the
client is the one the proxy names, not the proxy itself.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from app.errors import TooManyRequests


class AuthThrottle:
    def __init__(self, failures_per_minute: int) -> None:
        self._limit = RateLimitItemPerMinute(failures_per_minute)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def check(self, client: str) -> None:
        """Refuse a client that has used up its failures, before its key is even looked at."""
        if self._limiter.test(self._limit, client):
            return
        stats = self._limiter.get_window_stats(self._limit, client)
        wait = max(1, math.ceil(stats.reset_time - time.time()))
        raise TooManyRequests(
            f"too many requests with a wrong or missing API key from this client; "
            f"try again in {wait} s",
            retry_after=wait,
        )

    def failed(self, client: str) -> None:
        self._limiter.hit(self._limit, client)
