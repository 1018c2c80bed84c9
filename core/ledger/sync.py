"""Sync streams (what to read from Odoo, and how far we got) and sync runs."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Sequence
from datetime import datetime

from core.ledger import rows
from core.ledger.codec import dump_json, to_epoch
from core.ledger.db import Database
from core.ledger.errors import InvalidValueError, LedgerError, NotFoundError
from core.ledger.events import insert_events
from core.ledger.models import (
    NewEvent,
    Page,
    Stream,
    StreamResult,
    StreamSpec,
    SyncRun,
    SyncStatus,
    SyncTrigger,
)


def require_run(conn: sqlite3.Connection, run_id: int) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM sync_runs WHERE id = ?", (run_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"sync run {run_id} not found")
    return row


def require_stream(conn: sqlite3.Connection, stream_id: int) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM streams WHERE id = ?", (stream_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"stream {stream_id} not found; upsert_streams creates streams")
    return row


def _upsert_stream(conn: sqlite3.Connection, connection_id: int, spec: StreamSpec) -> None:
    domain, fields = dump_json(spec.domain), dump_json(spec.fields)
    existing = conn.execute(
        "SELECT id, model, domain, fields FROM streams WHERE connection_id = ? AND name = ?",
        (connection_id, spec.name),
    ).fetchone()
    if existing is None:
        conn.execute(
            "INSERT INTO streams (connection_id, name, model, domain, fields, enabled) VALUES (?, ?, ?, ?, ?, ?)",
            (connection_id, spec.name, spec.model, domain, fields, int(spec.enabled)),
        )
        return
    # A new model, domain or field list makes the old cursor meaningless:
    # records inside the new selection may be older than it.
    changed = (existing["model"], existing["domain"], existing["fields"]) != (spec.model, domain, fields)
    conn.execute(
        "UPDATE streams SET model = ?, domain = ?, fields = ?, enabled = ?,"
        " cursor_write_date = CASE WHEN ? THEN NULL ELSE cursor_write_date END,"
        " cursor_id = CASE WHEN ? THEN NULL ELSE cursor_id END WHERE id = ?",
        (spec.model, domain, fields, int(spec.enabled), changed, changed, existing["id"]),
    )


def _run_event(run: SyncRun) -> NewEvent:
    kind = "sync.failed" if run.status == SyncStatus.FAILED else "sync.completed"
    data = {
        "run_id": run.id,
        "status": str(run.status),
        "trigger": str(run.trigger),
        "streams": run.streams,
        "created": run.created,
        "updated": run.updated,
        "deleted": run.deleted,
        "unchanged": run.unchanged,
        "pages": run.pages,
        "error_class": run.error_class,
        "error_message": run.error_message,
    }
    return NewEvent(kind, run.connection_id, data)


class StreamsMixin:
    """Per-connection streams and their cursors."""

    _db: Database

    def upsert_streams(self, connection_id: int, specs: Sequence[StreamSpec]) -> list[Stream]:
        """Create or update streams by name; return all of the connection's streams.

        A stream whose model, domain or fields changed loses its cursor, so
        the next sync reads it in full.
        """
        with self._db.write() as conn:
            if conn.execute("SELECT 1 FROM connections WHERE id = ?", (connection_id,)).fetchone() is None:
                raise NotFoundError(f"connection {connection_id} not found")
            for spec in specs:
                _upsert_stream(conn, connection_id, spec)
            return self.list_streams(connection_id)

    def list_streams(self, connection_id: int) -> list[Stream]:
        with self._db.read() as conn:
            found = conn.execute(
                "SELECT * FROM streams WHERE connection_id = ? ORDER BY id", (connection_id,)
            ).fetchall()
        return [rows.stream(row) for row in found]

    def get_stream(self, stream_id: int) -> Stream | None:
        with self._db.read() as conn:
            row = conn.execute("SELECT * FROM streams WHERE id = ?", (stream_id,)).fetchone()
        return rows.stream(row) if row else None

    def set_stream_availability(self, stream_id: int, available: bool, reason: str | None) -> None:
        with self._db.write() as conn:
            require_stream(conn, stream_id)
            conn.execute(
                "UPDATE streams SET available = ?, unavailable_reason = ? WHERE id = ?",
                (int(available), None if available else reason, stream_id),
            )

    def reset_cursors(self, connection_id: int) -> None:
        """Forget every stream cursor of a connection so the next sync reads all records."""
        with self._db.write() as conn:
            conn.execute(
                "UPDATE streams SET cursor_write_date = NULL, cursor_id = NULL WHERE connection_id = ?",
                (connection_id,),
            )

    def mark_stream_synced(self, stream_id: int, at: datetime, reconciled: bool = False) -> Stream:
        """Record a finished stream sync; ``reconciled`` means deletions were checked in full."""
        with self._db.write() as conn:
            require_stream(conn, stream_id)
            if reconciled:
                conn.execute(
                    "UPDATE streams SET last_synced_at = ?, last_reconciled_at = ?, runs_since_reconcile = 0"
                    " WHERE id = ?",
                    (to_epoch(at), to_epoch(at), stream_id),
                )
            else:
                conn.execute(
                    "UPDATE streams SET last_synced_at = ?, runs_since_reconcile = runs_since_reconcile + 1"
                    " WHERE id = ?",
                    (to_epoch(at), stream_id),
                )
            return rows.stream(require_stream(conn, stream_id))


class RunsMixin:
    """Sync runs: one row per sync of a connection, with counts and the outcome."""

    _db: Database

    def start_run(
        self, connection_id: int, trigger: SyncTrigger, stream_names: Sequence[str], at: datetime
    ) -> SyncRun:
        with self._db.write() as conn:
            cursor = conn.execute(
                "INSERT INTO sync_runs (connection_id, trigger, streams, started_at, status) VALUES (?, ?, ?, ?, ?)",
                (connection_id, str(SyncTrigger(trigger)), dump_json(list(stream_names)), to_epoch(at),
                 str(SyncStatus.RUNNING)),
            )
            return rows.sync_run(require_run(conn, cursor.lastrowid))

    def finish_run(
        self,
        run_id: int,
        status: SyncStatus,
        stream_results: Sequence[StreamResult],
        error_class: str | None,
        error_message: str | None,
        at: datetime,
    ) -> SyncRun:
        """Close a run and append ``sync.completed`` or ``sync.failed`` in one transaction.

        The run's counts are the ones commit_page accumulated, so they match
        what was stored even if the caller's tally differs. The connection's
        ``last_sync_at`` (and ``last_success_at`` unless the run failed) move to ``at``.
        """
        status = SyncStatus(status)
        if status == SyncStatus.RUNNING:
            raise InvalidValueError("finish_run needs a final status: succeeded, partial or failed")
        with self._db.write() as conn:
            if require_run(conn, run_id)["status"] != SyncStatus.RUNNING:
                raise LedgerError(f"sync run {run_id} is already finished")
            conn.execute(
                "UPDATE sync_runs SET status = ?, stream_results = ?, error_class = ?, error_message = ?,"
                " finished_at = ? WHERE id = ?",
                (str(status), dump_json([dataclasses.asdict(r) for r in stream_results]), error_class,
                 error_message, to_epoch(at), run_id),
            )
            run = rows.sync_run(require_run(conn, run_id))
            success = None if status == SyncStatus.FAILED else to_epoch(at)
            conn.execute(
                "UPDATE connections SET last_sync_at = ?, last_success_at = coalesce(?, last_success_at)"
                " WHERE id = ?",
                (to_epoch(at), success, run.connection_id),
            )
            insert_events(conn, [_run_event(run)], at)
        return run

    def get_run(self, run_id: int) -> SyncRun | None:
        with self._db.read() as conn:
            row = conn.execute("SELECT * FROM sync_runs WHERE id = ?", (run_id,)).fetchone()
        return rows.sync_run(row) if row else None

    def list_runs(
        self, connection_id: int | None = None, before: int | None = None, limit: int = 50
    ) -> Page[SyncRun]:
        """Return runs newest first; pass ``next_key`` as ``before`` for the next page."""
        clauses, params = ["id < ?"], [before if before is not None else 2**63 - 1]
        if connection_id is not None:
            clauses.append("connection_id = ?")
            params.append(connection_id)
        sql = f"SELECT * FROM sync_runs WHERE {' AND '.join(clauses)} ORDER BY id DESC LIMIT ?"
        with self._db.read() as conn:
            found = conn.execute(sql, (*params, limit + 1)).fetchall()
        items = [rows.sync_run(row) for row in found[:limit]]
        return Page(items, items[-1].id if len(found) > limit else None)
