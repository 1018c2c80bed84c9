"""Run the engine inside the TUI's process, or describe the one it attaches to."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from core.ledger.models import EngineInstance

log = logging.getLogger(__name__)


class EngineThread:
    """Runs an ``Engine`` on its own thread and event loop.

    The engine calls the ledger synchronously from its event loop, and a sync
    commits whole pages of records. On a thread of its own, that work does
    not stall the UI's event loop.
    """

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.failure: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, name="relay-engine", daemon=True)

    @property
    def running(self) -> bool:
        """True while the engine's thread is alive."""
        return self._thread.is_alive()

    def start(self) -> None:
        """Start the engine and return once its event loop runs."""
        self._thread.start()
        self._started.wait(5)

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the engine to stop (it releases its leases) and wait for it."""
        if self._loop is not None and self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("the in-process engine did not stop within %.0f s", timeout)

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as error:  # noqa: BLE001 - kept for the header and logged
            self.failure = error
            log.exception("the in-process engine stopped with an error")

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._started.set()
        log.info("engine starting in the TUI process")
        await self.engine.run(self._stop)
        log.info("engine stopped")


def engine_label(host: EngineThread | None, attached: EngineInstance | None) -> str:
    """Return the header's engine description."""
    if host is not None:
        if host.failure is not None:
            return f"engine: stopped ({type(host.failure).__name__}: {host.failure}); see the log file"
        return "engine: running here"
    if attached is not None:
        return f"attached to {attached.kind} pid {attached.pid} on {attached.hostname}"
    return "engine: none running; commands wait until one starts"


def engine_state(host: EngineThread | None, attached: EngineInstance | None) -> str:
    """Return the status line's short engine state."""
    if host is not None:
        return "engine: stopped" if host.failure is not None or not host.running else "engine: running here"
    if attached is not None:
        return f"engine: {attached.kind} pid {attached.pid}"
    return "engine: not running"
