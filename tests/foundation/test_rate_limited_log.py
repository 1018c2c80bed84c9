"""RateLimitedLog: one line per key per interval, with the count of dropped repeats."""

import logging

import pytest

from core.logs import RateLimitedLog


class ManualClock:
    """Seconds that move only when the test advances them."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def limited(clock, caplog):
    caplog.set_level(logging.INFO, logger="tests.rate_limited")
    return RateLimitedLog(logging.getLogger("tests.rate_limited"), interval=60, clock=clock)


def test_first_line_written(limited, caplog):
    assert limited.warning("rejected", "rejected webhook on %s", "/hook") is True
    assert [record.getMessage() for record in caplog.records] == ["rejected webhook on /hook"]
    assert caplog.records[0].levelno == logging.WARNING


def test_repeats_dropped_within_interval(limited, clock, caplog):
    limited.warning("rejected", "first")
    for _ in range(798):
        clock.seconds += 0.05
        assert limited.warning("rejected", "again") is False
    assert len(caplog.records) == 1


def test_next_line_counts_dropped(limited, clock, caplog):
    limited.warning("rejected", "rejected webhook %d", 1)
    limited.warning("rejected", "rejected webhook %d", 2)
    limited.warning("rejected", "rejected webhook %d", 3)
    clock.seconds += 60
    assert limited.warning("rejected", "rejected webhook %d", 4) is True

    last = caplog.records[-1]
    assert len(caplog.records) == 2
    assert last.getMessage() == "rejected webhook 4 (2 more like this in the last 60 s were not logged)"
    assert last.suppressed == 2


def test_count_resets_after_report(limited, clock, caplog):
    limited.warning("rejected", "a")
    limited.warning("rejected", "b")
    clock.seconds += 60
    limited.warning("rejected", "c")
    clock.seconds += 60
    limited.warning("rejected", "d")
    assert caplog.records[-1].getMessage() == "d"
    assert not hasattr(caplog.records[-1], "suppressed")


def test_keys_limited_separately(limited, caplog):
    assert limited.warning("rejected", "bad signature") is True
    assert limited.info("disconnected", "sender left") is True
    assert limited.warning("rejected", "bad signature") is False
    assert [record.levelno for record in caplog.records] == [logging.WARNING, logging.INFO]


def test_caller_extra_kept(limited, clock, caplog):
    limited.warning("rejected", "a", extra={"path": "/hook"})
    limited.warning("rejected", "b", extra={"path": "/hook"})
    clock.seconds += 61
    limited.warning("rejected", "c", extra={"path": "/hook"})
    assert caplog.records[-1].path == "/hook"
    assert caplog.records[-1].suppressed == 1


def test_key_table_bounded(limited, clock, caplog):
    for index in range(RateLimitedLog.MAX_KEYS + 10):
        limited.warning(("path", index), "line %d", index)
    assert len(limited._windows) == RateLimitedLog.MAX_KEYS
    # The oldest key was forgotten, so its next line is written at once.
    assert limited.warning(("path", 0), "line again") is True


def test_interval_must_be_positive():
    with pytest.raises(ValueError, match="interval must be a positive number of seconds, got 0"):
        RateLimitedLog(logging.getLogger("tests.rate_limited"), interval=0)
