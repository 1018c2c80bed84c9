"""Page helpers for the sync: a bounded read-ahead queue and a record's write second.

The pages come from ``OdooClient.iter_pages`` (``core.odoo.pages``), which
reads by ``write_date`` in one-second buckets from the ``since`` time that
the Syncer passes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, TypeVar

# A page as the reader yields it: a list of records, or a raw page with its decoder.
P = TypeVar("P")


def write_second(record: dict[str, Any]) -> datetime | None:
    """Return the record's write_date cut to the second (None when empty)."""
    value = record.get("write_date")
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.replace(microsecond=0)


async def read_ahead_batches(pages: AsyncIterator[P], depth: int = 1) -> AsyncIterator[list[P]]:
    """Yield the same pages in batches while a task keeps reading up to ``depth`` pages ahead.

    Each batch contains every page read and not yet taken, at least one, in
    order. The next page's query depends only on the pages read so far,
    not on what the caller does with them, so reading ahead is safe. Odoo
    then prepares the next pages while the caller commits this batch, and
    a slow commit (a WAL checkpoint waiting on fsync) does not stall the
    reading until ``depth`` pages wait. A caller slower than the reading
    gets larger batches, and can store each in one transaction instead of
    one per page. A read error is raised to the caller after a batch of the
    pages before it. Close the generator (``contextlib.aclosing``) to stop
    the reading task when the caller leaves early.
    """
    if depth < 1:
        raise ValueError(f"depth must be at least 1, got {depth}")
    queue: asyncio.Queue[tuple[P | None, BaseException | None]] = asyncio.Queue(depth)

    async def read_all() -> None:
        try:
            async for page in pages:
                await queue.put((page, None))
            await queue.put((None, None))
        except Exception as error:  # raised to the caller in page order
            await queue.put((None, error))
        finally:
            # Closing the source now, not when the collector finds it, stops
            # a request it already sent for the next page.
            close = getattr(pages, "aclose", None)
            if close is not None:
                await close()

    reader = asyncio.ensure_future(read_all())
    try:
        while True:
            batch, ended, error = await _take_waiting(queue)
            if batch:
                yield batch
            if error is not None:
                raise error
            if ended:
                return
    finally:
        if not reader.done():
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader


async def _take_waiting(
    queue: asyncio.Queue[tuple[P | None, BaseException | None]],
) -> tuple[list[P], bool, BaseException | None]:
    """Wait for one item, then take the others already queued.

    Return the pages taken, whether the reading ended (finished or failed)
    and its error. The end item is the last one ever queued, so nothing
    follows it.
    """
    batch: list[P] = []
    page, error = await queue.get()
    while page is not None:
        batch.append(page)
        if queue.empty():
            return batch, False, None
        page, error = queue.get_nowait()
    return batch, True, error
