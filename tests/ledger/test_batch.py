"""Multi-row INSERT batches on a real SQLite file: chunking, parameter limits, upsert tails."""

import sqlite3

import pytest

from core.ledger.batch import insert_rows


@pytest.fixture
def conn(tmp_path):
    connection = sqlite3.connect(tmp_path / "batch.sqlite3", isolation_level=None)
    connection.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, size REAL)")
    yield connection
    connection.close()


def test_insert_rows_spans_several_chunks(conn):
    rows = [(n, f"item {n}", n / 2) for n in range(1, 1_234)]

    insert_rows(conn, "INSERT INTO items (id, name, size)", rows)

    stored = conn.execute("SELECT id, name, size FROM items ORDER BY id").fetchall()
    assert stored == rows


def test_insert_rows_keeps_under_parameter_limit(conn):
    conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 7)  # two rows of three values per statement
    statements = []
    conn.set_trace_callback(statements.append)

    insert_rows(conn, "INSERT INTO items (id, name, size)", [(n, "x", 1.0) for n in range(5)])

    assert conn.execute("SELECT count(*) FROM items").fetchone()[0] == 5
    inserts = [sql for sql in statements if sql.startswith("INSERT")]
    assert len(inserts) == 3  # 2 + 2 + 1 rows


def test_insert_rows_applies_conflict_tail(conn):
    insert_rows(conn, "INSERT INTO items (id, name, size)", [(1, "old", 1.0), (2, "kept", 2.0)])

    insert_rows(
        conn,
        "INSERT INTO items (id, name, size)",
        [(1, "new", 3.0), (3, "added", 4.0)],
        " ON CONFLICT (id) DO UPDATE SET name = excluded.name, size = excluded.size",
    )

    stored = conn.execute("SELECT id, name, size FROM items ORDER BY id").fetchall()
    assert stored == [(1, "new", 3.0), (2, "kept", 2.0), (3, "added", 4.0)]


def test_insert_rows_without_rows_runs_nothing(conn):
    statements = []
    conn.set_trace_callback(statements.append)

    insert_rows(conn, "INSERT INTO items (id, name, size)", [])

    assert statements == []
