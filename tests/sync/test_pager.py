"""read_ahead and write_second, the sync's page helpers.

The write_date paging itself is tested in tests/odoo/test_pages_buckets.py.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta, timezone

import pytest

from core.sync.pager import read_ahead, write_second


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


async def test_read_ahead_yields_every_page_in_order():
    source = CountingPages(7)
    seen = [page[0]["id"] async for page in read_ahead(source.pages(), depth=3)]
    assert seen == list(range(7))


async def test_read_ahead_reads_at_most_depth_ahead():
    source = CountingPages(20)
    ahead = read_ahead(source.pages(), depth=3)
    first = await anext(ahead)
    await _settle()  # the caller is busy with the first page

    assert first == [{"id": 0}]
    # Three pages wait in the queue and a fourth waits to be queued.
    assert source.read == 5
    await ahead.aclose()


async def test_read_ahead_raises_error_after_earlier_pages():
    source = CountingPages(5, fail_at=2)
    seen = []
    with pytest.raises(ConnectionError, match="page 2 failed"):
        async for page in read_ahead(source.pages(), depth=4):
            seen.append(page[0]["id"])
    assert seen == [0, 1]


async def test_read_ahead_close_stops_reading():
    source = CountingPages(100)
    async with contextlib.aclosing(read_ahead(source.pages(), depth=2)) as ahead:
        async for _ in ahead:
            break
    await _settle()

    assert source.closed
    assert source.read <= 4


async def test_read_ahead_rejects_zero_depth():
    with pytest.raises(ValueError, match="depth must be at least 1"):
        async for _ in read_ahead(CountingPages(1).pages(), depth=0):
            pass
