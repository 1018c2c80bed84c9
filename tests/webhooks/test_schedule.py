"""Retry schedule: intervals, jitter, Retry-After and the 24-hour window."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from core.ledger.models import AttemptRecord, ClaimedDelivery, DeliveryState, Endpoint, Event
from core.secrets import Secret
from core.webhooks.attempt import AttemptResult
from core.webhooks.schedule import decide_outcome, next_retry_at, parse_retry_after, retry_number

T0 = datetime(2026, 1, 1, 12, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def claimed(first_attempt_at: datetime | None) -> ClaimedDelivery:
    event = Event(seq=1, id="evt_1", type="record.created", connection_id=None, created_at=T0, data={})
    endpoint = Endpoint(1, "http://127.0.0.1:9/hook", Secret("whsec_AAAA"), None, None, ["*"], None, "", True, None, 8, T0)
    return ClaimedDelivery(1, "token", at(3600), 1, first_attempt_at, event, endpoint)


def result(started_at: datetime, status: int | None = 500, error_class: str | None = "http_error", retry_after: str | None = None) -> AttemptResult:
    record = AttemptRecord(started_at, 5.0, status, error_class, None, None, {}, int(started_at.timestamp()))
    return AttemptResult(record=record, retry_after=retry_after)


@pytest.mark.parametrize(
    ("elapsed", "expected"),
    [(0, 1), (29, 1), (30, 2), (89, 2), (90, 3), (210, 4), (450, 5), (61410, 12)],
)
def test_retry_number_from_elapsed_time(elapsed, expected):
    assert retry_number(T0, at(elapsed)) == expected


def test_schedule_without_jitter_doubles():
    rng = random.Random(1)
    now = T0
    intervals = []
    for _ in range(6):
        later = next_retry_at(T0, now, rng, jitter=0.0)
        intervals.append((later - now).total_seconds())
        now = later

    assert intervals == [30, 60, 120, 240, 480, 960]


def test_jitter_is_positive_and_bounded():
    rng = random.Random(5)
    now = T0
    for n in range(1, 12):
        later = next_retry_at(T0, now, rng, jitter=0.5)
        interval = (later - now).total_seconds()
        base = 30 * 2 ** (n - 1)
        assert base <= interval <= base * 1.5, f"retry {n}: {interval} s"
        now = later


def test_parse_retry_after_seconds_clamped():
    assert parse_retry_after("120", T0) == 120
    assert parse_retry_after("1", T0) == 30
    assert parse_retry_after("86400", T0) == 3600


def test_parse_retry_after_http_date():
    header = "Thu, 01 Jan 2026 12:05:00 GMT"

    assert parse_retry_after(header, T0) == 300


@pytest.mark.parametrize("value", [None, "", "soon", "-5", "1.5e3"])
def test_parse_retry_after_invalid_ignored(value):
    assert parse_retry_after(value, T0) is None


def test_outcome_success():
    outcome = decide_outcome(result(T0, 204, None), claimed(None), T0, random.Random())

    assert outcome.state == DeliveryState.SUCCEEDED


def test_outcome_gone_disables_endpoint():
    outcome = decide_outcome(result(T0, 410), claimed(None), T0, random.Random())

    assert outcome.state == DeliveryState.FAILED
    assert outcome.disable_endpoint_reason == "HTTP 410 Gone from http://127.0.0.1:9/hook"


def test_outcome_first_failure_retries_after_30s():
    outcome = decide_outcome(result(T0), claimed(None), T0, random.Random(), jitter=0.0)

    assert outcome.state == DeliveryState.PENDING
    assert outcome.next_attempt_at == at(30)


def test_outcome_retry_after_overrides_schedule():
    outcome = decide_outcome(result(at(90), 429, retry_after="600"), claimed(T0), at(90), random.Random(), jitter=0.0)

    assert outcome.next_attempt_at == at(690)


def test_outcome_retry_after_capped_at_window_end():
    now = T0 + timedelta(hours=23, minutes=50)

    outcome = decide_outcome(result(now, 503, retry_after="3600"), claimed(T0), now, random.Random())

    assert outcome.next_attempt_at == T0 + timedelta(hours=24)


def test_outcome_last_retry_moved_to_window_end():
    outcome = decide_outcome(result(at(61410)), claimed(T0), at(61410), random.Random(), jitter=0.0)

    assert outcome.state == DeliveryState.PENDING
    assert outcome.next_attempt_at == T0 + timedelta(hours=24)


def test_outcome_fails_at_window_end():
    end = T0 + timedelta(hours=24)

    outcome = decide_outcome(result(end), claimed(T0), end, random.Random())

    assert outcome.state == DeliveryState.FAILED
    assert outcome.disable_endpoint_reason is None
