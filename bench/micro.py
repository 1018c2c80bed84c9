"""Microbenchmarks behind single steps of the sync and the dispatcher.

    .venv/bin/python bench/micro.py [--records 20000]

Each figure compares two ways of doing one step in the same run, on the
same data, and prints microseconds (or milliseconds) per item:

- attempt deadlines: ``asyncio.timeout`` against ``SharedDeadlines`` and
  against no deadline, per ``async with`` block;
- event ids: ``new_event_id`` per id against ``new_event_ids`` per batch of 500;
- reply parsing: the json module against orjson (``load_json``) on one
  JSON-RPC page of 500 maintenance requests from a sandbox;
- record encoding: ``hashed_json`` (the bytes the hash covers) against
  ``encode_record`` (those bytes and the stored JSON), per record of those pages;
- page commits: rows inserted with ``executemany``, with ``insert_rows``
  (one multi-row INSERT per chunk) and with ``insert_numbered_rows``
  (shared values bound once), into fresh ledgers, per record.

The sandbox runs on a background thread of this process only while the
pages are read, and it stops before the page figures are timed. Prints
one line per figure and a final JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
import tempfile
import time
import timeit
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from core.ids import new_event_id, new_event_ids  # noqa: E402
from core.ledger import CredentialKind, Ledger, NewConnection, SyncTrigger  # noqa: E402
from core.ledger.batch import insert_numbered_rows, insert_rows  # noqa: E402
from core.odoo import OdooClient  # noqa: E402
from core.odoo.transport import load_json  # noqa: E402
from core.sandbox import SandboxServer  # noqa: E402
from core.secrets import Secret  # noqa: E402
from core.sync.diff import StreamRef, diff_page  # noqa: E402
from core.sync.hashing import encode_record, hashed_json  # noqa: E402
from core.sync.streams import default_stream  # noqa: E402
from core.webhooks.deadlines import SharedDeadlines  # noqa: E402

MODEL = "maintenance.request"
PAGE_SIZE = 500


def per_item(function, items: int, repeat: int = 5) -> float:
    """Return the best of ``repeat`` runs of ``function``, in microseconds per item."""
    return min(timeit.repeat(function, number=1, repeat=repeat)) / items * 1e6


# --- attempt deadlines --------------------------------------------------------


class _NoDeadline:
    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc_info):
        return None


async def _blocks(make, count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        async with make():
            await asyncio.sleep(0)
    return (time.perf_counter() - started) / count * 1e6


def bench_deadlines(count: int = 100_000) -> dict[str, float]:
    shared = SharedDeadlines(15.0)
    return {
        "deadline_asyncio_timeout_us": asyncio.run(_blocks(lambda: asyncio.timeout(15.0), count)),
        "deadline_shared_us": asyncio.run(_blocks(shared, count)),
        "deadline_none_us": asyncio.run(_blocks(_NoDeadline, count)),
    }


# --- event ids ----------------------------------------------------------------


def bench_ids(count: int = PAGE_SIZE) -> dict[str, float]:
    return {
        "event_id_each_us": per_item(lambda: [new_event_id(1) for _ in range(count)], count, repeat=200),
        "event_ids_batch_us": per_item(lambda: new_event_ids(count, 1), count, repeat=200),
    }


# --- pages from a sandbox -----------------------------------------------------


def read_page_body(url: str) -> bytes:
    fields = default_stream("work_orders").fields
    args = ["sandbox", 2, "admin", MODEL, "search_read", [[]], {"fields": fields, "limit": PAGE_SIZE}]
    payload = {"jsonrpc": "2.0", "method": "call", "params": {"service": "object", "method": "execute_kw", "args": args}, "id": 1}
    return httpx.post(url + "/jsonrpc", json=payload, timeout=60).content


async def read_pages(url: str) -> list[list[dict]]:
    pages = []
    async with await OdooClient.connect(url, "sandbox", "admin", Secret("admin"), CredentialKind.PASSWORD) as client:
        fields = default_stream("work_orders").fields
        async for page in client.iter_pages(MODEL, [], fields, page_size=PAGE_SIZE, context={"active_test": False}):
            pages.append(page)
    return pages


def bench_parsing(body: bytes) -> dict[str, float]:
    return {
        "page_bytes": len(body),
        "parse_json_module_ms": per_item(lambda: json.loads(body), 1, repeat=50) / 1000,
        "parse_load_json_ms": per_item(lambda: load_json(body), 1, repeat=50) / 1000,
    }


def bench_hashing(pages: list[list[dict]]) -> dict[str, float]:
    records = [record for page in pages for record in page]

    def hash_input_only() -> None:
        for record in records:
            hashed_json(record)

    def both_forms() -> None:
        for record in records:
            encode_record(record)

    return {
        "hashed_json_us": per_item(hash_input_only, len(records)),
        "encode_record_us": per_item(both_forms, len(records)),
    }


# --- page commits -------------------------------------------------------------

_RECORD_COLUMNS = (
    "INSERT INTO records (stream_id, odoo_id, connection_id, model, content_hash, write_date, data,"
    " deleted_at, updated_at, change_seq)"
)


def _fresh_stream(directory: str) -> tuple[Ledger, int, int]:
    ledger = Ledger.open(Path(directory) / "bench.sqlite3")
    connection = ledger.add_connection(
        NewConnection("bench", "http://127.0.0.1:1", "sandbox", "admin", Secret("admin"), CredentialKind.PASSWORD)
    )
    stream = ledger.upsert_streams(connection.id, [default_stream("work_orders")])[0]
    ledger.start_run(connection.id, SyncTrigger.MANUAL, ["work_orders"], datetime.now(UTC))
    return ledger, connection.id, stream.id


_EVENT_COLUMNS = "INSERT INTO events (seq, id, type, connection_id, created_at, data)"


def _commit_rows(pages_of_rows: list[list[tuple]], method: str) -> float:
    """Insert each page's record and event rows in one transaction; return µs per record.

    ``method`` is "executemany", "insert_rows" (multi-row INSERTs binding
    every value) or "numbered" (``insert_numbered_rows``, binding the
    values a page's rows share once).
    """
    with tempfile.TemporaryDirectory() as directory:
        ledger, connection_id, stream_id = _fresh_stream(directory)
        seq = 0
        started = time.process_time()
        for rows in pages_of_rows:
            first = seq + 1
            if method == "numbered":
                event_rows = [(f"evt_{first + index:026d}", "record.created", connection_id, data)
                              for index, (_, _, _, data) in enumerate(rows)]
            else:
                record_rows = [(stream_id, odoo_id, connection_id, MODEL, digest, write_date, data, None, 0.0, first + index)
                               for index, (odoo_id, digest, write_date, data) in enumerate(rows)]
                event_rows = [(first + index, f"evt_{first + index:026d}", "record.created", connection_id, 0.0, data)
                              for index, (_, _, _, data) in enumerate(rows)]
            seq += len(rows)
            with ledger._db.write() as conn:
                if method == "numbered":
                    insert_numbered_rows(conn, _RECORD_COLUMNS, "({s1}, {0}, {s2}, {s3}, {1}, {2}, {3}, NULL, {s4}, {n})",
                                         [stream_id, connection_id, MODEL, 0.0], rows, first)
                    insert_numbered_rows(conn, _EVENT_COLUMNS, "({n}, {0}, {1}, {2}, {s1}, {3})",
                                         [0.0], event_rows, first)
                elif method == "insert_rows":
                    insert_rows(conn, _RECORD_COLUMNS, record_rows)
                    insert_rows(conn, _EVENT_COLUMNS, event_rows)
                else:
                    conn.executemany(_RECORD_COLUMNS + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", record_rows)
                    conn.executemany(_EVENT_COLUMNS + " VALUES (?, ?, ?, ?, ?, ?)", event_rows)
        elapsed = time.process_time() - started
        ledger.close()
    return elapsed / sum(len(rows) for rows in pages_of_rows) * 1e6


def bench_commits(pages: list[list[dict]], rounds: int = 5) -> dict[str, float]:
    ref = StreamRef(1, 1, "work_orders", MODEL)
    pages_of_rows = [diff_page(ref, page, {}).records for page in pages]
    timings: dict[str, list[float]] = {"executemany": [], "insert_rows": [], "numbered": []}
    for _ in range(rounds):
        for method, found in timings.items():
            found.append(_commit_rows(pages_of_rows, method))
    return {f"commit_{method}_us": min(found) for method, found in timings.items()}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000, help="maintenance requests in the sandbox (default 20,000)")
    args = parser.parse_args(argv)

    results: dict[str, float] = {}
    results.update(bench_deadlines())
    results.update(bench_ids())
    server = SandboxServer(version="18.0", scale={MODEL: args.records}).start()
    try:
        body = read_page_body(server.url)
        pages = asyncio.run(read_pages(server.url))
    finally:
        server.stop()
    results.update(bench_parsing(body))
    results.update(bench_hashing(pages))
    results.update(bench_commits(pages))

    for name, value in results.items():
        print(f"{name:28} {value:10.2f}")
    print(json.dumps({"records": args.records, "python": platform.python_version(), **results}))
    return results


if __name__ == "__main__":
    main()
