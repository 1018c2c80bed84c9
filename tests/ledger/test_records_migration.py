"""Schema version 7: synced records move from a WITHOUT ROWID table to a rowid table."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

from core.ledger import Ledger, RecordUpsert, SyncTrigger
from core.ledger.migrations import migrate

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _write_version_6_file(path) -> None:
    """Build the file version 6 left behind, with two live synced records and a deleted one."""
    path.parent.mkdir(mode=0o700)
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, path, target=6) == 6
    conn.execute(
        "INSERT INTO connections (name, url, database, login, credential, credential_kind, protocol,"
        " status, interval_seconds, created_at, updated_at)"
        " VALUES ('plant', 'http://127.0.0.1:8069', 'db', 'admin', 'pw', 'password', 'auto', 'active', 600, 1, 1)"
    )
    conn.execute(
        "INSERT INTO streams (connection_id, name, model, domain, fields, enabled)"
        " VALUES (1, 'work_orders', 'maintenance.request', '[]', '[\"id\", \"write_date\", \"name\"]', 1)"
    )
    rows = [
        (11, "h11", json.dumps({"id": 11, "name": "Pump"}), None, 1),
        (12, "h12", json.dumps({"id": 12, "name": "Valve"}), None, 2),
        (13, "h13", json.dumps({"id": 13, "name": "Drill"}), 1700000000.0, 3),
    ]
    conn.executemany(
        "INSERT INTO records (stream_id, odoo_id, connection_id, model, content_hash, write_date, data,"
        " deleted_at, updated_at, change_seq) VALUES (1, ?, 1, 'maintenance.request', ?, 1.0, ?, ?, 1.0, ?)",
        rows,
    )
    conn.execute("UPDATE counters SET value = 3 WHERE name = 'change_seq'")
    conn.close()


def test_records_survive_rowid_migration(ledger_path):
    _write_version_6_file(ledger_path)

    with Ledger.open(ledger_path) as ledger:
        without_rowid = ledger._db.conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'records'"
        ).fetchone()[0]
        page = ledger.list_records(1, "work_orders")
        live_ids = ledger.list_live_ids(1)
        pump = ledger.get_record(1, "work_orders", 11)

    assert "WITHOUT ROWID" not in without_rowid
    assert [record.odoo_id for record in page.items] == [11, 12, 13]
    assert [record.change_seq for record in page.items] == [1, 2, 3]
    assert page.items[2].deleted_at is not None
    assert live_ids == [11, 12]
    assert pump.data == {"id": 11, "name": "Pump"}
    assert pump.content_hash == "h11"


def test_upsert_after_migration_updates_in_place(ledger_path):
    _write_version_6_file(ledger_path)

    with Ledger.open(ledger_path) as ledger:
        run = ledger.start_run(1, SyncTrigger.MANUAL, ["work_orders"], T0)
        changed = RecordUpsert(12, "h12b", T0, {"id": 12, "name": "Valve 2"})
        back = RecordUpsert(13, "h13", T0, {"id": 13, "name": "Drill"})
        ledger.commit_page(run.id, 1, [changed, back], [], [], None, None, at=T0)
        records = ledger.get_records(1, [11, 12, 13])
        count = ledger._db.conn.execute("SELECT count(*) FROM records").fetchone()[0]
        page = ledger.list_records(1, "work_orders")

    assert count == 3
    assert records[12].data == {"id": 12, "name": "Valve 2"}
    assert records[12].content_hash == "h12b"
    assert records[13].deleted_at is None
    assert [record.odoo_id for record in page.items] == [11, 12, 13]
    assert records[12].change_seq > 3
    assert records[13].change_seq > records[12].change_seq
