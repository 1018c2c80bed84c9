"""The write_date page reader against an in-memory table that keeps microseconds.

The hard case needs several transactions inside one second, each with its
own microseconds and ids in the opposite order. The sandbox stamps
transactions from the real clock, so a test cannot place them like that.
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta, timezone

import pytest

from core.odoo.pages import iter_pages
from core.odoo.values import RecordDecoder

START = datetime(2026, 3, 1, 8, 0, 0, tzinfo=UTC)
ORDER = "write_date asc, id asc"
FIELDS = ["id", "write_date"]
EMPTY_WRITE_DATE = ("write_date", "=", False)


class MicrosecondTable:
    """An in-memory model with Odoo's ordering rules, used in place of a server by search_read_raw.

    Like PostgreSQL under Odoo, it sorts and compares write_date by the
    full stored value, sorts empty write_dates last, and sends write_date
    cut to the second as Odoo's ``YYYY-MM-DD HH:MM:SS`` text (False when
    empty). Domain values arrive as the reader builds them, before the
    client encodes them: aware datetimes, ids and id lists. ``requests``
    stores each request's (domain, order, limit).
    """

    def __init__(self, rows: dict[int, datetime | None]) -> None:
        self.rows = rows
        self.requests: list[tuple[list, str, int]] = []
        self.decoder = RecordDecoder({"id": "integer", "write_date": "datetime"}, FIELDS)

    async def search_read_raw(self, model, domain, fields, order, limit, offset, context):
        assert offset == 0
        self.requests.append((list(domain), order, limit))
        await asyncio.sleep(0)  # a request gives the event loop a turn, as a real one does
        matched = [rid for rid, stamp in self.rows.items() if _matches(domain, rid, stamp)]
        if order == "id asc":
            matched.sort()
        else:
            assert order == ORDER
            matched.sort(key=lambda rid: (self.rows[rid] is None, self.rows[rid] or START, rid))
        return [self._sent(rid) for rid in matched[:limit]], self.decoder

    def _sent(self, rid):
        stamp = self.rows[rid]
        return {"id": rid, "write_date": stamp.strftime("%Y-%m-%d %H:%M:%S") if stamp else False}


def _leaf(leaf, rid, stamp):
    field, operator, value = leaf
    if field == "id":
        return {"not in": lambda: rid not in value, ">": lambda: rid > value}[operator]()
    if value is False:
        assert operator == "="
        return stamp is None
    if stamp is None:
        return False
    return {">=": lambda: stamp >= value, "<": lambda: stamp < value}[operator]()


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


def _pages(table, since, page_size):
    return iter_pages(table, "maintenance.request", [], FIELDS, ORDER, page_size, None, since)


async def _read_all(table, since, page_size):
    seen = []
    async for page in _pages(table, since, page_size):
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


def _asks_for_empty_write_dates(table):
    return any(EMPTY_WRITE_DATE in domain for domain, _, _ in table.requests)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("page_size", [1, 3, 7, 50])
async def test_full_read_sees_each_row_once(seed, page_size):
    rows = _random_rows(random.Random(seed), count=12)
    table = MicrosecondTable(dict(reversed(list(rows.items()))))

    seen = await _read_all(table, None, page_size)

    assert sorted(seen) == sorted(rows)
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("page_size", [1, 4, 50])
async def test_read_since_skips_only_older_rows(seed, page_size):
    rows = _random_rows(random.Random(seed), count=9)
    since = START + timedelta(seconds=3)
    expected = {rid for rid, stamp in rows.items() if stamp and stamp >= since}
    table = MicrosecondTable(rows)

    seen = await _read_all(table, since, page_size)

    assert sorted(seen) == sorted(expected)
    assert len(seen) == len(set(seen))
    assert not _asks_for_empty_write_dates(table)


async def test_since_is_cut_to_the_second():
    # A row saved at .1 of the since second is read although it is older
    # than since itself, because Odoo compares with the second only.
    rows = {1: START + timedelta(microseconds=100_000), 2: START - timedelta(microseconds=1), 3: START + timedelta(seconds=1)}
    table = MicrosecondTable(rows)

    seen = await _read_all(table, START + timedelta(microseconds=500_000), page_size=10)

    assert seen == [1, 3]
    first_domain = table.requests[0][0]
    assert first_domain == [("write_date", ">=", START)]


async def test_since_in_another_time_zone():
    since = (START + timedelta(seconds=1)).astimezone(timezone(timedelta(hours=2)))
    table = MicrosecondTable({1: START, 2: START + timedelta(seconds=1)})

    seen = await _read_all(table, since, page_size=10)

    assert seen == [2]


def _stamped_then_empty() -> dict[int, datetime | None]:
    """Return rows 1 to 9 stamped three to a second from START, and rows 10 to 12 with no write_date."""
    rows: dict[int, datetime | None] = {rid: START + timedelta(seconds=rid // 3) for rid in range(1, 10)}
    rows |= {rid: None for rid in range(10, 13)}
    return rows


async def test_since_makes_no_request_for_empty_write_dates():
    # The pages fill up, so the reader goes on with bounds of its own. A
    # read without since would then end with a pass over empty write_dates.
    table = MicrosecondTable(_stamped_then_empty())

    seen = await _read_all(table, START, page_size=3)

    assert seen == list(range(1, 10))
    assert not _asks_for_empty_write_dates(table)


async def test_full_read_requests_empty_write_dates_last():
    table = MicrosecondTable(_stamped_then_empty())

    seen = await _read_all(table, None, page_size=3)

    assert seen == list(range(1, 13))
    assert _asks_for_empty_write_dates(table)


async def test_since_matching_nothing_sends_one_request():
    table = MicrosecondTable({1: START, 2: None})

    seen = await _read_all(table, START + timedelta(seconds=5), page_size=3)

    assert seen == []
    assert len(table.requests) == 1


async def test_later_transaction_with_lower_ids_in_same_second():
    # Transaction B commits ids 1..5 at .900, transaction A ids 6..10 at .100
    # of the same second: sorted by the database, A comes first.
    second = START
    rows = {rid: second + timedelta(microseconds=900_000) for rid in range(1, 6)}
    rows |= {rid: second + timedelta(microseconds=100_000) for rid in range(6, 11)}

    seen = await _read_all(MicrosecondTable(rows), None, page_size=4)

    assert sorted(seen) == list(range(1, 11))


@pytest.mark.parametrize("since", [None, START])
async def test_large_second_uses_bounded_exclusion_list(since):
    rows = {rid: START for rid in range(1, 1001)}
    rows |= {rid: START + timedelta(seconds=1) for rid in range(1001, 1011)}
    table = MicrosecondTable(rows)

    seen = await _read_all(table, since, page_size=100)

    exclusion_sizes = [
        len(leaf[2]) for domain, _, _ in table.requests for leaf in domain if isinstance(leaf, tuple) and leaf[1] == "not in"
    ]
    assert sorted(seen) == list(range(1, 1011))
    assert max(exclusion_sizes) <= 200


async def test_row_saved_again_during_read_is_read_again():
    rows = {rid: START for rid in range(1, 9)}
    table = MicrosecondTable(rows)
    seen = []
    async for page in _pages(table, None, 3):
        seen.extend(record["id"] for record in page)
        if 1 in seen and seen.count(1) == 1:
            # Someone saves record 1 again a minute later while the read runs.
            rows[1] = START + timedelta(minutes=1)

    assert seen.count(1) == 2
    assert sorted(set(seen)) == list(range(1, 9))


async def test_pages_are_converted():
    table = MicrosecondTable({1: START + timedelta(microseconds=5), 2: None})

    pages = [page async for page in _pages(table, None, 1)]

    assert pages == [[{"id": 1, "write_date": START}], [{"id": 2, "write_date": None}]]


def test_rejects_zero_page_size():
    with pytest.raises(ValueError, match="page_size must be at least 1"):
        _pages(MicrosecondTable({}), None, 0)


@pytest.mark.parametrize("order", ["id asc", "name asc, id asc", "write_date desc, id desc"])
def test_since_rejects_other_orders(order):
    with pytest.raises(ValueError, match=f"only valid with order 'write_date asc, id asc', got '{order}'"):
        iter_pages(MicrosecondTable({}), "res.partner", [], FIELDS, order, 10, None, START)


def test_since_rejects_naive_datetime():
    with pytest.raises(ValueError, match="aware datetime"):
        _pages(MicrosecondTable({}), START.replace(tzinfo=None), 10)
