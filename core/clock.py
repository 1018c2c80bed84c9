"""Injectable time source, so schedules can be tested without waiting."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Wall-clock time in UTC and a sleep that follows the same time."""

    def now(self) -> datetime:
        """Return the current time as an aware UTC datetime."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait until ``seconds`` have passed on this clock."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class FakeClock:
    """A clock that moves only when a test calls ``advance``.

    Sleepers wake in deadline order as ``advance`` passes their deadline, so a
    scheduler loop can run through hours of schedule in milliseconds.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
        if self._now.tzinfo is None:
            raise ValueError(f"FakeClock start must be timezone-aware, got naive {self._now!r}")
        self._sleepers: list[tuple[datetime, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        """Jump to ``when`` without waking sleepers (use ``advance`` for that)."""
        self._now = when

    async def sleep(self, seconds: float) -> None:
        deadline = self._now + timedelta(seconds=max(0.0, seconds))
        if deadline <= self._now:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (deadline, next(self._order), future))
        await future

    @property
    def sleeper_count(self) -> int:
        """Number of tasks currently waiting on this clock."""
        return sum(1 for _, _, future in self._sleepers if not future.done())

    def next_wakeup(self) -> datetime | None:
        """Return the earliest deadline any sleeper waits for, if any."""
        pending = [deadline for deadline, _, future in self._sleepers if not future.done()]
        return min(pending) if pending else None

    async def advance(self, seconds: float) -> None:
        """Move time forward, waking each sleeper at its own deadline in order.

        After each wake-up the event loop runs until the woken tasks block
        again, so work that a sleeper schedules lands before later deadlines.
        """
        target = self._now + timedelta(seconds=seconds)
        while self._sleepers and self._sleepers[0][0] <= target:
            deadline, _, future = heapq.heappop(self._sleepers)
            if future.done():
                continue
            self._now = max(self._now, deadline)
            future.set_result(None)
            await _let_tasks_run()
        self._now = target
        await _let_tasks_run()


async def _let_tasks_run(rounds: int = 20) -> None:
    # A woken task may await several already-completed steps before it blocks
    # again; a few loop turns let that chain finish before time moves on.
    for _ in range(rounds):
        await asyncio.sleep(0)


def utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime; naive values are taken as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
