"""Synced records and the page commit that ties a sync page together.

``commit_page`` is the sync engine's unit of durability: record hashes,
deletions, the events they cause (with deliveries), the stream cursor and
the run counts land in one transaction. A sync killed between pages resumes
from the last committed cursor and cannot emit an event twice.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from core.ids import new_event_ids
from core.ledger import rows
from core.ledger.batch import insert_numbered_rows
from core.ledger.codec import dump_json, to_epoch
from core.ledger.db import Database
from core.ledger.events import check_event_type, insert_event_rows, insert_prepared, prepare_events
from core.ledger.models import NewEvent, Page, RecordUpsert, StreamResult, SyncedRecord
from core.ledger.sync import require_run, require_stream

_COUNT_NAMES = ("created", "updated", "deleted", "unchanged", "pages")
_IN_CLAUSE_CHUNK = 500


def _take_change_seqs(conn: sqlite3.Connection, count: int) -> int:
    """Reserve ``count`` change numbers; return the first."""
    row = conn.execute(
        "UPDATE counters SET value = value + ? WHERE name = 'change_seq' RETURNING value", (count,)
    ).fetchone()
    return row[0] - count + 1


def _counts(counts: StreamResult | Mapping[str, int] | None) -> list[int]:
    if counts is None:
        return [0] * len(_COUNT_NAMES)
    if isinstance(counts, StreamResult):
        return [getattr(counts, name) for name in _COUNT_NAMES]
    return [int(counts.get(name, 0)) for name in _COUNT_NAMES]


def _upsert_values(upserts: Sequence[RecordUpsert]) -> list[tuple]:
    """Return (odoo_id, content_hash, write_date epoch, data text) per upsert; needs no transaction."""
    return [
        (
            upsert.odoo_id,
            upsert.content_hash,
            to_epoch(upsert.write_date),
            upsert.data_json if upsert.data_json is not None else dump_json(upsert.data),
        )
        for upsert in upserts
    ]


def _store_upserts(conn, stream: sqlite3.Row, values: list[tuple], at: float) -> None:
    first = _take_change_seqs(conn, len(values))
    insert_numbered_rows(
        conn,
        "INSERT INTO records (stream_id, odoo_id, connection_id, model, content_hash, write_date, data,"
        " deleted_at, updated_at, change_seq)",
        "({s1}, {0}, {s2}, {s3}, {1}, {2}, {3}, NULL, {s4}, {n})",
        [stream["id"], stream["connection_id"], stream["model"], at],
        values,
        first,
        " ON CONFLICT (stream_id, odoo_id) DO UPDATE SET content_hash = excluded.content_hash,"
        " write_date = excluded.write_date, data = excluded.data, deleted_at = NULL,"
        " updated_at = excluded.updated_at, change_seq = excluded.change_seq, model = excluded.model",
    )


def _store_deletions(conn, stream_id: int, odoo_ids: Sequence[int], at: float) -> None:
    first = _take_change_seqs(conn, len(odoo_ids))
    conn.executemany(
        "UPDATE records SET deleted_at = ?, updated_at = ?, change_seq = ?"
        " WHERE stream_id = ? AND odoo_id = ? AND deleted_at IS NULL",
        [(at, at, first + index, stream_id, odoo_id) for index, odoo_id in enumerate(odoo_ids)],
    )


def _finish_page(
    conn: sqlite3.Connection,
    run_id: int,
    stream_id: int,
    cursor: tuple[datetime | None, int | None] | None,
    counts: StreamResult | Mapping[str, int] | None,
) -> None:
    """Move the stream's cursor (unless None) and add ``counts`` to the run."""
    if cursor is not None:
        conn.execute(
            "UPDATE streams SET cursor_write_date = ?, cursor_id = ? WHERE id = ?",
            (to_epoch(cursor[0]), cursor[1], stream_id),
        )
    assignments = ", ".join(f"{name} = {name} + ?" for name in _COUNT_NAMES)
    conn.execute(f"UPDATE sync_runs SET {assignments} WHERE id = ?", (*_counts(counts), run_id))


