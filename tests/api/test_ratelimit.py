import pytest

from core.api.ratelimit import RateLimit, TokenBuckets, retry_after_header


def test_bucket_allows_burst_then_waits():
    buckets = TokenBuckets(RateLimit(per_second=2, burst=3))
    waits = [buckets.take("token-1", now=100.0) for _ in range(4)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3] == pytest.approx(0.5)


def test_bucket_refills_with_time():
    buckets = TokenBuckets(RateLimit(per_second=2, burst=1))
    assert buckets.take("token-1", now=100.0) == 0.0
    assert buckets.take("token-1", now=100.1) > 0
    assert buckets.take("token-1", now=100.6) == 0.0


def test_bucket_never_exceeds_burst():
    buckets = TokenBuckets(RateLimit(per_second=10, burst=2))
    buckets.take("token-1", now=0.0)
    allowed = sum(1 for _ in range(5) if buckets.take("token-1", now=1000.0) == 0.0)
    assert allowed == 2


def test_buckets_are_per_token():
    buckets = TokenBuckets(RateLimit(per_second=1, burst=1))
    assert buckets.take("token-1", now=0.0) == 0.0
    assert buckets.take("token-1", now=0.0) > 0
    assert buckets.take("token-2", now=0.0) == 0.0


def test_retry_after_rounds_up_to_whole_seconds():
    assert retry_after_header(0.01) == "1"
    assert retry_after_header(1.2) == "2"
    assert retry_after_header(-5) == "1"


@pytest.mark.parametrize("per_second, burst", [(0, 1), (-1, 1), (1, 0)])
def test_rate_limit_invalid_values_rejected(per_second, burst):
    with pytest.raises(ValueError):
        RateLimit(per_second=per_second, burst=burst)
