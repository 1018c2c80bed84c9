"""``odoo-relay serve``: the engine and the HTTP API in one process, without a screen.

Logs are JSON lines on stdout for a process supervisor. SIGTERM or SIGINT
stops both halves together: the API stops accepting connections and
finishes the requests it has, and the engine stops claiming work, finishes
or releases its claimed work, releases its leases and unregisters itself.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.main import EXIT_FAILED, EXIT_OK, EXIT_USAGE, cli, db_option, resolve_db
from core.api.ratelimit import DEFAULT_BURST, DEFAULT_PER_SECOND, RateLimit
from core.clock import Clock, SystemClock
from core.logs import configure_stdout_logging

# The API and the engine (Starlette, httpx, the sync stack) are imported
# inside the command, so other odoo-relay commands start without them.
if TYPE_CHECKING:
    from core.api import ApiSettings

log = logging.getLogger("odoo_relay.serve")

DEFAULT_PORT = 8787


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address the API listens on.")
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True, help="TCP port of the API (0 picks a free one).")
@click.option("--rate", type=click.FloatRange(min=0.1), default=DEFAULT_PER_SECOND, show_default=True, help="Requests per second each API token may sustain.")
@click.option("--burst", type=click.IntRange(min=1), default=DEFAULT_BURST, show_default=True, help="Requests each API token may send at once before --rate applies.")
@db_option
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, rate: float, burst: int, db_path: Path | None) -> None:
    """Run the sync engine, the webhook dispatcher and the HTTP API until SIGTERM."""
    from core.api import ApiSettings
    from core.http_server import bind_socket

    ledger_path = resolve_db(ctx, db_path)
    configure_stdout_logging()
    settings = ApiSettings(rate_limit=RateLimit(per_second=rate, burst=burst))
    if not _no_other_engine(ledger_path):
        sys.exit(EXIT_FAILED)
    try:
        sock = bind_socket(host, port)
    except OSError as error:
        log.error("%s", error)
        sys.exit(EXIT_USAGE)
    sys.exit(asyncio.run(run_serve(ledger_path, sock, settings, SystemClock())))


def _no_other_engine(ledger_path: Path) -> bool:
    """Return True if the ledger opens and no other engine (a TUI or another serve) runs on it."""
    from core.engine import Engine
    from core.ledger import Ledger, LedgerError

    try:
        with Ledger.open(ledger_path) as ledger:
            running = Engine.find_running(ledger)
    except (LedgerError, OSError) as error:
        log.error("failed to open ledger %s: %s", ledger_path, error)
        return False
    if running is None:
        return True
    log.error(
        "another engine (%s, pid %s on %s) runs on ledger %s; stop it first or pass another --db",
        running.kind, running.pid, running.hostname, ledger_path,
        extra={"owner_id": running.owner_id},
    )
    return False


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, _request_stop, stop, signum)


def _request_stop(stop: asyncio.Event, signum: int) -> None:
    if not stop.is_set():
        log.info("received %s; shutting down", signal.Signals(signum).name, extra={"signal": signal.Signals(signum).name})
    stop.set()


async def run_serve(ledger_path: Path, sock, settings: ApiSettings, clock: Clock) -> int:
    """Run the engine and the API on ``sock`` until a signal; return the exit code."""
    from core.api import create_api_app
    from core.engine import Engine
    from core.http_server import serve_until_stopped, url_for
    from core.runtime import tune_garbage_collector

    stop = asyncio.Event()
    _stop_on_signals(stop)
    engine = Engine(ledger_path, clock=clock, kind="serve")
    app = create_api_app(ledger_path, clock, settings=settings)
    # Everything is imported and built now: freeze it out of the collector's way.
    tune_garbage_collector()
    url = url_for(sock)
    log.info("API listening on %s, ledger %s", url, ledger_path, extra={"url": url, "ledger": str(ledger_path)})

    tasks = {
        asyncio.create_task(engine.run(stop), name="engine"),
        asyncio.create_task(serve_until_stopped(app, sock, stop), name="api"),
    }
    await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    # Whichever half ended first (normally both, on a signal), stop the other too.
    stop.set()
    exit_code = EXIT_FAILED if await _collect(tasks) else EXIT_OK
    log.info("serve stopped with exit code %d", exit_code, extra={"exit_code": exit_code})
    return exit_code


async def _collect(tasks: set[asyncio.Task]) -> bool:
    failed = False
    for task in tasks:
        try:
            await task
        except Exception:
            log.exception("%s stopped with an error", task.get_name())
            failed = True
    return failed
