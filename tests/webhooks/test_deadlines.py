"""Shared attempt deadlines on a real event loop: expiry, outside cancellation, timer sharing."""

import asyncio
import time

import pytest

from core.webhooks.deadlines import SharedDeadlines


async def test_deadline_expiry_raises_timeout_error():
    deadlines = SharedDeadlines(0.2)
    started = time.monotonic()

    with pytest.raises(TimeoutError, match="0.2 s"):
        async with deadlines():
            await asyncio.sleep(5)

    elapsed = time.monotonic() - started
    assert 0.2 <= elapsed < 0.2 + deadlines.slot_seconds + 0.15
    assert asyncio.current_task().cancelling() == 0


async def test_deadline_leaves_finished_block_alone():
    deadlines = SharedDeadlines(0.2)

    async with deadlines():
        await asyncio.sleep(0.01)
    # The slot's timer still fires, finds an empty set and cancels nothing.
    await asyncio.sleep(0.3)

    assert deadlines.pending_slots == 0
    assert asyncio.current_task().cancelling() == 0


async def test_deadline_keeps_outside_cancellation():
    deadlines = SharedDeadlines(10)
    entered = asyncio.Event()

    async def attempt():
        async with deadlines():
            entered.set()
            await asyncio.sleep(5)

    task = asyncio.create_task(attempt())
    await entered.wait()
    task.cancel()

    with pytest.raises(asyncio.CancelledError):
        await task


async def test_deadlines_share_slot_timers():
    deadlines = SharedDeadlines(0.5)
    outcomes = []

    async def attempt(sleep: float):
        try:
            async with deadlines():
                await asyncio.sleep(sleep)
            outcomes.append("done")
        except TimeoutError:
            outcomes.append("timeout")

    tasks = [asyncio.create_task(attempt(5 if n % 2 else 0.01)) for n in range(100)]
    await asyncio.sleep(0)
    # 100 attempts entered within a few milliseconds: one or two slots, not 100 timers.
    assert deadlines.pending_slots <= 2

    await asyncio.gather(*tasks)
    assert outcomes.count("timeout") == 50
    assert outcomes.count("done") == 50


def test_deadline_rejects_zero_seconds():
    with pytest.raises(ValueError, match="positive, got 0"):
        SharedDeadlines(0)
