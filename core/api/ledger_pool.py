"""A few ``Ledger`` objects shared by the API's worker threads.

One ``Ledger`` is one sqlite3 connection behind a lock, so requests served
from one object queue behind each other. With WAL, SQLite lets several
connections read at once, so the API opens ``size`` of them and lends one to
each call, run in Starlette's thread pool so the event loop does not wait
for writes or big reads. Small reads (a token lookup, a default page) run
inline on one more ledger that only the event loop's thread uses.
"""

from __future__ import annotations

import queue
from pathlib import Path
from typing import Callable, TypeVar

from starlette.concurrency import run_in_threadpool

from core.ledger import Ledger

R = TypeVar("R")

# A keyset page of 100 events takes about 1 ms through the ledger. The hop
# to a worker thread cost about 2 ms more on a loaded two-core machine
# (bench/api.py), so pages up to this size run inline. Larger pages go to a
# worker so the event loop stays free.
# NOTE: measured on one machine; the right cut-off depends on row size.
INLINE_MAX_ROWS = 100


class LedgerPool:
    """Lend ``Ledger`` objects to threads, one call at a time."""

    def __init__(self, ledger_path: Path, size: int = 4) -> None:
        if size < 1:
            raise ValueError(f"ledger pool size must be at least 1, got {size}")
        self.ledger_path = Path(ledger_path)
        self._idle: queue.Queue[Ledger] = queue.Queue()
        self._all: list[Ledger] = []
        # Only call_inline uses this one, from the event loop's thread, so a
        # small read does not queue behind a worker's query for a ledger.
        self._inline = Ledger.open(self.ledger_path)
        self._all.append(self._inline)
        for _ in range(size):
            ledger = Ledger.open(self.ledger_path)
            self._all.append(ledger)
            self._idle.put(ledger)

    def call_sync(self, function: Callable[..., R], *args) -> R:
        """Run ``function(ledger, *args)`` on a borrowed ledger in this thread."""
        ledger = self._idle.get()
        try:
            return function(ledger, *args)
        finally:
            self._idle.put(ledger)

    def call_inline(self, function: Callable[..., R], *args) -> R:
        """Run ``function(ledger, *args)`` in the calling (event loop) thread.

        Only for short reads, such as a token lookup by its indexed hash,
        because a hop to a worker thread costs more than they do.
        """
        return function(self._inline, *args)

    async def call(self, function: Callable[..., R], *args) -> R:
        """Run ``function(ledger, *args)`` on a borrowed ledger in a worker thread.

        Writes go through here: a write may wait for SQLite's write lock,
        and it must not hold up the event loop while it does.
        """
        return await run_in_threadpool(self.call_sync, function, *args)

    async def read(self, function: Callable[..., R], *args, rows: int) -> R:
        """Run a read of at most ``rows`` rows inline if it is small, else in a worker thread.

        In WAL mode a reader does not wait for writers, so an inline read
        cannot hold up the event loop behind a write. For a small page the
        hop to a worker thread costs more than the query itself.
        """
        if rows <= INLINE_MAX_ROWS:
            return self.call_inline(function, *args)
        return await self.call(function, *args)

    def close(self) -> None:
        """Close every ledger connection; calls after this fail."""
        for ledger in self._all:
            close = getattr(ledger, "close", None)
            if close is not None:
                close()
        self._all.clear()
