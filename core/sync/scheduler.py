"""The sync schedule: intervals, backoff retries, manual requests and concurrency caps.

The schedule itself lives in the ledger (``next_sync_at``, ``backoff_attempt``,
written by ``core.sync.health`` after each run), so a restarted engine or a
second process reads the same plan. This loop only starts the runs that are
due, at most one per connection and at most ``max_concurrent_runs`` overall.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime

from core.clock import Clock
from core.ledger import Connection, ConnectionStatus, Ledger, SyncRun, SyncTrigger
from core.sync.backoff import MIN_INTERVAL_SECONDS
from core.sync.syncer import Syncer

log = logging.getLogger(__name__)

DEFAULT_MAX_CONCURRENT_RUNS = 4
# Connections added or changed by another process (the CLI) are noticed
# within this many seconds even when nothing is due.
DEFAULT_MAX_SLEEP_SECONDS = 5.0
# Statuses the timer never syncs: the operator disabled the connection, or
# its credentials were rejected and it waits for a reconnect.
NO_TIMER_STATUSES = frozenset({ConnectionStatus.DISABLED, ConnectionStatus.AUTH_FAILED})


class ConnectionDisabledError(Exception):
    """A sync was requested for a connection the operator disabled."""


@dataclass(slots=True)
class SyncRequest:
    """A sync asked for by an operator; waiters get the finished run."""

    connection_id: int
    full: bool = False
    waiters: list[asyncio.Future[SyncRun]] = field(default_factory=list)


def is_due(connection: Connection, now: datetime) -> bool:
    """Return True when the timer should sync ``connection`` at ``now``."""
    if connection.status in NO_TIMER_STATUSES:
        return False
    return connection.next_sync_at is None or connection.next_sync_at <= now


def timer_trigger(connection: Connection) -> SyncTrigger:
    """Return the trigger of a timer run: a retry while backing off, else the schedule."""
    return SyncTrigger.RETRY if connection.backoff_attempt > 0 else SyncTrigger.SCHEDULE


def pick_due(
    connections: list[Connection], now: datetime, busy: set[int], free_slots: int
) -> list[Connection]:
    """Return the due connections not already syncing, most overdue first, at most ``free_slots``."""
    due = [c for c in connections if c.id not in busy and is_due(c, now)]
    due.sort(key=lambda c: (c.next_sync_at is not None, c.next_sync_at or now, c.id))
    return due[: max(0, free_slots)]


def seconds_until_next(connections: list[Connection], now: datetime, busy: set[int]) -> float | None:
    """Return the seconds until the earliest timer sync among idle connections, or None."""
    waits = [
        (c.next_sync_at - now).total_seconds()
        for c in connections
        if c.id not in busy and c.status not in NO_TIMER_STATUSES and c.next_sync_at is not None
    ]
    return max(0.0, min(waits)) if waits else None


class Scheduler:
    """Start due and requested syncs, one at a time per connection, under a global cap."""

    def __init__(
        self,
        ledger: Ledger,
        clock: Clock,
        syncer: Syncer,
        *,
        max_concurrent_runs: int = DEFAULT_MAX_CONCURRENT_RUNS,
        max_sleep_seconds: float = DEFAULT_MAX_SLEEP_SECONDS,
    ) -> None:
        if max_concurrent_runs < 1:
            raise ValueError(f"max_concurrent_runs must be at least 1, got {max_concurrent_runs}")
        self.ledger = ledger
        self.clock = clock
        self.syncer = syncer
        self.max_concurrent_runs = max_concurrent_runs
        self.max_sleep_seconds = max_sleep_seconds
        self._running: dict[int, asyncio.Task[None]] = {}
        self._requests: dict[int, SyncRequest] = {}
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._warned_intervals: set[int] = set()

    @property
    def running_connection_ids(self) -> set[int]:
        """Ids of the connections syncing right now."""
        return set(self._running)

    def wake(self) -> None:
        """Re-check the schedule now (a request arrived or a run finished)."""
        self._wake.set()

    def request_sync(self, connection_id: int, full: bool = False) -> asyncio.Future[SyncRun]:
        """Queue an operator sync; the future resolves with the finished run.

        A request that arrives while the connection syncs runs again after
        that run, because the operator may be waiting for changes made since
        it started. Requests for one connection merge, and ``full`` sticks.
        """
        future: asyncio.Future[SyncRun] = asyncio.get_running_loop().create_future()
        request = self._requests.setdefault(connection_id, SyncRequest(connection_id))
        request.full = request.full or full
        request.waiters.append(future)
        self.wake()
        return future

    async def tick(self) -> int:
        """Start every requested and due sync that the caps allow; return how many started."""
        started = self._start_requested()
        connections = self.ledger.list_connections()
        self._warn_short_intervals(connections)
        free = self.max_concurrent_runs - len(self._running)
        for connection in pick_due(connections, self.clock.now(), set(self._running), free):
            self._start(connection.id, timer_trigger(connection), full=False, request=None)
            started += 1
        return started

    async def wait_idle(self) -> None:
        """Wait until no sync runs and no request waits (tests use it between clock steps)."""
        while self._running or self._requests:
            if self._running:
                await asyncio.gather(*self._running.values(), return_exceptions=True)
            else:
                await self.tick()
                await asyncio.sleep(0)

    async def run(self, stop: asyncio.Event) -> None:
        """Start syncs as they fall due until ``stop`` is set, then let running ones end."""
        log.info("scheduler started (at most %d concurrent runs)", self.max_concurrent_runs)
        try:
            while not stop.is_set():
                self._wake.clear()
                await self.tick()
                await self._sleep(self._sleep_seconds(), stop)
        finally:
            await self._shut_down()

    # --- internals ---------------------------------------------------------

    def _warn_short_intervals(self, connections: list[Connection]) -> None:
        """Log once per connection whose stored interval is below the minimum (it syncs at the minimum)."""
        for connection in connections:
            if connection.interval_seconds < MIN_INTERVAL_SECONDS and connection.id not in self._warned_intervals:
                self._warned_intervals.add(connection.id)
                log.warning(
                    "connection %s (%s) has a sync interval of %d s, below the minimum of %d s; it syncs every"
                    " %d s. Set a valid one with `odoo-relay connections edit %s --interval %d`",
                    connection.id, connection.name, connection.interval_seconds, MIN_INTERVAL_SECONDS,
                    MIN_INTERVAL_SECONDS, connection.name, MIN_INTERVAL_SECONDS,
                )

    def _start_requested(self) -> int:
        started = 0
        for connection_id in list(self._requests):
            if len(self._running) >= self.max_concurrent_runs:
                break
            if connection_id in self._running:
                continue
            request = self._requests.pop(connection_id)
            if self._reject_if_unusable(request):
                continue
            self._start(connection_id, SyncTrigger.MANUAL, request.full, request)
            started += 1
        return started

    def _reject_if_unusable(self, request: SyncRequest) -> bool:
        connection = self.ledger.get_connection(request.connection_id)
        if connection is None:
            error: Exception = LookupError(f"connection {request.connection_id} not found")
        elif connection.status == ConnectionStatus.DISABLED:
            error = ConnectionDisabledError(
                f"connection {connection.id} ({connection.name}) is disabled; enable it before syncing"
            )
        else:
            return False
        for waiter in request.waiters:
            if not waiter.done():
                waiter.set_exception(error)
        return True

    def _start(self, connection_id: int, trigger: SyncTrigger, full: bool, request: SyncRequest | None) -> None:
        task = asyncio.create_task(
            self._run_one(connection_id, trigger, full, request), name=f"sync-connection-{connection_id}"
        )
        self._running[connection_id] = task

    async def _run_one(
        self, connection_id: int, trigger: SyncTrigger, full: bool, request: SyncRequest | None
    ) -> None:
        try:
            if full:
                await self._recheck_streams(connection_id)
            run = await self.syncer.sync(connection_id, trigger, full=full, stop=self._stop)
        except Exception as error:
            log.exception("sync of connection %s could not run", connection_id)
            _settle(request, error=error)
        else:
            _settle(request, run=run)
        finally:
            self._running.pop(connection_id, None)
            self.wake()

    async def _recheck_streams(self, connection_id: int) -> None:
        """Re-check stream availability before a resync, so a fixed permission takes effect."""
        try:
            await self.syncer.check_streams(connection_id)
        except Exception as error:
            # The sync that follows reports the same error on its run row.
            log.warning("stream check before the resync of connection %s failed: %s", connection_id, error)

    def _sleep_seconds(self) -> float:
        if len(self._running) >= self.max_concurrent_runs:
            return self.max_sleep_seconds  # a finishing run wakes the loop
        connections = self.ledger.list_connections()
        wait = seconds_until_next(connections, self.clock.now(), set(self._running))
        return self.max_sleep_seconds if wait is None else min(wait, self.max_sleep_seconds)

    async def _sleep(self, seconds: float, stop: asyncio.Event) -> None:
        """Sleep on the clock until ``seconds`` pass, a wake-up, or ``stop``."""
        if self._wake.is_set() or stop.is_set():
            return
        waiters = {
            asyncio.ensure_future(self.clock.sleep(seconds)),
            asyncio.ensure_future(self._wake.wait()),
            asyncio.ensure_future(stop.wait()),
        }
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def _shut_down(self) -> None:
        # Running syncs see this event between pages and end after the page
        # they are committing; the next engine resumes from their cursors.
        self._stop.set()
        if self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)
        for request in self._requests.values():
            _settle(request, error=RuntimeError("the engine stopped before this sync ran; request it again"))
        self._requests.clear()
        log.info("scheduler stopped")


def _settle(request: SyncRequest | None, run: SyncRun | None = None, error: Exception | None = None) -> None:
    if request is None:
        return
    for waiter in request.waiters:
        if waiter.done():
            continue
        if error is not None:
            waiter.set_exception(error)
        else:
            waiter.set_result(run)
