"""Opening ledger files: creation, permissions, migrations, files we must not touch."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from core.ledger import SCHEMA_VERSION, DeliveryState, Ledger, LedgerBusyError, LedgerError, NotALedgerError, SchemaTooNewError
from core.ledger.migrations import MIGRATIONS, migrate
from tests.ledger.helpers import new_connection


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _schema(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        return sorted(conn.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL").fetchall())
    finally:
        conn.close()


def _user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def test_new_ledger_is_owner_only(ledger_path):
    ledger = Ledger.open(ledger_path, create=True)
    ledger.add_connection(new_connection())  # a write, so -wal and -shm exist

    assert _mode(ledger_path.parent) == 0o700
    assert _mode(ledger_path) == 0o600
    for suffix in ("-wal", "-shm"):
        sidecar = ledger_path.with_name(ledger_path.name + suffix)
        assert sidecar.exists(), suffix
        assert _mode(sidecar) == 0o600, suffix
    ledger.close()


def test_loose_file_mode_is_tightened(ledger_path):
    Ledger.open(ledger_path).close()
    ledger_path.chmod(0o644)

    Ledger.open(ledger_path).close()

    assert _mode(ledger_path) == 0o600


def test_pragmas_are_set(ledger):
    conn = ledger._db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL


def test_missing_file_without_create_is_an_error(ledger_path):
    with pytest.raises(LedgerError, match="does not exist"):
        Ledger.open(ledger_path, create=False)
    assert not ledger_path.exists()


def test_empty_file_is_migrated_to_latest(ledger_path):
    ledger_path.parent.mkdir(mode=0o700)
    ledger_path.write_bytes(b"")

    Ledger.open(ledger_path).close()

    assert _user_version(ledger_path) == SCHEMA_VERSION


def test_migration_steps_are_numbered_in_order():
    assert [step.version for step in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_migrates_from_earlier_version(ledger_path, version):
    # Build the file an older odoo-relay would have left: the steps up to
    # `version`, with a connection row written at that version.
    ledger_path.parent.mkdir(mode=0o700)
    conn = sqlite3.connect(ledger_path, isolation_level=None)
    assert migrate(conn, ledger_path, target=version) == version
    conn.execute(
        "INSERT INTO connections (name, url, database, login, credential, credential_kind, protocol,"
        " status, interval_seconds, created_at, updated_at)"
        " VALUES ('old', 'http://127.0.0.1:8069', 'db', 'admin', 'pw', 'password', 'auto', 'active', 600, 1, 1)"
    )
    conn.execute(
        "INSERT INTO endpoints (url, secret, event_types, max_in_flight, created_at)"
        " VALUES ('http://127.0.0.1:9/hook', 'whsec_x', '[\"*\"]', 8, 1)"
    )
    conn.execute(
        "INSERT INTO events (id, type, connection_id, created_at, data)"
        " VALUES ('evt_old', 'record.created', 1, 1, '{}')"
    )
    conn.execute(
        "INSERT INTO deliveries (event_seq, event_type, connection_id, endpoint_id, state, attempts,"
        " created_at, updated_at) VALUES (1, 'record.created', 1, 1, 'failed', 3, 1, 1)"
    )
    if version >= 6:
        # From version 6 on, the code that inserts events and deliveries
        # keeps the running counts itself; no trigger does it.
        conn.execute("UPDATE counters SET value = value + 1 WHERE name = 'events'")
        conn.execute("INSERT INTO delivery_counts (connection_id, state, retried, count) VALUES (1, 'failed', 1, 1)")
    conn.close()

    with Ledger.open(ledger_path) as ledger:
        old = ledger.get_connection_by_name("old")
        totals = ledger.totals()
        failing = ledger.failing_deliveries_by_connection()
        [delivery] = ledger.list_deliveries().items
        indexes = {
            index.name for table in ("deliveries", "events") for index in sqlite_utils.Database(ledger._db.conn)[table].indexes
        }

    assert _user_version(ledger_path) == SCHEMA_VERSION
    assert old is not None
    assert old.credential.reveal() == "pw"
    assert old.interval_seconds == 600
    assert delivery.event_id == "evt_old"
    assert totals.events == 1
    assert totals.deliveries_by_state[DeliveryState.FAILED] == 1
    assert failing == {old.id: 1}
    fresh = ledger_path.with_name("fresh.sqlite3")
    Ledger.open(fresh).close()
    assert _schema(ledger_path) == _schema(fresh)
    assert {"deliveries_due", "deliveries_leased", "events_connection_type"} <= indexes
    assert "deliveries_event" not in indexes


def test_reopening_latest_changes_nothing(ledger_path):
    with Ledger.open(ledger_path) as ledger:
        ledger.add_connection(new_connection())

    with Ledger.open(ledger_path) as ledger:
        assert [c.name for c in ledger.list_connections()] == ["acme"]
    assert _user_version(ledger_path) == SCHEMA_VERSION


def test_newer_schema_is_rejected_untouched(ledger_path):
    Ledger.open(ledger_path).close()
    conn = sqlite3.connect(ledger_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = ledger_path.read_bytes()

    with pytest.raises(SchemaTooNewError) as raised:
        Ledger.open(ledger_path)

    message = str(raised.value)
    assert str(ledger_path) in message
    assert f"schema version {SCHEMA_VERSION + 1}" in message
    assert f"up to {SCHEMA_VERSION}" in message
    assert ledger_path.read_bytes() == before


def test_file_that_is_not_sqlite_is_rejected(ledger_path):
    ledger_path.parent.mkdir(mode=0o700)
    ledger_path.write_bytes(b"just some notes, not a database\n" * 200)
    before = ledger_path.read_bytes()

    with pytest.raises(NotALedgerError, match="not an SQLite database") as raised:
        Ledger.open(ledger_path)

    assert str(ledger_path) in str(raised.value)
    assert ledger_path.read_bytes() == before


def test_foreign_sqlite_database_is_rejected(ledger_path):
    ledger_path.parent.mkdir(mode=0o700)
    conn = sqlite3.connect(ledger_path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    conn.close()

    with pytest.raises(NotALedgerError, match="not an odoo-relay ledger"):
        Ledger.open(ledger_path)

    assert _user_version(ledger_path) == 0


def test_directory_path_is_rejected(tmp_path):
    with pytest.raises(LedgerError, match="is a directory"):
        Ledger.open(tmp_path)


def test_write_lock_timeout_raises_busy_error(ledger, ledger_path):
    holder = sqlite3.connect(ledger_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another connection's long write
    ledger._db.conn.execute("PRAGMA busy_timeout = 50")  # fail fast instead of after 5 s
    try:
        with pytest.raises(LedgerBusyError, match="stayed locked"):
            ledger.add_connection(new_connection())
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    # The failed attempt left no transaction behind.
    ledger.add_connection(new_connection())
    assert [c.name for c in ledger.list_connections()] == ["acme"]


def test_failed_write_rolls_back_and_next_write_works(ledger):
    with pytest.raises(RuntimeError):
        with ledger._db.write() as conn:
            conn.execute("INSERT INTO counters (name, value) VALUES ('probe', 1)")
            raise RuntimeError("abort the write")

    assert not ledger._db.conn.in_transaction
    ledger.add_connection(new_connection())
    assert ledger._db.conn.execute("SELECT count(*) FROM counters WHERE name = 'probe'").fetchone()[0] == 0


@pytest.mark.slow
def test_processes_create_one_file_together(ledger_path, tmp_path):
    root = Path(__file__).resolve().parents[2]
    start_flag = tmp_path / "start"
    openers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.ledger.open_worker", str(ledger_path), str(start_flag)],
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    start_flag.touch()
    results = [opener.communicate(timeout=60) for opener in openers]

    assert [opener.returncode for opener in openers] == [0, 0, 0, 0], [err for _, err in results]
    assert [out.strip() for out, _ in results] == [str(SCHEMA_VERSION)] * 4
    assert _schema(ledger_path) == _schema(_fresh_copy(tmp_path))


def _fresh_copy(tmp_path: Path) -> Path:
    path = tmp_path / "fresh" / "ledger.sqlite3"
    Ledger.open(path).close()
    return path


def test_open_during_another_write_raises_busy_error(ledger_path, monkeypatch):
    # An older file that needs a migration step, while another process holds
    # the write lock: the migration cannot begin.
    ledger_path.parent.mkdir(mode=0o700)
    conn = sqlite3.connect(ledger_path, isolation_level=None)
    migrate(conn, ledger_path, target=SCHEMA_VERSION - 1)
    conn.close()
    monkeypatch.setattr("core.ledger.db.BUSY_TIMEOUT_MS", 50)  # fail fast instead of after 5 s
    holder = sqlite3.connect(ledger_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(LedgerBusyError, match="stayed locked"):
            Ledger.open(ledger_path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert _user_version(ledger_path) == SCHEMA_VERSION - 1
    Ledger.open(ledger_path).close()
    assert _user_version(ledger_path) == SCHEMA_VERSION
