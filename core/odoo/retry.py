"""Retries for reads only, with tenacity.

A read (search_read, read, search, search_count, fields_get, version,
authenticate) is retried when the server is unreachable or rate-limited,
with exponential backoff and full jitter, and never sooner than a 429's
Retry-After. Writes are never retried: a timeout after sending a write
does not say whether Odoo committed it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt, wait_random_exponential
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from core.odoo import errors

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Methods that only read, so a repeat cannot change data.
READ_METHODS = frozenset(
    {"search_read", "read", "search", "search_count", "fields_get", "version", "authenticate", "context_get", "list", "name_search", "default_get"}
)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long a read is retried.

    ``attempts`` counts the first try, so 1 turns retries off. Waits grow
    from ``initial_wait`` seconds and never exceed ``max_wait``; a
    Retry-After longer than ``max_wait`` ends the retries at once.
    """

    attempts: int = 4
    initial_wait: float = 0.5
    max_wait: float = 30.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"RetryPolicy.attempts must be at least 1, got {self.attempts}")
        if self.initial_wait < 0 or self.max_wait < 0:
            raise ValueError(f"RetryPolicy waits must not be negative, got {self.initial_wait} and {self.max_wait}")


NO_RETRY = RetryPolicy(attempts=1)


def is_retryable(error: BaseException) -> bool:
    return isinstance(error, errors.ServerUnreachableError | errors.RateLimitedError)


class _WaitHonouringRetryAfter(wait_base):
    def __init__(self, policy: RetryPolicy) -> None:
        self._backoff = wait_random_exponential(multiplier=policy.initial_wait, max=policy.max_wait)

    def __call__(self, retry_state: RetryCallState) -> float:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(error, errors.RateLimitedError) and error.retry_after is not None:
            return error.retry_after
        return self._backoff(retry_state)


class _StopWhenRetryAfterTooLong(stop_base):
    def __init__(self, max_wait: float) -> None:
        self._max_wait = max_wait

    def __call__(self, retry_state: RetryCallState) -> bool:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        return isinstance(error, errors.RateLimitedError) and error.retry_after is not None and error.retry_after > self._max_wait


def _log_retry(retry_state: RetryCallState) -> None:
    error = retry_state.outcome.exception() if retry_state.outcome else None
    wait = retry_state.next_action.sleep if retry_state.next_action else 0.0
    log.warning("retrying after attempt %d failed, waiting %.2f s: %s", retry_state.attempt_number, wait, error)


async def run_read(policy: RetryPolicy, operation: Callable[[], Awaitable[T]]) -> T:
    """Await ``operation()``, retrying it under ``policy`` when that is safe."""
    if policy.attempts == 1:
        return await operation()
    retrying = AsyncRetrying(
        stop=stop_after_attempt(policy.attempts) | _StopWhenRetryAfterTooLong(policy.max_wait),
        wait=_WaitHonouringRetryAfter(policy),
        retry=retry_if_exception(is_retryable),
        before_sleep=_log_retry,
        reraise=True,
    )
    # Iterating keeps the awaiting here: tenacity decides from the callable
    # itself whether to await it, and a lambda returning a coroutine fools it.
    async for attempt in retrying:
        with attempt:
            return await operation()
    raise AssertionError("tenacity ended without a result or an error")  # pragma: no cover
