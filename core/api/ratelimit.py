"""Per-token request rate limit: a token bucket for each API token."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass


DEFAULT_PER_SECOND = 50.0
DEFAULT_BURST = 100


@dataclass(frozen=True, slots=True)
class RateLimit:
    """Requests per second each token may sustain, and the burst it may spend at once."""

    per_second: float = DEFAULT_PER_SECOND
    burst: int = DEFAULT_BURST

    def __post_init__(self) -> None:
        if self.per_second <= 0:
            raise ValueError(f"rate limit per_second must be positive, got {self.per_second}")
        if self.burst < 1:
            raise ValueError(f"rate limit burst must be at least 1, got {self.burst}")


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated_at: float


class TokenBuckets:
    """One bucket per key (the API token's id), refilled at ``per_second``.

    Time comes from the caller in seconds, so tests can drive it with a fake
    clock. Buckets stay in memory: a restart gives every client a full burst.
    """

    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit
        self._buckets: dict[object, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: object, now: float) -> float:
        """Spend one request; return 0 if allowed, else the seconds until one is."""
        with self._lock:
            bucket = self._refilled(key, now)
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            return (1 - bucket.tokens) / self.limit.per_second

    def _refilled(self, key: object, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(tokens=float(self.limit.burst), updated_at=now)
            self._buckets[key] = bucket
            return bucket
        elapsed = max(0.0, now - bucket.updated_at)
        bucket.tokens = min(float(self.limit.burst), bucket.tokens + elapsed * self.limit.per_second)
        bucket.updated_at = now
        return bucket


def retry_after_header(seconds: float) -> str:
    """Return a Retry-After value: whole seconds, rounded up, at least 1."""
    return str(max(1, math.ceil(seconds)))
