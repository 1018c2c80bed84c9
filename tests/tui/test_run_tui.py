"""``run_monitor``: the checks before the TUI starts."""

from __future__ import annotations

import sqlite3

from cli.run_tui import EXIT_FAILED, check_ledger, run_monitor
from core.ledger import Ledger


def test_check_ledger_creates_missing_file(tmp_path):
    path = tmp_path / "new" / "ledger.sqlite3"
    assert check_ledger(path) is None
    assert path.exists()


def test_run_monitor_rejects_newer_ledger(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "ledger.sqlite3"
    Ledger.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 999")

    assert run_monitor(path) == EXIT_FAILED
    error = capsys.readouterr().err
    assert "schema version 999" in error
    assert "upgrade odoo-relay" in error


def test_run_monitor_rejects_non_ledger(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "notes.txt"
    path.write_text("not a database\n" * 50)

    assert run_monitor(path) == EXIT_FAILED
    assert "is not an SQLite database" in capsys.readouterr().err
    assert (tmp_path / "state" / "odoo-relay" / "logs" / "odoo-relay.log").exists()
