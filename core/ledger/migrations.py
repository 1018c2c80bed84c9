"""Forward schema migrations, run in order when a ledger is opened.

``PRAGMA user_version`` records the last applied step. Each step runs in its
own ``BEGIN IMMEDIATE`` transaction together with the version bump, so a
crash leaves the file at a whole version and two processes opening a fresh
file at the same time apply each step once.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.ledger import schema
from core.ledger.errors import SchemaTooNewError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step; ``version`` is the user_version after it ran."""

    version: int
    description: str
    apply: Callable[[sqlite3.Connection], None]


def _run_all(statements: list[str]) -> Callable[[sqlite3.Connection], None]:
    def apply(conn: sqlite3.Connection) -> None:
        for statement in statements:
            conn.execute(statement)

    return apply


MIGRATIONS: list[Migration] = [
    Migration(1, "create the tables", _run_all(schema.V1_TABLES)),
    Migration(2, "index the delivery queue and keyset pages", _run_all(schema.V2_INDEXES)),
    Migration(3, "index events by connection and type", _run_all(schema.V3_INDEXES)),
    Migration(4, "add the settings table", _run_all(schema.V4_SETTINGS)),
    Migration(5, "keep running delivery and event counts", _run_all(schema.V5_COUNTS)),
    Migration(6, "count inserted events and deliveries per batch", _run_all(schema.V6_BATCH_COUNTS)),
    Migration(7, "store synced records in a rowid table", _run_all(schema.V7_RECORDS_ROWID)),
]

SCHEMA_VERSION = MIGRATIONS[-1].version


def read_version(conn: sqlite3.Connection) -> int:
    """Return the file's ``PRAGMA user_version``."""
    return conn.execute("PRAGMA user_version").fetchone()[0]


def check_not_newer(conn: sqlite3.Connection, path: Path) -> int:
    """Return the file's version, or raise SchemaTooNewError before anything is written."""
    version = read_version(conn)
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(path, version, SCHEMA_VERSION)
    return version


def migrate(conn: sqlite3.Connection, path: Path, target: int = SCHEMA_VERSION) -> int:
    """Apply every step above the file's version up to ``target``; return the new version.

    ``conn`` must be in autocommit mode (isolation_level None). ``target``
    below the latest version exists for the migration tests, which build the
    file each earlier version would have left behind.
    """
    for step in MIGRATIONS:
        if step.version > target:
            break
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-read inside the write lock: another process may have
            # applied this step since we last looked.
            current = check_not_newer(conn, path)
            if current < step.version:
                step.apply(conn)
                conn.execute(f"PRAGMA user_version = {step.version:d}")
                log.info("ledger %s migrated to schema version %d: %s", path, step.version, step.description)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return read_version(conn)
