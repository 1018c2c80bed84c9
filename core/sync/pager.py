"""Keyset pages over ``write_date`` that lose nothing at a page boundary.

Odoo returns ``write_date`` cut to the second, but the database keeps
microseconds, and one transaction stamps all its records with its start time.
So a keyset on the (second, id) pair the API shows does not follow the order
the database sorts by, and ``write_date = <second>`` matches nothing when the
stored value has microseconds. This pager only ever uses second ranges:

- Main mode: ``write_date >= S`` ordered ``write_date asc, id asc``, where S
  is the second of the last record read, excluding from second S the ids
  already read there. Every record of an earlier second sorted before the
  last one, so it has been read already. The records of second S not read
  yet are exactly those outside the exclusion list.
- Group mode: when one second contains more than a page of records, the
  exclusion list would grow with the group, so that second is read on its own
  (``S <= write_date < S+1``, ordered ``id asc``, keyset on id), and the main
  mode carries on from S+1.

The exclusion list therefore never contains more than two pages of ids.
Records whose ``write_date`` is empty (rows written by SQL) sort last in
PostgreSQL and match no range, so a full read fetches them in a final pass.

NOTE: ``core.odoo.pages`` (behind ``OdooClient.iter_pages``) pages by the
same one-second buckets. This copy adds a starting time, a bounded
read-ahead queue and a caller-supplied fetch; the two should become one
reader with those options, so a fix to one cannot miss the other.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

Fetch = Callable[[list[Any], str, int], Awaitable[list[dict[str, Any]]]]

MAIN_ORDER = "write_date asc, id asc"
GROUP_ORDER = "id asc"
ODOO_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
ONE_SECOND = timedelta(seconds=1)


def odoo_datetime(value: datetime) -> str:
    """Format an aware datetime the way Odoo domains expect: naive UTC, to the second."""
    return value.astimezone(UTC).strftime(ODOO_DATETIME_FORMAT)


def write_second(record: dict[str, Any]) -> datetime | None:
    """Return the record's write_date cut to the second (None when empty)."""
    value = record.get("write_date")
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.replace(microsecond=0)


async def iter_pages(
    fetch: Fetch,
    base_domain: list[Any],
    since: datetime | None,
    page_size: int,
) -> AsyncIterator[list[dict[str, Any]]]:
    """Yield pages of records with ``write_date >= since`` (all when None), each record once.

    ``fetch(domain, order, limit)`` runs one search_read. Pages come out in
    ``write_date`` order, except inside a second that spans more than a page,
    which comes out in id order.
    """
    if page_size < 1:
        raise ValueError(f"page_size must be at least 1, got {page_size}")

    lower = since.replace(microsecond=0) if since else None
    excluded: set[int] = set()
    while True:
        page = await fetch(_main_domain(base_domain, lower, excluded), MAIN_ORDER, page_size)
        if page:
            yield page
        if len(page) < page_size:
            break

        last_second = write_second(page[-1])
        if last_second is None:
            # Only a read without a lower bound reaches the empty write_dates,
            # and they sort last, so the rest of them follow by id.
            async for rest in _iter_unstamped(fetch, base_domain, page[-1]["id"], page_size):
                yield rest
            return

        read_in_second = _ids_in_last_second(page, last_second)
        excluded = excluded | read_in_second if lower == last_second else read_in_second
        lower = last_second
        if len(excluded) > page_size:
            async for group_page in _iter_second(fetch, base_domain, lower, excluded, page_size):
                yield group_page
            lower, excluded = lower + ONE_SECOND, set()

    if since is None and lower is not None:
        async for rest in _iter_unstamped(fetch, base_domain, 0, page_size):
            yield rest


def _ids_in_last_second(page: list[dict[str, Any]], second: datetime) -> set[int]:
    """Return the ids of the page's records in ``second``, its last one.

    A main-mode page is sorted by write_date, so those records are its
    tail, and only the tail is looked at.
    """
    ids = set()
    for record in reversed(page):
        if write_second(record) != second:
            break
        ids.add(record["id"])
    return ids


def _main_domain(base: list[Any], lower: datetime | None, excluded: set[int]) -> list[Any]:
    domain = list(base)
    if lower is None:
        return domain

    domain.append(("write_date", ">=", odoo_datetime(lower)))
    if excluded:
        # The exclusion applies to second ``lower`` only: a record read there
        # and saved again during this run moves to a later second and must
        # be read again.
        domain += [
            "|",
            ("write_date", ">=", odoo_datetime(lower + ONE_SECOND)),
            ("id", "not in", sorted(excluded)),
        ]
    return domain


async def _iter_second(
    fetch: Fetch, base: list[Any], second: datetime, excluded: set[int], page_size: int
) -> AsyncIterator[list[dict[str, Any]]]:
    """Yield the records of one second not in ``excluded``, in id order."""
    after_id = 0
    while True:
        domain = list(base) + [
            ("write_date", ">=", odoo_datetime(second)),
            ("write_date", "<", odoo_datetime(second + ONE_SECOND)),
            ("id", "not in", sorted(excluded)),
            ("id", ">", after_id),
        ]
        page = await fetch(domain, GROUP_ORDER, page_size)
        if page:
            yield page
        if len(page) < page_size:
            return
        after_id = page[-1]["id"]


async def _iter_unstamped(
    fetch: Fetch, base: list[Any], after_id: int, page_size: int
) -> AsyncIterator[list[dict[str, Any]]]:
    """Yield the records whose write_date is empty, in id order, after ``after_id``."""
    while True:
        domain = list(base) + [("write_date", "=", False), ("id", ">", after_id)]
        page = await fetch(domain, GROUP_ORDER, page_size)
        if page:
            yield page
        if len(page) < page_size:
            return
        after_id = page[-1]["id"]


async def read_ahead(
    pages: AsyncIterator[list[dict[str, Any]]], depth: int = 1
) -> AsyncIterator[list[dict[str, Any]]]:
    """Yield the same pages while a task keeps reading up to ``depth`` pages ahead of the caller.

    The next page's query depends only on the pages read so far, not on
    what the caller does with them, so reading ahead is safe. Odoo then
    prepares the next pages while the caller commits this one, and a slow
    commit (a WAL checkpoint waiting on fsync) does not stall the reading
    until ``depth`` pages wait. A read error is raised to the caller after
    the pages before it. Close the generator (``contextlib.aclosing``) to
    stop the reading task when the caller leaves early.
    """
    if depth < 1:
        raise ValueError(f"depth must be at least 1, got {depth}")
    queue: asyncio.Queue[tuple[list[dict[str, Any]] | None, BaseException | None]] = asyncio.Queue(depth)

    async def read_all() -> None:
        try:
            async for page in pages:
                await queue.put((page, None))
        except Exception as error:  # raised to the caller in page order
            await queue.put((None, error))
            return
        await queue.put((None, None))

    reader = asyncio.ensure_future(read_all())
    try:
        while True:
            page, error = await queue.get()
            if error is not None:
                raise error
            if page is None:
                return
            yield page
    finally:
        if not reader.done():
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
