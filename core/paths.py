"""Locations of the ledger and the log files on this machine."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "odoo-relay"
LEDGER_ENV = "ODOO_RELAY_DB"
LEDGER_FILENAME = "ledger.sqlite3"


def default_ledger_path() -> Path:
    """Return the ledger path: ``$ODOO_RELAY_DB`` if set, else the user data dir."""
    override = os.environ.get(LEDGER_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / LEDGER_FILENAME


def log_dir() -> Path:
    """Return the directory for log files (the platform's user state dir)."""
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False)) / "logs"


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by the owner only, and return it.

    An existing directory keeps its mode unless it is the leaf we were asked
    for, which is tightened to 0700 because it contains credentials or logs.
    """
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path
