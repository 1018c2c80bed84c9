"""Stream search_read results page by page, correct while Odoo is being written to.

Offset paging is wrong under concurrent writes: when a record on an
earlier page is updated, its write_date moves it to the end, every later
record shifts one place left, and the record at the next page boundary is
skipped. So the default order ``write_date asc, id asc`` is paged by key.

The key cannot simply be (write_date, id): Odoo stores write_date with
microseconds but sends it cut to the second, and sorts by the stored
value, so inside one second the rows come in microsecond order, not id
order. The reader therefore treats each second as a bucket:

* Normal pages ask for ``write_date >= S`` minus the ids already yielded
  from second S (at most one page of ids), where S is the second of the
  previous page's last record. Rows in earlier seconds all sorted before
  that record, so they have all been yielded.
* When a whole page falls inside one second (a bulk import stamps every
  row with one write_date), that second is read to the end in id order,
  ``S <= write_date < S+1s and id > last``, then the reader moves to S+1s.

Each record that exists throughout the run is yielded once. A record
updated during the run may be yielded again later with its new values.
A record written in the last second after the reader passed it is left
for the next run, which should pass that second as ``since``.
Rows with an empty write_date are read last, in id order, unless
``since`` is set: its lower bound never matches an empty write_date, so
that pass is skipped and incremental reads save a request.

The request for the next page goes out before the current page is
converted and handed to the caller, so conversion and the caller's work
overlap with Odoo's. Memory stays at two pages plus at most two pages of
ids.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from core.odoo.values import RecordDecoder, parse_datetime

if TYPE_CHECKING:
    from core.odoo.client import OdooClient

WRITE_DATE_ORDER = ("write_date asc", "id asc")
ID_ORDER = ("id asc",)
ONE_SECOND = timedelta(seconds=1)

RawPage = tuple[list[dict], RecordDecoder]


def order_terms(order: str | None) -> tuple[str, ...]:
    """Normalise an order clause: lower case, single spaces, explicit direction."""
    terms = []
    for raw in (order or "").split(","):
        words = raw.split()
        if not words:
            continue
        if len(words) == 1:
            words.append("asc")
        terms.append(" ".join(word.lower() for word in words))
    return tuple(terms)


def with_key_fields(fields: list[str] | None, keys: tuple[str, ...]) -> list[str] | None:
    """Add the key fields the reader needs; an empty list already means all fields."""
    if not fields:
        return fields
    return list(fields) + [key for key in keys if key not in fields]


def _second(value) -> datetime:
    moment = parse_datetime(value) if isinstance(value, str) else value
    return moment.replace(microsecond=0)


def iter_pages(
    client: OdooClient,
    model: str,
    domain: list,
    fields: list[str] | None,
    order: str,
    page_size: int,
    context: dict | None,
    since: datetime | None = None,
    decode: bool = True,
) -> AsyncIterator[list[dict]] | AsyncIterator[RawPage]:
    """Return an async iterator over converted search_read pages of ``model``.

    ``since`` starts the read at ``write_date >= since`` cut to the second
    and needs the order ``write_date asc, id asc`` (see the module
    docstring). With ``decode`` False, each page comes as the records Odoo
    sent and the decoder that converts them in place. The reader has read
    all it needs from a page by the time it yields it, so the caller may
    convert the page later or on another thread. The arguments are checked
    here, before any request.
    """
    if page_size < 1:
        raise ValueError(f"page_size must be at least 1, got {page_size}")
    terms = order_terms(order)
    if since is not None:
        if terms != WRITE_DATE_ORDER:
            raise ValueError(f"since is only valid with order 'write_date asc, id asc', got {order!r}. Drop since or use that order.")
        if since.tzinfo is None:
            raise ValueError(f"since must be an aware datetime, got naive {since.isoformat()}. Give it a time zone, such as UTC.")
    if terms == WRITE_DATE_ORDER:
        key_fields = with_key_fields(fields, ("id", "write_date"))
        pages = _by_write_date(client, model, domain, key_fields, page_size, context, since)
    elif terms == ID_ORDER:
        pages = _by_id(client, model, domain, with_key_fields(fields, ("id",)), page_size, context)
    else:
        pages = _by_offset(client, model, domain, fields, order, page_size, context)
    return _prefetched(pages) if decode else _prefetched_raw(pages)


async def _prefetched(raw_pages: AsyncIterator[RawPage]) -> AsyncIterator[list[dict]]:
    """Convert and yield each raw page while the request for the next one is in flight."""
    # aclosing passes an early close on, so the prefetch is cancelled at once.
    async with contextlib.aclosing(_prefetched_raw(raw_pages)) as pages:
        async for records, decoder in pages:
            yield decoder.decode(records)


async def _prefetched_raw(raw_pages: AsyncIterator[RawPage]) -> AsyncIterator[RawPage]:
    """Yield each raw page once the request for the next one is in flight."""
    pending = asyncio.ensure_future(anext(raw_pages))
    try:
        while True:
            try:
                records, decoder = await pending
            except StopAsyncIteration:
                return
            pending = asyncio.ensure_future(anext(raw_pages))
            # Let the next request go out before this page is converted. The
            # reader's bookkeeping for this page runs before that request and
            # must see the raw values, not converted ones.
            await asyncio.sleep(0)
            yield records, decoder
    finally:
        # Gathering also retrieves the error of a prefetch the caller no longer awaits.
        pending.cancel()
        await asyncio.gather(pending, return_exceptions=True)
        await raw_pages.aclose()


async def _by_write_date(client, model, domain, fields, page_size, context, since) -> AsyncIterator[RawPage]:
    second = since.astimezone(UTC).replace(microsecond=0) if since is not None else None
    seen_in_second: list[int] = []
    while True:
        bounds = _main_bounds(second, seen_in_second)
        page, decoder = await client.search_read_raw(model, [*domain, *bounds], fields, "write_date asc, id asc", page_size, 0, context)
        if page:
            yield page, decoder
        if len(page) < page_size:
            break

        if not page[-1]["write_date"]:
            # Rows without write_date (written by SQL) sort last in
            # PostgreSQL, so the rest of them follow in id order.
            async for rest in _by_id(client, model, [*domain, ("write_date", "=", False)], fields, page_size, context, page[-1]["id"]):
                yield rest
            return

        last_second = _second(page[-1]["write_date"])
        read_in_last = _ids_in_last_second(page, page[-1]["write_date"])
        if last_second != second:
            second, seen_in_second = last_second, read_in_last
            continue

        # The whole page fell inside one second: finish that second by id.
        async for bucket_page in _one_second(client, model, domain, fields, second, seen_in_second + read_in_last, page_size, context):
            yield bucket_page
        second, seen_in_second = second + ONE_SECOND, []

    if since is None and second is not None:
        # A lower bound on write_date never matches an empty one. The read
        # added its own bound after the first page, so it reads them here. A
        # read from ``since`` leaves them out, as its first request did.
        async for rest in _by_id(client, model, [*domain, ("write_date", "=", False)], fields, page_size, context):
            yield rest


def _ids_in_last_second(page: list[dict], last) -> list[int]:
    """Return the ids of the page's trailing records stamped in the same second as ``last``.

    The page is in write_date order and Odoo sends write_date cut to the
    second, so those records sit at the end and compare equal as strings.
    """
    ids = []
    for record in reversed(page):
        if record["write_date"] != last:
            break
        ids.append(record["id"])
    return ids


def _main_bounds(second: datetime | None, seen_in_second: list[int]) -> list:
    if second is None:
        return []
    if not seen_in_second:
        return [("write_date", ">=", second)]
    # The exclusion applies inside second S only: a record read there and
    # saved again during the run moves to a later second and is read again.
    return [("write_date", ">=", second), "|", ("write_date", ">=", second + ONE_SECOND), ("id", "not in", seen_in_second)]


async def _one_second(client, model, domain, fields, second, excluded, page_size, context) -> AsyncIterator[RawPage]:
    after_id = 0
    while True:
        bounds = [("write_date", ">=", second), ("write_date", "<", second + ONE_SECOND), ("id", ">", after_id), ("id", "not in", excluded)]
        page, decoder = await client.search_read_raw(model, [*domain, *bounds], fields, "id asc", page_size, 0, context)
        if page:
            yield page, decoder
            after_id = page[-1]["id"]
        if len(page) < page_size:
            return


async def _by_id(client, model, domain, fields, page_size, context, after_id: int = 0) -> AsyncIterator[RawPage]:
    while True:
        page, decoder = await client.search_read_raw(model, [*domain, ("id", ">", after_id)], fields, "id asc", page_size, 0, context)
        if page:
            yield page, decoder
            after_id = page[-1]["id"]
        if len(page) < page_size:
            return


async def _by_offset(client, model, domain, fields, order, page_size, context) -> AsyncIterator[RawPage]:
    # NOTE: any order other than "write_date asc, id asc" or "id asc" is
    # paged by offset, which can skip or repeat records while Odoo is
    # being written to.
    offset = 0
    while True:
        page, decoder = await client.search_read_raw(model, domain, fields, order, page_size, offset, context)
        if page:
            yield page, decoder
        if len(page) < page_size:
            return
        offset += len(page)
