"""Errors raised by the ledger."""

from __future__ import annotations

from pathlib import Path


class LedgerError(Exception):
    """Base class for every error the ledger raises on purpose."""


class SchemaTooNewError(LedgerError):
    """The file was written by a newer odoo-relay; it is left untouched."""

    def __init__(self, path: Path, found: int, supported: int) -> None:
        self.path = path
        self.found = found
        self.supported = supported
        super().__init__(
            f"ledger {path} has schema version {found}, but this odoo-relay supports "
            f"versions up to {supported}; upgrade odoo-relay to open it (the file was not changed)"
        )


class NotALedgerError(LedgerError):
    """The path exists but is not an odoo-relay ledger (not SQLite, or another program's database)."""


class LedgerBusyError(LedgerError):
    """Another connection held the write lock for longer than the busy timeout."""


class NotFoundError(LedgerError, LookupError):
    """A row the caller named by id does not exist."""


class InvalidValueError(LedgerError, ValueError):
    """A value passed to the ledger is malformed; the message names it and the fix."""


class DuplicateError(LedgerError):
    """A row with the same unique value (for example a connection name) exists."""
