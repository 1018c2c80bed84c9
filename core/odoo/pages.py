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

Each record that exists throughout the run is yielded once; a record
updated during the run may be yielded again later with its new values;
a record written in the last second after the reader passed it is left
for the next run, which should start at ``write_date >= last second``.
Rows with an empty write_date are read last, in id order. Memory stays at
one page plus at most two pages of ids.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from core.odoo.values import parse_datetime

if TYPE_CHECKING:
    from core.odoo.client import OdooClient

WRITE_DATE_ORDER = ("write_date asc", "id asc")
ID_ORDER = ("id asc",)
ONE_SECOND = timedelta(seconds=1)


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


async def iter_pages(
    client: OdooClient, model: str, domain: list, fields: list[str] | None, order: str, page_size: int, context: dict | None
) -> AsyncIterator[list[dict]]:
    """Yield search_read pages of ``model`` (see the module docstring)."""
    if page_size < 1:
        raise ValueError(f"page_size must be at least 1, got {page_size}")
    terms = order_terms(order)
    if terms == WRITE_DATE_ORDER:
        pages = _by_write_date(client, model, domain, with_key_fields(fields, ("id", "write_date")), page_size, context)
    elif terms == ID_ORDER:
        pages = _by_id(client, model, domain, with_key_fields(fields, ("id",)), page_size, context)
    else:
        pages = _by_offset(client, model, domain, fields, order, page_size, context)
    async for page in pages:
        yield page


async def _by_write_date(client, model, domain, fields, page_size, context) -> AsyncIterator[list[dict]]:
    second: datetime | None = None
    seen_in_second: list[int] = []
    while True:
        bounds = _main_bounds(second, seen_in_second)
        page = await client.search_read(model, [*domain, *bounds], fields, order="write_date asc, id asc", limit=page_size, context=context)
        if page:
            yield page
        if len(page) < page_size:
            break

        if page[-1]["write_date"] is None:
            # Rows without write_date (written by SQL) sort last in
            # PostgreSQL, so the rest of them follow in id order.
            async for rest in _by_id(client, model, [*domain, ("write_date", "=", False)], fields, page_size, context, page[-1]["id"]):
                yield rest
            return

        last_second = _second(page[-1]["write_date"])
        read_in_last = [record["id"] for record in page if record["write_date"] is not None and _second(record["write_date"]) == last_second]
        if last_second != second:
            second, seen_in_second = last_second, read_in_last
            continue

        # The whole page fell inside one second: finish that second by id.
        async for bucket_page in _one_second(client, model, domain, fields, second, seen_in_second + read_in_last, page_size, context):
            yield bucket_page
        second, seen_in_second = second + ONE_SECOND, []

    if second is not None:
        # A lower bound on write_date never matches an empty one.
        async for rest in _by_id(client, model, [*domain, ("write_date", "=", False)], fields, page_size, context):
            yield rest


def _main_bounds(second: datetime | None, seen_in_second: list[int]) -> list:
    if second is None:
        return []
    if not seen_in_second:
        return [("write_date", ">=", second)]
    # The exclusion holds inside second S only: a record read there and
    # saved again during the run moves to a later second and is read again.
    return [("write_date", ">=", second), "|", ("write_date", ">=", second + ONE_SECOND), ("id", "not in", seen_in_second)]


async def _one_second(client, model, domain, fields, second, excluded, page_size, context) -> AsyncIterator[list[dict]]:
    after_id = 0
    while True:
        bounds = [("write_date", ">=", second), ("write_date", "<", second + ONE_SECOND), ("id", ">", after_id), ("id", "not in", excluded)]
        page = await client.search_read(model, [*domain, *bounds], fields, order="id asc", limit=page_size, context=context)
        if page:
            yield page
            after_id = page[-1]["id"]
        if len(page) < page_size:
            return


async def _by_id(client, model, domain, fields, page_size, context, after_id: int = 0) -> AsyncIterator[list[dict]]:
    while True:
        page = await client.search_read(model, [*domain, ("id", ">", after_id)], fields, order="id asc", limit=page_size, context=context)
        if page:
            yield page
            after_id = page[-1]["id"]
        if len(page) < page_size:
            return


async def _by_offset(client, model, domain, fields, order, page_size, context) -> AsyncIterator[list[dict]]:
    # NOTE: any order other than "write_date asc, id asc" or "id asc" is
    # paged by offset, which can skip or repeat records while Odoo is
    # being written to.
    offset = 0
    while True:
        page = await client.search_read(model, domain, fields, order=order, limit=page_size, offset=offset, context=context)
        if page:
            yield page
        if len(page) < page_size:
            return
        offset += len(page)