class RecordsMixin:
    """Record hashes per stream, and the atomic page commit."""

    _db: Database

    def commit_page(
        self,
        run_id: int,
        stream_id: int,
        upserts: Sequence[RecordUpsert],
        deletions: Sequence[int],
        events: Sequence[NewEvent],
        cursor: tuple[datetime | None, int | None] | None,
        counts: StreamResult | Mapping[str, int] | None,
        at: datetime | None = None,
    ) -> None:
        """Store one sync page atomically.

        ``cursor`` is the (write_date, id) of the page's last record, or None
        to keep the stream's cursor. ``counts`` (a StreamResult or a dict with
        created/updated/deleted/unchanged/pages) are added to the run.
        """
        at_epoch = to_epoch(at or datetime.now(UTC))
        events_at = at or datetime.fromtimestamp(at_epoch, UTC)
        # Encoding before taking the write lock keeps the lock short for
        # other processes waiting on the ledger.
        upsert_values = _upsert_values(upserts)
        prepared_events = prepare_events(events, events_at)
        with self._db.write() as conn:
            require_run(conn, run_id)
            stream = require_stream(conn, stream_id)
            if upsert_values:
                _store_upserts(conn, stream, upsert_values, at_epoch)
            if deletions:
                _store_deletions(conn, stream_id, deletions, at_epoch)
            insert_prepared(conn, events, prepared_events, events_at)
            _finish_page(conn, run_id, stream_id, cursor, counts)

    def commit_encoded_page(
        self,
        run_id: int,
        stream_id: int,
        records: Sequence[tuple[int, str, float | None, str]],
        events: Sequence[tuple[str, str]],
        cursor: tuple[datetime | None, int | None] | None,
        counts: StreamResult | Mapping[str, int] | None,
        at: datetime | None = None,
    ) -> None:
        """Store one sync page that the caller has encoded already, atomically.

        The sync's path for ``commit_page``. ``records`` are (odoo_id,
        content_hash, write_date in epoch seconds, record JSON text) and
        ``events`` are (type, data JSON text) of the stream's connection, in
        the order they happened. ``cursor`` and ``counts`` are as for
        ``commit_page``.
        """
        at_epoch = to_epoch(at or datetime.now(UTC))
        for event_type in {event_type for event_type, _ in events}:
            check_event_type(event_type)
        event_ids = new_event_ids(len(events), int(at_epoch * 1000))
        with self._db.write() as conn:
            require_run(conn, run_id)
            stream = require_stream(conn, stream_id)
            if records:
                _store_upserts(conn, stream, records, at_epoch)
            if events:
                connection_id = stream["connection_id"]
                rows = [
                    (event_id, event_type, connection_id, data_json)
                    for event_id, (event_type, data_json) in zip(event_ids, events)
                ]
                insert_event_rows(conn, rows, at_epoch)
            _finish_page(conn, run_id, stream_id, cursor, counts)

    def get_records(self, stream_id: int, odoo_ids: Sequence[int]) -> dict[int, SyncedRecord]:
        """Return the stored records (deleted ones included) for these Odoo ids."""
        found: dict[int, SyncedRecord] = {}
        ids = list(odoo_ids)
        with self._db.read() as conn:
            for start in range(0, len(ids), _IN_CLAUSE_CHUNK):
                chunk = ids[start : start + _IN_CLAUSE_CHUNK]
                marks = ",".join("?" * len(chunk))
                for row in conn.execute(
                    f"SELECT * FROM records WHERE stream_id = ? AND odoo_id IN ({marks})", (stream_id, *chunk)
                ):
                    found[row["odoo_id"]] = rows.synced_record(row)
        return found

    def list_live_ids(self, stream_id: int) -> list[int]:
        """Return the Odoo ids of the stream's records not marked deleted, ascending."""
        with self._db.read() as conn:
            found = conn.execute(
                "SELECT odoo_id FROM records WHERE stream_id = ? AND deleted_at IS NULL ORDER BY odoo_id",
                (stream_id,),
            ).fetchall()
        return [row[0] for row in found]

    def list_records(
        self,
        connection_id: int,
        stream_name: str,
        updated_after: datetime | None = None,
        after_key: int | None = None,
        limit: int = 100,
    ) -> Page[SyncedRecord]:
        """Return a stream's records in change order, deleted ones included (``deleted_at`` set).

        ``after_key`` is the ``change_seq`` of the last record seen; pass the
        page's ``next_key`` back for the next page.
        """
        sql = (
            "SELECT r.* FROM records r JOIN streams s ON s.id = r.stream_id"
            " WHERE s.connection_id = ? AND s.name = ? AND r.change_seq > ? AND r.updated_at > ?"
            " ORDER BY r.change_seq LIMIT ?"
        )
        params = (connection_id, stream_name, after_key or 0, to_epoch(updated_after) or float("-inf"), limit + 1)
        with self._db.read() as conn:
            found = conn.execute(sql, params).fetchall()
        items = [rows.synced_record(row) for row in found[:limit]]
        return Page(items, items[-1].change_seq if len(found) > limit else None)

    def get_record(self, connection_id: int, stream_name: str, odoo_id: int) -> SyncedRecord | None:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT r.* FROM records r JOIN streams s ON s.id = r.stream_id"
                " WHERE s.connection_id = ? AND s.name = ? AND r.odoo_id = ?",
                (connection_id, stream_name, odoo_id),
            ).fetchone()
        return rows.synced_record(row) if row else None
