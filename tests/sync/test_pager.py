"""read_ahead_batches and write_second, the sync's page helpers.

The write_date paging itself is tested in tests/odoo/test_pages_buckets.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from datetime import UTC, datetime, timedelta, timezone

import pytest

from core.sync.pager import read_ahead_batches, write_second


def test_write_second_cuts_microseconds():
    stamp = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
    assert write_second({"write_date": stamp}) == datetime(2026, 3, 1, 9, 30, 15, tzinfo=UTC)


def test_write_second_reads_naive_as_utc():
    stamp = datetime(2026, 3, 1, 9, 30, 15, 123456)
    assert write_second({"write_date": stamp}) == datetime(2026, 3, 1, 9, 30, 15, tzinfo=UTC)


def test_write_second_other_time_zone():
    plus_two = timezone(timedelta(hours=2))
    stamp = datetime(2026, 3, 1, 11, 30, 15, 5, tzinfo=plus_two)
    assert write_second({"write_date": stamp}) == datetime(2026, 3, 1, 9, 30, 15, tzinfo=UTC)


def test_write_second_of_empty_write_date():
    assert write_second({"write_date": None}) is None
    assert write_second({"id": 1}) is None


class CountingPages:
    """An async page source that counts the pages handed out and can fail at one."""

    def __init__(self, count: int, fail_at: int | None = None) -> None:
        self.count = count
        self.fail_at = fail_at
        self.read = 0
        self.closed = False

    async def pages(self):
        try:
            for number in range(self.count):
                await asyncio.sleep(0)
                if number == self.fail_at:
                    raise ConnectionError(f"page {number} failed")
                self.read += 1
                yield [{"id": number}]
        finally:
            self.closed = True


async def _settle() -> None:
    for _ in range(50):
        await asyncio.sleep(0)


async def _all_batches(ahead):
    return [[page[0]["id"] for page in batch] async for batch in ahead]


async def test_read_ahead_batches_yield_every_page_in_order():
    source = CountingPages(7)
    batches = await _all_batches(read_ahead_batches(source.pages(), depth=3))
    assert [number for batch in batches for number in batch] == list(range(7))


async def test_read_ahead_batches_read_at_most_depth_ahead():
    source = CountingPages(20)
    ahead = read_ahead_batches(source.pages(), depth=3)
    first = await anext(ahead)
    await _settle()  # the caller is busy with the first batch

    assert first == [[{"id": 0}]]
    # Three pages wait in the queue and a fourth waits to be queued.
    assert source.read == 5
    await ahead.aclose()


async def test_read_ahead_batches_give_slow_caller_all_waiting():
    source = CountingPages(20)
    ahead = read_ahead_batches(source.pages(), depth=3)
    await anext(ahead)
    await _settle()

    assert [page[0]["id"] for page in await anext(ahead)] == [1, 2, 3]
    await ahead.aclose()


async def test_read_ahead_batches_last_pages_then_end():
    source = CountingPages(4)
    ahead = read_ahead_batches(source.pages(), depth=4)
    first = [page[0]["id"] for page in await anext(ahead)]
    await _settle()  # the other pages and the end are queued

    rest = await _all_batches(ahead)
    assert len(rest) == 1
    assert first + rest[0] == [0, 1, 2, 3]


async def test_read_ahead_batches_raise_error_after_earlier_pages():
    source = CountingPages(5, fail_at=2)
    seen = []
    with pytest.raises(ConnectionError, match="page 2 failed"):
        async for batch in read_ahead_batches(source.pages(), depth=4):
            seen.extend(page[0]["id"] for page in batch)
    assert seen == [0, 1]


async def test_read_ahead_batches_error_after_queued_pages():
    source = CountingPages(5, fail_at=3)
    ahead = read_ahead_batches(source.pages(), depth=4)
    first = [page[0]["id"] for page in await anext(ahead)]
    await _settle()

    assert first + [page[0]["id"] for page in await anext(ahead)] == [0, 1, 2]
    with pytest.raises(ConnectionError, match="page 3 failed"):
        await anext(ahead)


async def test_read_ahead_batches_close_stops_reading():
    source = CountingPages(100)
    async with contextlib.aclosing(read_ahead_batches(source.pages(), depth=2)) as ahead:
        async for _ in ahead:
            break
    await _settle()

    assert source.closed
    assert source.read <= 4


async def test_read_ahead_batches_close_ends_prefetch():
    # Like OdooClient.iter_pages, the source sends the request for the next
    # page before it yields one. The reader then waits to queue a page while
    # that request runs, and closing must end the request too.
    in_flight = []

    async def fetch(number):
        in_flight.append(number)
        try:
            await asyncio.sleep(0.01 if number < 3 else 60)
        finally:
            in_flight.remove(number)
        return [{"id": number}]

    async def prefetching_pages():
        number = 0
        pending = asyncio.ensure_future(fetch(number))
        try:
            while True:
                page = await pending
                number += 1
                pending = asyncio.ensure_future(fetch(number))
                yield page
        finally:
            pending.cancel()
            await asyncio.gather(pending, return_exceptions=True)

    gc.disable()  # the close must not depend on the collector finalizing the source
    try:
        async with contextlib.aclosing(read_ahead_batches(prefetching_pages(), depth=1)) as ahead:
            async for _ in ahead:
                await asyncio.sleep(0.2)  # the queue is full and page 3's request is out
                assert in_flight == [3]
                break

        assert in_flight == []
    finally:
        gc.enable()


async def test_read_ahead_batches_reject_zero_depth():
    with pytest.raises(ValueError, match="depth must be at least 1"):
        async for _ in read_ahead_batches(CountingPages(1).pages(), depth=0):
            pass
