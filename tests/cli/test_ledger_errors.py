"""Ledger files that cannot be opened, and ledgers that do not exist yet."""

import sqlite3

import pytest

from core.ledger.db import BUSY_TIMEOUT_MS

from core.ledger import SCHEMA_VERSION, Ledger

# Commands that only read or change what a ledger contains. None of them may create one.
READ_COMMANDS = [
    ["connections", "list"],
    ["connections", "show", "plant"],
    ["connections", "test", "plant"],
    ["connections", "edit", "plant", "--interval", "600"],
    ["connections", "disable", "plant"],
    ["connections", "enable", "plant"],
    ["connections", "remove", "plant", "--yes"],
    ["tokens", "rotate", "plant"],
    ["endpoints", "list"],
    ["endpoints", "remove", "1"],
    ["endpoints", "rotate-secret", "1"],
    ["endpoints", "test", "1"],
    ["deliveries", "list"],
    ["deliveries", "retry", "1"],
    ["deliveries", "retry", "--failed"],
    ["sync", "plant"],
]


def _assert_one_line_error(result, *expected: str) -> None:
    assert result.code == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    for text in expected:
        assert text in result.stderr


@pytest.mark.parametrize("command", READ_COMMANDS, ids=" ".join)
def test_missing_ledger_is_not_created(relay, ledger_path, command):
    result = relay(*command)
    _assert_one_line_error(result, f"no ledger at {ledger_path}", "odoo-relay connections add", "--db",
                           "ODOO_RELAY_DB")
    assert not ledger_path.parent.exists()


def test_endpoints_add_creates_ledger(relay, ledger_path):
    result = relay("endpoints", "add", "http://127.0.0.1:9/hook")
    assert result.code == 0, result.stderr
    assert ledger_path.exists()


def test_file_not_sqlite_is_one_line(relay, ledger_path):
    ledger_path.parent.mkdir()
    ledger_path.write_text("name,url\nplant,http://odoo\n" * 100)
    _assert_one_line_error(relay("connections", "list"), str(ledger_path), "not an SQLite database")


def test_other_sqlite_database_is_one_line(relay, ledger_path):
    ledger_path.parent.mkdir()
    with sqlite3.connect(ledger_path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    _assert_one_line_error(relay("deliveries", "list"), str(ledger_path), "not an odoo-relay ledger")


def test_newer_schema_is_one_line(relay, ledger_path):
    Ledger.open(ledger_path).close()
    with sqlite3.connect(ledger_path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    _assert_one_line_error(relay("endpoints", "list"), str(ledger_path), "upgrade odoo-relay")


def test_unusable_parent_is_one_line(relay, tmp_path):
    # A regular file where the ledger's directory should be: opening fails
    # with an OSError (NotADirectoryError), as a permission error would.
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    path = blocker / "ledger.sqlite3"
    result = relay("--db", str(path), "endpoints", "add", "http://127.0.0.1:9/hook")
    _assert_one_line_error(result, f"cannot open ledger {path}", "--db")


@pytest.mark.slow
def test_busy_ledger_is_one_line(relay, ledger_path):
    # Another process holds the write lock past the ledger's busy timeout.
    relay("endpoints", "add", "http://127.0.0.1:9/hook")
    holder = sqlite3.connect(ledger_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = relay("endpoints", "remove", "1", timeout=BUSY_TIMEOUT_MS / 1000 + 30)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    _assert_one_line_error(result, str(ledger_path), "locked", "try again")
