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
from typing import Any


def write_second(record: dict[str, Any]) -> datetime | None:
    """Return the record's write_date cut to the second (None when empty)."""
    value = record.get("write_date")
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.replace(microsecond=0)


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
