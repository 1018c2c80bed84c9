"""Opening the ledger file and running transactions on its one connection."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from core.ledger import migrations
from core.ledger.errors import LedgerBusyError, LedgerError, NotALedgerError
from core.paths import ensure_private_dir

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
# Page size of new ledger files. An initial sync writes a records row and
# a record.created event of about 600 bytes per record. Replaying 100,000
# maintenance requests into the ledger took 2.5 s of CPU time with 16 KiB
# pages and 2.7 to 3.0 s with SQLite's default 4 KiB (2 CPUs, Python 3.11).
# A file keeps the page size it was created with.
NEW_FILE_PAGE_SIZE = 16384
_OWNER_ONLY_FILE = 0o600


def _create_private_file(path: Path) -> None:
    # Create the file ourselves with mode 0600 before SQLite opens it: SQLite
    # then gives the -wal and -shm files the same mode as the main file.
    if not path.parent.exists():
        ensure_private_dir(path.parent)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, _OWNER_ONLY_FILE)
    except FileExistsError:
        return
    os.close(fd)
    log.info("created ledger file %s", path)


def _tighten_mode(path: Path) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        os.chmod(path, _OWNER_ONLY_FILE)
        log.warning("ledger %s was readable by others (mode %o); changed it to 0600", path, mode)


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, so every write
    # transaction is BEGIN IMMEDIATE and takes the write lock up front.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
    return conn


def _read_version_and_tables(conn: sqlite3.Connection, path: Path) -> tuple[int, list[str]]:
    # One snapshot for both reads: another process may be creating the
    # schema right now, and a version read before its commit paired with
    # tables read after it would look like a foreign database.
    conn.execute("BEGIN")
    try:
        return migrations.check_not_newer(conn, path), sqlite_utils.Database(conn).table_names()
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")


def _check_is_ledger(conn: sqlite3.Connection, path: Path) -> int:
    try:
        version, tables = _read_version_and_tables(conn, path)
    except sqlite3.OperationalError as error:
        # Raised for files SQLite cannot read at all (permissions, locks),
        # as opposed to files it reads and finds are not databases.
        raise LedgerError(
            f"cannot read ledger {path}: {error}; check that it is readable and not locked by another program"
        ) from None
    except sqlite3.DatabaseError as error:
        raise NotALedgerError(
            f"{path} is not an SQLite database ({error}); pass the path of an odoo-relay ledger"
        ) from None
    if version == 0 and tables:
        raise NotALedgerError(
            f"{path} is an SQLite database but not an odoo-relay ledger (it has tables "
            f"{', '.join(sorted(tables)[:5])} and no schema version); choose another path"
        )
    return version


def open_connection(path: Path, create: bool) -> sqlite3.Connection:
    """Open ``path``, check it is a ledger this version can read, and migrate it.

    Raises SchemaTooNewError (file untouched) for a newer schema,
    NotALedgerError for other files, LedgerError for a missing file when
    ``create`` is False.
    """
    path = Path(path).expanduser()
    if not path.exists():
        if not create:
            raise LedgerError(f"ledger {path} does not exist; run a command that creates it or check --db")
        _create_private_file(path)

    if path.is_dir():
        raise LedgerError(f"ledger path {path} is a directory; pass a file path such as {path / 'ledger.sqlite3'}")
    try:
        conn = _connect(path)
    except sqlite3.OperationalError as error:
        raise LedgerError(f"cannot open ledger {path}: {error}; check the path and its permissions") from None
    try:
        version = _check_is_ledger(conn, path)
        _tighten_mode(path)
        _prepare_and_migrate(conn, path, version)
    except BaseException:
        conn.close()
        raise
    return conn


def _prepare_and_migrate(conn: sqlite3.Connection, path: Path, version: int) -> None:
    try:
        if version == 0:
            # Only an empty file takes a new page size, and only before the
            # switch to WAL mode.
            conn.execute(f"PRAGMA page_size = {NEW_FILE_PAGE_SIZE:d}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrations.migrate(conn, path)
    except sqlite3.OperationalError as error:
        # Switching to WAL and migrating need the write lock; another
        # process in a long write makes them wait out the busy timeout.
        if not _is_lock_error(error):
            raise
        raise busy_error(path) from error


def _is_lock_error(error: sqlite3.OperationalError) -> bool:
    return "locked" in str(error) or "busy" in str(error)


def busy_error(path: Path) -> LedgerBusyError:
    """Return the error for a write lock held past the busy timeout."""
    return LedgerBusyError(
        f"ledger {path} stayed locked by another connection for {BUSY_TIMEOUT_MS} ms; "
        "try again, and check for a process stuck in a long write"
    )


class Database:
    """One sqlite3 connection that threads share, one transaction at a time.

    The API server calls the ledger from worker threads, so every use goes
    through an RLock. ``write()`` wraps its body in BEGIN IMMEDIATE, which
    keeps two processes from interleaving a read-then-write.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self.lock = threading.RLock()
        self._depth = 0

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """Run the body in one write transaction; nested calls join the outer one."""
        with self.lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self.conn
                finally:
                    self._depth -= 1
                return
            self._begin_immediate()
            self._depth = 1
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                # A failed COMMIT (disk full, I/O error) leaves the
                # transaction open; roll it back so the next write can begin.
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            finally:
                self._depth = 0

    def _begin_immediate(self) -> None:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if not _is_lock_error(error):
                raise
            raise busy_error(self.path) from error

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """Run the body's queries on one consistent snapshot."""
        with self.lock:
            if self._depth or self.conn.in_transaction:
                yield self.conn
                return
            self.conn.execute("BEGIN")
            try:
                yield self.conn
            finally:
                self.conn.execute("COMMIT")

    def close(self) -> None:
        with self.lock:
            self.conn.close()
