import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from core.clock import FakeClock, SystemClock, utc

START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def test_fake_clock_rejects_naive_start():
    with pytest.raises(ValueError, match="timezone-aware"):
        FakeClock(datetime(2026, 3, 1, 8, 0))


async def test_sleepers_wake_in_deadline_order():
    clock = FakeClock(START)
    woken: list[tuple[str, datetime]] = []

    async def sleeper(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woken.append((name, clock.now()))

    tasks = [asyncio.create_task(sleeper("late", 120)), asyncio.create_task(sleeper("early", 30))]
    await asyncio.sleep(0)
    assert clock.sleeper_count == 2
    assert clock.next_wakeup() == START + timedelta(seconds=30)

    await clock.advance(3600)
    await asyncio.gather(*tasks)

    assert woken == [("early", START + timedelta(seconds=30)), ("late", START + timedelta(seconds=120))]
    assert clock.now() == START + timedelta(hours=1)


async def test_sleeper_past_target_keeps_waiting():
    clock = FakeClock(START)
    task = asyncio.create_task(clock.sleep(100))
    await asyncio.sleep(0)

    await clock.advance(99)

    assert not task.done()
    await clock.advance(1)
    assert task.done()


async def test_loop_rearming_sleep_runs_hours_quickly():
    clock = FakeClock(START)
    ticks: list[datetime] = []

    async def every_minute() -> None:
        while True:
            await clock.sleep(60)
            ticks.append(clock.now())

    task = asyncio.create_task(every_minute())
    await asyncio.sleep(0)
    await clock.advance(6 * 3600)
    task.cancel()

    assert len(ticks) == 360
    assert ticks[-1] == START + timedelta(hours=6)


async def test_zero_sleep_returns_at_once():
    clock = FakeClock(START)
    await clock.sleep(0)
    assert clock.now() == START


async def test_system_clock_is_aware_utc():
    now = SystemClock().now()
    assert now.tzinfo is not None
    assert now.utcoffset() == timedelta(0)
    await SystemClock().sleep(-1)


def test_utc_converts_offsets_and_naive_values():
    naive = datetime(2026, 3, 1, 8, 0)
    assert utc(naive) == START
    plus_two = datetime(2026, 3, 1, 10, 0, tzinfo=__import__("datetime").timezone(timedelta(hours=2)))
    assert utc(plus_two) == START
    assert utc(plus_two).tzinfo == UTC
