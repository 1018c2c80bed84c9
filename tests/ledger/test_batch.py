"""Multi-row INSERT batches on a real SQLite file: chunking, parameter limits, upsert tails."""

import sqlite3

import pytest

from core.ledger.batch import insert_numbered_rows, insert_rows


@pytest.fixture
def conn(tmp_path):
    connection = sqlite3.connect(tmp_path / "batch.sqlite3", isolation_level=None)
    connection.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, size REAL)")
    connection.execute("CREATE TABLE tagged (number INTEGER PRIMARY KEY, tag TEXT, name TEXT, size REAL, note TEXT)")
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


TAGGED = "INSERT INTO tagged (number, tag, name, size, note)"


def test_insert_numbered_rows_shares_values_across_chunks(conn):
    rows = [(f"item {n}", n / 2) for n in range(1_234)]

    insert_numbered_rows(conn, TAGGED, "({n}, {s1}, {0}, {1}, {s2})", ["pump", None], rows, 10)

    stored = conn.execute("SELECT number, tag, name, size, note FROM tagged ORDER BY number").fetchall()
    assert stored == [(10 + n, "pump", name, size, None) for n, (name, size) in enumerate(rows)]


def test_insert_numbered_rows_keeps_under_parameter_limit(conn):
    conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 7)  # 2 shared + the number + two rows of two
    statements = []
    conn.set_trace_callback(statements.append)

    rows = [(f"item {n}", 1.0) for n in range(5)]
    insert_numbered_rows(conn, TAGGED, "({n}, {s1}, {0}, {1}, {s2})", ["fan", "spare"], rows, 1)

    stored = conn.execute("SELECT number, name FROM tagged ORDER BY number").fetchall()
    assert stored == [(n + 1, f"item {n}") for n in range(5)]
    inserts = [sql for sql in statements if sql.startswith("INSERT")]
    assert len(inserts) == 3  # 2 + 2 + 1 rows


def test_insert_numbered_rows_applies_conflict_tail(conn):
    template = "({0}, {s1}, {1}, {2}, {s2})"
    tail = " ON CONFLICT (number) DO UPDATE SET name = excluded.name, note = excluded.note"
    insert_numbered_rows(conn, TAGGED, template, ["belt", "first"], [(1, "old", 1.0), (2, "kept", 2.0)], 0)

    insert_numbered_rows(conn, TAGGED, template, ["belt", "second"], [(1, "new", 1.0), (3, "added", 3.0)], 0, tail)

    stored = conn.execute("SELECT number, name, note FROM tagged ORDER BY number").fetchall()
    assert stored == [(1, "new", "second"), (2, "kept", "first"), (3, "added", "second")]


def test_insert_numbered_rows_without_rows_runs_nothing(conn):
    statements = []
    conn.set_trace_callback(statements.append)

    insert_numbered_rows(conn, TAGGED, "({n}, {s1}, {0}, {1}, {s2})", ["x", "y"], [], 1)

    assert statements == []
