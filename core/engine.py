"""The engine: scheduler, webhook dispatcher, operator commands and presence, one per ledger.

The TUI runs an Engine in its own process when none runs on the ledger, and
``odoo-relay serve`` runs one headless. Everything else talks to the engine
through the ledger: operator commands go into the command queue, and the
presence row (``register_engine``/``heartbeat``) shows others that one is running.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.clock import Clock, SystemClock
from core.ledger import EngineInstance, Ledger
from core.sync.commands import DEFAULT_POLL_SECONDS, CommandProcessor
from core.sync.scheduler import DEFAULT_MAX_CONCURRENT_RUNS, Scheduler
from core.sync.syncer import ClientFactory, SyncOptions, Syncer
from core.webhooks.dispatcher import Dispatcher

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0
# Another engine counts as running while its heartbeat is younger than this:
# three missed heartbeats mean its process is gone.
STALE_AFTER_SECONDS = 15.0
ENGINE_KINDS = ("serve", "tui", "cli")


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """Tuning for one Engine; the defaults suit production."""

    max_concurrent_runs: int = DEFAULT_MAX_CONCURRENT_RUNS
    sync: SyncOptions = field(default_factory=SyncOptions)
    heartbeat_seconds: float = HEARTBEAT_SECONDS
    command_poll_seconds: float = DEFAULT_POLL_SECONDS
    # Keyword arguments for core.webhooks.dispatcher.Dispatcher
    # (lease_seconds, attempt_timeout, connect_timeout, max_concurrency, ...).
    dispatcher: dict[str, Any] = field(default_factory=dict)


class Engine:
    """Runs the scheduler, the dispatcher, the command loop and the heartbeat until stopped.

    Construct it anywhere; ``run`` opens the ledger on the running event
    loop's thread, so the TUI can run it on a thread of its own. One Engine
    runs once.
    """

    def __init__(
        self,
        ledger_path: Path | str,
        clock: Clock | None = None,
        kind: str = "serve",
        client_factory: ClientFactory | None = None,
        settings: EngineSettings | None = None,
    ) -> None:
        if kind not in ENGINE_KINDS:
            raise ValueError(f"engine kind must be one of {', '.join(ENGINE_KINDS)}, got {kind!r}")
        self.ledger_path = Path(ledger_path)
        self.clock = clock or SystemClock()
        self.kind = kind
        self.client_factory = client_factory
        self.settings = settings or EngineSettings()
        self.owner_id = f"{kind}-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.scheduler: Scheduler | None = None
        self.dispatcher: Dispatcher | None = None
        self.commands: CommandProcessor | None = None
        # Set once the engine is registered; a threading.Event so a caller
        # on another thread (the TUI) can wait for it.
        self.started = threading.Event()

    @staticmethod
    def find_running(
        ledger: Ledger, clock: Clock | None = None, stale_after_seconds: float = STALE_AFTER_SECONDS
    ) -> EngineInstance | None:
        """Return the engine running on ``ledger`` (fresh heartbeat), or None."""
        now = (clock or SystemClock()).now()
        return ledger.active_engine(now, stale_after_seconds)

    async def run(self, stop: asyncio.Event) -> None:
        """Run until ``stop`` is set, then stop claiming, end in-flight work and unregister."""
        ledger = Ledger.open(self.ledger_path)
        try:
            self._build(ledger)
            ledger.register_engine(self._presence())
            self._fail_orphaned_commands(ledger)
            log.info("engine %s started on %s", self.owner_id, self.ledger_path)
            self.started.set()
            await self._run_parts(ledger, stop)
        finally:
            ledger.unregister_engine(self.owner_id)
            ledger.close()
            log.info("engine %s stopped", self.owner_id)

    def _fail_orphaned_commands(self, ledger: Ledger) -> None:
        # A command claimed by an engine that died stays "running" forever
        # unless someone closes it; the person who queued it waits on it.
        failed = ledger.fail_orphaned_commands(self.clock.now(), STALE_AFTER_SECONDS)
        if failed:
            log.warning("engine %s failed %d commands left running by a stopped engine", self.owner_id, failed)

    def _build(self, ledger: Ledger) -> None:
        syncer = Syncer(ledger, self.clock, self.client_factory, options=self.settings.sync)
        self.scheduler = Scheduler(
            ledger, self.clock, syncer, max_concurrent_runs=self.settings.max_concurrent_runs
        )
        self.dispatcher = Dispatcher(ledger, self.clock, self.owner_id, **self.settings.dispatcher)
        self.commands = CommandProcessor(
            ledger, self.clock, self.scheduler, self.owner_id,
            deliveries_changed=self.dispatcher.wake,
            poll_seconds=self.settings.command_poll_seconds,
        )

    async def _run_parts(self, ledger: Ledger, stop: asyncio.Event) -> None:
        # On stop, the command loop stops claiming. The scheduler lets running
        # syncs end after their current page, and the dispatcher finishes or
        # cancels its attempts and releases its leases.
        parts = [
            asyncio.create_task(self.commands.run(stop), name="engine-commands"),
            asyncio.create_task(self.scheduler.run(stop), name="engine-scheduler"),
            asyncio.create_task(self.dispatcher.run(stop), name="engine-dispatcher"),
            asyncio.create_task(self._heartbeat(ledger, stop), name="engine-heartbeat"),
        ]
        try:
            done, _ = await asyncio.wait(parts, return_when=asyncio.FIRST_EXCEPTION)
        except asyncio.CancelledError:
            stop.set()
            await asyncio.gather(*parts, return_exceptions=True)
            raise

        failure = _first_failure(done)
        if failure is not None:
            # A broken part would leave the engine half-working. Stopping it
            # all hands the error to the caller (the TUI header, serve's exit code).
            log.error("engine part failed; stopping the engine", exc_info=failure)
            stop.set()
        await asyncio.gather(*parts, return_exceptions=True)
        # Let sync commands settled during shutdown record their outcome.
        await asyncio.sleep(0)
        if failure is not None:
            raise failure

    async def _heartbeat(self, ledger: Ledger, stop: asyncio.Event) -> None:
        while not stop.is_set():
            sleeper = asyncio.ensure_future(self.clock.sleep(self.settings.heartbeat_seconds))
            stopper = asyncio.ensure_future(stop.wait())
            await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
            sleeper.cancel()
            stopper.cancel()
            if stop.is_set():
                return
            if not ledger.heartbeat(self.owner_id, self.clock.now()):
                # Someone removed the row (a stale-engine cleanup); claim presence again.
                ledger.register_engine(self._presence())

    def _presence(self) -> EngineInstance:
        now = self.clock.now()
        return EngineInstance(
            owner_id=self.owner_id,
            pid=os.getpid(),
            hostname=socket.gethostname(),
            kind=self.kind,
            started_at=now,
            heartbeat_at=now,
        )


def _first_failure(tasks: set[asyncio.Task[None]]) -> BaseException | None:
    for task in tasks:
        if not task.cancelled() and task.exception() is not None:
            return task.exception()
    return None
