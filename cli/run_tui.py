"""Start the live monitor on a ledger: ``odoo-relay`` without a subcommand."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from core.clock import Clock
from core.ledger import Ledger, LedgerError
from core.logs import configure_file_logging
from core.runtime import tune_garbage_collector

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1


def run_monitor(db_path: Path, *, engine=None, clock: Clock | None = None) -> int:
    """Open (or create) the ledger, run the TUI on it and return an exit code.

    Runs an engine in this process unless one already runs on the ledger;
    ``engine`` forces a given one (``odoo-relay demo`` passes its own).
    """
    log_path = configure_file_logging()
    problem = check_ledger(db_path)
    if problem is not None:
        click.echo(problem, err=True)
        return EXIT_FAILED

    from tui.app import create_app

    log.info("starting the monitor on %s (log file %s)", db_path, log_path)
    app = create_app(db_path, engine=engine, clock=clock)
    # The app and its engine are built: freeze them out of the collector's way.
    tune_garbage_collector()
    app.run()
    # return_code is 1 when the app stopped on an unhandled error.
    code = app.return_code or EXIT_OK
    log.info("monitor stopped with exit code %s", code)
    return code


def check_ledger(db_path: Path) -> str | None:
    """Open the ledger once to create or migrate it; return an error text if that fails."""
    try:
        with Ledger.open(db_path):
            return None
    except LedgerError as error:
        log.error("cannot open the ledger %s: %s", db_path, error)
        return f"Error: cannot open the ledger: {error}"
    except OSError as error:
        log.error("cannot open the ledger %s: %s", db_path, error)
        return f"Error: cannot open the ledger {db_path}: {error.strerror or error}. Check the path and its permissions, or pass --db."
