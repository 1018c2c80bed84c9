"""Multi-row INSERT statements for batches of rows.

``executemany`` steps its statement once per row, and Python's sqlite3
module releases and takes back the GIL around every step. One
``INSERT ... VALUES (...), (...)`` per chunk binds the rows in C and steps
once. Committing the record and event rows of 500-record sync pages
took 7.75 µs of CPU per record this way against 9.42 µs with
``executemany`` (``bench/micro.py``, 2-core development machine). A
worker thread that writes them also hands the GIL back to the event loop
once per chunk instead of once per row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain

# Chunks of at most 500 rows keep the statement text short and reuse one
# cached statement for full pages. The connection's own limit on host
# parameters (32,766 by default since SQLite 3.32, lower in some builds)
# caps a chunk further.
MAX_ROWS = 500


def _chunk_rows(conn: sqlite3.Connection, width: int, reserved: int) -> int:
    """Return the number of rows of ``width`` values that fit in one statement beside ``reserved`` others."""
    max_parameters = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return max(1, min(MAX_ROWS, (max_parameters - reserved) // width))


@lru_cache(maxsize=64)
def _statement(head: str, width: int, rows: int, tail: str) -> str:
    row = "(" + ", ".join("?" * width) + ")"
    return f"{head} VALUES {', '.join([row] * rows)}{tail}"


def insert_rows(conn: sqlite3.Connection, head: str, rows: Sequence[tuple], tail: str = "") -> None:
    """Insert ``rows`` with ``head`` (``INSERT INTO t (a, b)``), then ``tail`` (an ON CONFLICT clause).

    Every row must have as many values as ``head`` names columns.
    """
    if not rows:
        return
    width = len(rows[0])
    chunk = _chunk_rows(conn, width, 0)
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        conn.execute(_statement(head, width, len(part), tail), list(chain.from_iterable(part)))


@lru_cache(maxsize=64)
def _numbered_statement(head: str, row_sql: str, width: int, shared: int, rows: int, tail: str) -> str:
    names = {f"s{index + 1}": f"?{index + 1}" for index in range(shared)}
    first_number = f"?{shared + 1}"
    parts = []
    for index in range(rows):
        first = shared + 2 + index * width
        own = [f"?{first + offset}" for offset in range(width)]
        parts.append(row_sql.format(*own, n=f"({first_number} + {index})", **names))
    return f"{head} VALUES {', '.join(parts)}{tail}"


def insert_numbered_rows(
    conn: sqlite3.Connection,
    head: str,
    row_sql: str,
    shared: Sequence,
    rows: Sequence[tuple],
    first_number: int,
    tail: str = "",
) -> None:
    """Insert ``rows`` numbered from ``first_number``, binding the values they share once per chunk.

    ``row_sql`` is one VALUES row. In it, ``{0}``, ``{1}``... are the row's
    own values in order, ``{s1}``, ``{s2}``... the ``shared`` values, and
    ``{n}`` the row's number. A sync page's records share their stream,
    connection, model and time, so each row binds 4 values instead of 10.
    Committing 20,000 records and their events, 500 per transaction, took
    6.3 µs of CPU per record this way against 6.6 µs with ``insert_rows``
    (``bench/micro.py``). The binding runs under the GIL, on the thread
    that shares it with the sync's reads.
    """
    if not rows:
        return
    width = len(rows[0])
    chunk = _chunk_rows(conn, width, len(shared) + 1)  # the shared values and the first number
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        statement = _numbered_statement(head, row_sql, width, len(shared), len(part), tail)
        conn.execute(statement, [*shared, first_number + start, *chain.from_iterable(part)])
