"""The write_date pager against an in-memory table that keeps microseconds.

The hard case needs several transactions inside one second, each with its
own microseconds and ids in the opposite order. The sandbox stamps
transactions from the real clock, so a test cannot place them like that.
This table does what PostgreSQL and Odoo do there: it sorts and compares by
the full value, returns write_date cut to the second, and sorts empty
write_dates last.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from datetime import UTC, datetime, timedelta

import pytest

from core.sync.pager import iter_pages, odoo_datetime, read_ahead

START = datetime(2026, 3, 1, 8, 0, 0, tzinfo=UTC)


class MicrosecondTable:
    """Rows with full-precision write_dates, queried like Odoo's search_read."""

    def __init__(self, rows: dict[int, datetime | None]) -> None:
        self.rows = rows
        self.queries = 0

    async def fetch(self, domain, order, limit):
        self.queries += 1
        matched = [rid for rid, stamp in self.rows.items() if _matches(domain, rid, stamp)]
        if order == "id asc":
            matched.sort()
        else:
            assert order == "write_date asc, id asc"
            matched.sort(key=lambda rid: (self.rows[rid] is None, self.rows[rid] or START, rid))
        return [self._shown(rid) for rid in matched[:limit]]

    def _shown(self, rid):
        stamp = self.rows[rid]
        return {"id": rid, "write_date": stamp.replace(microsecond=0) if stamp else None}


def _leaf(leaf, rid, stamp):
    field, op, value = leaf
    if field == "id":
        return {"not in": lambda: rid not in value, ">": lambda: rid > value}[op]()
    if value is False:
        return stamp is None
    if stamp is None:
        return False
    bound = datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    return {">=": stamp >= bound, "<": stamp < bound}[op]


def _matches(domain, rid, stamp):
    # Implicit AND of the items, where "|" joins the next two leaves.
    items = list(domain)
    while items:
        item = items.pop(0)
        if item == "|":
            left, right = items.pop(0), items.pop(0)
            if not (_leaf(left, rid, stamp) or _leaf(right, rid, stamp)):
                return False
        elif not _leaf(item, rid, stamp):
            return False
    return True


async def _read_all(table, since, page_size):
    seen = []
    async for page in iter_pages(table.fetch, [], since, page_size):
        assert 0 < len(page) <= page_size
        seen.extend(record["id"] for record in page)
    return seen


def _random_rows(rng, count):
    rows = {}
    rid = 0
    for second in range(6):
        # A few transactions per second, each with many rows sharing one stamp,
        # given ids out of order with their microseconds.
        for _ in range(rng.randint(1, 4)):
            stamp = START + timedelta(seconds=second, microseconds=rng.randint(0, 999_999))
            for _ in range(rng.randint(1, count)):
                rid += rng.randint(1, 3)
                rows[rid] = stamp
    for _ in range(rng.randint(0, 5)):
        rid += 1
        rows[rid] = None
    return rows


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("page_size", [1, 3, 7, 50])
async def test_full_read_sees_each_row_once(seed, page_size):
    rows = _random_rows(random.Random(seed), count=12)
    table = MicrosecondTable(dict(reversed(list(rows.items()))))

    seen = await _read_all(table, None, page_size)

    assert sorted(seen) == sorted(rows)
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize("seed", range(10))
async def test_read_since_skips_only_older_rows(seed):
    rows = _random_rows(random.Random(seed), count=9)
    since = START + timedelta(seconds=3)
    expected = {rid for rid, stamp in rows.items() if stamp and stamp >= since}

    seen = await _read_all(MicrosecondTable(rows), since, page_size=4)

    assert sorted(seen) == sorted(expected)


async def test_later_transaction_with_lower_ids_in_same_second():
    # Transaction B commits ids 1..5 at .900, transaction A ids 6..10 at .100
    # of the same second: sorted by the database, A comes first.
    second = START
    rows = {rid: second + timedelta(microseconds=900_000) for rid in range(1, 6)}
    rows |= {rid: second + timedelta(microseconds=100_000) for rid in range(6, 11)}

    seen = await _read_all(MicrosecondTable(rows), None, page_size=4)

    assert sorted(seen) == list(range(1, 11))


async def test_large_second_uses_bounded_exclusion_list():
    rows = {rid: START for rid in range(1, 1001)}
    rows |= {rid: START + timedelta(seconds=1) for rid in range(1001, 1011)}
    largest_exclusion = 0
    table = MicrosecondTable(rows)
    plain_fetch = table.fetch

    async def measuring_fetch(domain, order, limit):
        nonlocal largest_exclusion
        for leaf in domain:
            if isinstance(leaf, tuple) and leaf[1] == "not in":
                largest_exclusion = max(largest_exclusion, len(leaf[2]))
        return await plain_fetch(domain, order, limit)

    table.fetch = measuring_fetch
    seen = await _read_all(table, None, page_size=100)

    assert sorted(seen) == list(range(1, 1011))
    assert largest_exclusion <= 200


async def test_row_saved_again_during_read_is_read_again():
    rows = {rid: START for rid in range(1, 9)}
    table = MicrosecondTable(rows)
    seen = []
    async for page in iter_pages(table.fetch, [], None, 3):
        seen.extend(record["id"] for record in page)
        if 1 in seen and seen.count(1) == 1:
            # Someone saves record 1 again a minute later while the read runs.
            rows[1] = START + timedelta(minutes=1)

    assert seen.count(1) == 2
    assert sorted(set(seen)) == list(range(1, 9))


async def test_rejects_zero_page_size():
    with pytest.raises(ValueError, match="page_size must be at least 1"):
        async for _ in iter_pages(MicrosecondTable({}).fetch, [], None, 0):
            pass


def test_odoo_datetime_is_naive_utc_to_the_second():
    stamp = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
    assert odoo_datetime(stamp) == "2026-03-01 09:30:15"


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
