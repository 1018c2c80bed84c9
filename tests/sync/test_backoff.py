"""Retry delays after connectivity failures, and interval validation."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from core.sync.backoff import (
    next_regular_sync,
    retry_base_delay,
    retry_delay,
    validate_interval,
)


def test_base_delays_double_then_cap_at_interval():
    delays = [retry_base_delay(attempt, 900) for attempt in range(1, 8)]
    assert delays == [30, 60, 120, 240, 480, 900, 900]


def test_jitter_stays_within_ten_percent_and_interval():
    rng = random.Random(4)
    for attempt in range(1, 12):
        base = retry_base_delay(attempt, 300)
        delay = retry_delay(attempt, 300, rng=rng)
        assert base <= delay <= min(base * 1.1, 300)


def test_retry_after_wins_when_longer():
    assert retry_delay(1, 900, retry_after=120, rng=random.Random(1)) == 120


def test_retry_after_shorter_than_backoff_is_ignored():
    assert retry_delay(3, 900, retry_after=5, rng=random.Random(1)) >= 120


def test_huge_attempt_number_stays_capped():
    assert retry_base_delay(10_000, 900) == 900


@pytest.mark.parametrize("bad", [0, 29, -5])
def test_interval_below_minimum_rejected(bad):
    with pytest.raises(ValueError, match="use at least 30 s"):
        validate_interval(bad)


def test_interval_must_be_int():
    with pytest.raises(ValueError, match="whole number of seconds"):
        validate_interval(45.5)


def test_next_regular_sync_uses_interval():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert next_regular_sync(now, 600) == now + timedelta(seconds=600)
    assert next_regular_sync(now, 10) == now + timedelta(seconds=30)
