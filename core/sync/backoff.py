"""When the next sync of a connection runs: the interval, and backoff after connectivity failures."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

DEFAULT_INTERVAL_SECONDS = 900
MIN_INTERVAL_SECONDS = 30
FIRST_RETRY_SECONDS = 30.0
# Each retry waits up to this fraction longer than its base delay, so many
# connections that failed together do not all retry in the same second.
JITTER_FRACTION = 0.1


def validate_interval(seconds: int) -> int:
    """Return ``seconds`` if it is a valid sync interval, else raise ValueError saying the minimum."""
    if not isinstance(seconds, int) or isinstance(seconds, bool):
        raise ValueError(f"sync interval must be a whole number of seconds, got {seconds!r}")
    if seconds < MIN_INTERVAL_SECONDS:
        raise ValueError(
            f"sync interval {seconds} s is too short; use at least {MIN_INTERVAL_SECONDS} s"
        )
    return seconds


def effective_interval(seconds: int) -> int:
    """Return the interval the scheduler uses: a stored value below the minimum counts as the minimum."""
    return max(MIN_INTERVAL_SECONDS, seconds)


def retry_base_delay(attempt: int, interval_seconds: int) -> float:
    """Return the delay before retry number ``attempt`` (1, 2, ...): 30 s doubling, capped at the interval."""
    if attempt < 1:
        raise ValueError(f"retry attempt numbers start at 1, got {attempt}")
    cap = float(effective_interval(interval_seconds))
    # Past 2**20 the doubled delay is far beyond any interval; stop doubling.
    return min(FIRST_RETRY_SECONDS * 2 ** min(attempt - 1, 20), cap)


def retry_delay(
    attempt: int,
    interval_seconds: int,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Return the jittered delay before retry ``attempt``, never shorter than ``retry_after``.

    The jitter adds up to 10 % to the base delay; the result stays within the
    interval unless the server's Retry-After requests longer.
    """
    base = retry_base_delay(attempt, interval_seconds)
    jitter = (rng or random).uniform(0.0, JITTER_FRACTION) * base
    delay = min(base + jitter, float(effective_interval(interval_seconds)))
    if retry_after is not None and retry_after > delay:
        delay = float(retry_after)
    return delay


def next_regular_sync(now: datetime, interval_seconds: int) -> datetime:
    """Return when the next scheduled sync runs after a finished one."""
    return now + timedelta(seconds=effective_interval(interval_seconds))
