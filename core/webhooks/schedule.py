"""When to try a delivery again, and when to give up.

Retries wait 30 s, 1 min, 2 min, 4 min, ... plus a positive jitter of up
to ``jitter`` times the interval, so a burst of failures spreads out and no
retry comes earlier than its interval. They stop 24 hours after the first
attempt of the current window: the last retry is moved to the window's end
if the next interval would pass it, and a failure at or after the end marks
the delivery failed. A manual retry opens a new window (the ledger clears
``first_attempt_at``), so the intervals start again at 30 s.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from core.clock import utc
from core.ledger.models import ClaimedDelivery, DeliveryOutcome, DeliveryState
from core.webhooks.attempt import AttemptResult

BASE_INTERVAL_SECONDS = 30.0
RETRY_WINDOW = timedelta(hours=24)
DEFAULT_JITTER = 0.1
# A Retry-After below the first interval would retry faster than a plain
# failure does, and one above an hour could use up much of the 24-hour
# window in a single wait.
MIN_RETRY_AFTER_SECONDS = 30.0
MAX_RETRY_AFTER_SECONDS = 3600.0


def retry_number(first_attempt_at: datetime, now: datetime) -> int:
    """Return n for the next retry, whose interval is 30 s * 2**(n-1).

    n comes from the time since the window opened: without jitter the n-th
    retry is due 30 s * (2**n - 1) after the first attempt. Jitter below
    100 % of each interval adds less than the sum of the intervals so far,
    which never moves an attempt into the next band, so the count stays
    exact without storing it. After a Retry-After delay the schedule goes
    on from the band that delay reached.
    """
    elapsed = max(0.0, (now - first_attempt_at).total_seconds())
    return (int(elapsed // BASE_INTERVAL_SECONDS) + 1).bit_length()


def next_retry_at(first_attempt_at: datetime, now: datetime, rng: random.Random, jitter: float = DEFAULT_JITTER) -> datetime:
    """Return the scheduled time of the next retry after a failure at ``now``, before the window cap."""
    interval = BASE_INTERVAL_SECONDS * 2 ** (retry_number(first_attempt_at, now) - 1)
    return now + timedelta(seconds=interval + rng.uniform(0.0, jitter * interval))


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Return the delay a Retry-After header requests, in seconds, clamped to 30 s .. 1 h.

    The header is either whole seconds or an HTTP date. An invalid value
    returns None, so the normal schedule applies.
    """
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        seconds = float(text)
    else:
        try:
            seconds = (utc(parsedate_to_datetime(text)) - now).total_seconds()
        except (TypeError, ValueError, IndexError):
            return None
    return min(max(seconds, MIN_RETRY_AFTER_SECONDS), MAX_RETRY_AFTER_SECONDS)


def decide_outcome(
    result: AttemptResult,
    claimed: ClaimedDelivery,
    now: datetime,
    rng: random.Random,
    jitter: float = DEFAULT_JITTER,
) -> DeliveryOutcome:
    """Return the delivery's state after one attempt that finished at ``now``."""
    if result.succeeded:
        return DeliveryOutcome(DeliveryState.SUCCEEDED)
    if result.status_code == 410:
        reason = f"HTTP 410 Gone from {claimed.endpoint.url}"
        return DeliveryOutcome(DeliveryState.FAILED, disable_endpoint_reason=reason)

    first_attempt_at = claimed.first_attempt_at or result.record.started_at
    deadline = first_attempt_at + RETRY_WINDOW
    if now >= deadline:
        return DeliveryOutcome(DeliveryState.FAILED)

    delay = parse_retry_after(result.retry_after, now)
    if delay is not None:
        retry_at = now + timedelta(seconds=delay)
    else:
        retry_at = next_retry_at(first_attempt_at, now, rng, jitter)
    return DeliveryOutcome(DeliveryState.PENDING, next_attempt_at=min(retry_at, deadline))
