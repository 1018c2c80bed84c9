"""Events and their fan-out into deliveries (the outbox).

An event and one delivery per matching enabled endpoint are written in the
caller's transaction, so a crash can never leave an event that no
dispatcher will send, nor a delivery for an event that was rolled back.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from core.ids import new_event_ids
from core.ledger import rows
from core.ledger.batch import insert_numbered_rows, insert_rows
from core.ledger.codec import dump_json, from_epoch, load_json, to_epoch
from core.ledger.db import Database
from core.ledger.errors import DuplicateError, InvalidValueError
from core.ledger.models import Event, NewEvent, Page

# "*", an exact type such as "connection.status_changed", or a family such
# as "record.*". Types use lower-case words joined by dots.
_PATTERN = re.compile(r"^(\*|[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?)$")
_TYPE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")


def validate_patterns(patterns: Sequence[str]) -> list[str]:
    """Return ``patterns`` as a list, or raise InvalidValueError naming the bad one."""
    if isinstance(patterns, str) or not patterns:
        raise InvalidValueError(
            f"event_types must be a non-empty list such as ['*'] or ['record.*'], got {patterns!r}"
        )
    for pattern in patterns:
        if not isinstance(pattern, str) or not _PATTERN.match(pattern):
            raise InvalidValueError(
                f"invalid event type pattern {pattern!r}: use '*', an exact type such as "
                "'sync.completed', or a family such as 'record.*'"
            )
    return list(patterns)


def type_matches(pattern: str, event_type: str) -> bool:
    """Return True if ``event_type`` falls under an endpoint's ``pattern``."""
    if pattern == "*":
        return True
    if pattern.endswith(".*"):
        return event_type.startswith(pattern[:-1])
    return event_type == pattern


class _FanOut:
    """The enabled endpoints of one transaction, with matches cached per event shape."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.endpoints = [
            (row["id"], load_json(row["event_types"]), row["connection_id"])
            for row in conn.execute(
                "SELECT id, event_types, connection_id FROM endpoints WHERE enabled = 1 AND removed_at IS NULL"
            )
        ]
        self._cache: dict[tuple[str, int | None], list[int]] = {}

    def endpoint_ids(self, event_type: str, connection_id: int | None) -> list[int]:
        key = (event_type, connection_id)
        found = self._cache.get(key)
        if found is None:
            found = [
                endpoint_id
                for endpoint_id, patterns, scope in self.endpoints
                if (scope is None or scope == connection_id)
                and any(type_matches(pattern, event_type) for pattern in patterns)
            ]
            self._cache[key] = found
        return found


def _next_seq(conn: sqlite3.Connection) -> int:
    # Explicit seq values let one executemany insert a whole batch and still
    # give each delivery its event's seq. sqlite_sequence stores the highest
    # seq ever used, so numbers are never reused, as AUTOINCREMENT promises.
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()
    return (row[0] if row else 0) + 1


def check_event_type(event_type: str) -> None:
    """Raise InvalidValueError unless ``event_type`` is lower-case words joined by dots."""
    if not isinstance(event_type, str) or not _TYPE.match(event_type):
        raise InvalidValueError(
            f"invalid event type {event_type!r}: use lower-case words joined by dots, such as 'record.updated'"
        )


def _check_given_ids(conn: sqlite3.Connection, new_events: Sequence[NewEvent]) -> None:
    explicit_ids = [event.id for event in new_events if event.id]
    if not explicit_ids:
        return
    repeated = sorted(event_id for event_id, count in Counter(explicit_ids).items() if count > 1)
    marks = ",".join("?" * len(explicit_ids))
    stored = [row[0] for row in conn.execute(f"SELECT id FROM events WHERE id IN ({marks})", explicit_ids)]
    duplicates = repeated + sorted(stored)
    if duplicates:
        raise DuplicateError(
            f"event ids exist already: {', '.join(duplicates[:5])}; leave NewEvent.id empty to get a new id"
        )


def prepare_events(new_events: Sequence[NewEvent], at: datetime) -> list[tuple]:
    """Validate events and encode their ids and data; needs no transaction.

    Returns (id, type, connection_id, data_text, data) tuples for
    insert_prepared. Doing this before taking the write lock keeps the lock
    short while other processes wait for it.
    """
    at_ms = int(to_epoch(at) * 1000)
    # One batch of ids for the whole call: they count up from a random
    # start, which costs about an eighth of drawing and encoding each one
    # (bench/micro.py).
    generated = iter(new_event_ids(sum(1 for new in new_events if not new.id), at_ms))
    valid_types: set[str] = set()
    prepared = []
    for new in new_events:
        if new.type not in valid_types:
            check_event_type(new.type)
            valid_types.add(new.type)
        event_id = new.id or next(generated)
        data_text = new.data_json if new.data_json is not None else dump_json(new.data)
        prepared.append((event_id, new.type, new.connection_id, data_text, new.data))
    return prepared


def insert_events(conn: sqlite3.Connection, new_events: Sequence[NewEvent], at: datetime) -> list[Event]:
    """Insert events and their deliveries inside the caller's write transaction."""
    return insert_prepared(conn, new_events, prepare_events(new_events, at), at)


def insert_prepared(
    conn: sqlite3.Connection, new_events: Sequence[NewEvent], prepared: list[tuple], at: datetime
) -> list[Event]:
    """Insert prepared events and one delivery per matching enabled endpoint."""
    if not prepared:
        return []
    at_epoch = to_epoch(at)
    _check_given_ids(conn, new_events)
    rows = [
        (event_id, event_type, connection_id, data_text)
        for event_id, event_type, connection_id, data_text, _ in prepared
    ]
    first_seq = insert_event_rows(conn, rows, at_epoch)

    created = from_epoch(at_epoch)
    return [
        Event(seq, event_id, event_type, connection_id, created, data)
        for seq, (event_id, event_type, connection_id, _, data) in enumerate(prepared, start=first_seq)
    ]


def insert_event_rows(conn: sqlite3.Connection, rows: Sequence[tuple], at_epoch: float) -> int:
    """Insert (id, type, connection_id, data text) event rows and their deliveries; return the first seq.

    Each event gets one delivery per matching enabled endpoint. The caller
    has checked the types and drawn the ids.
    """
    # NOTE: nothing prunes old events, deliveries or attempts yet, so the
    # file grows with traffic until a retention command exists.
    first_seq = _next_seq(conn)
    fan_out = _FanOut(conn)
    delivery_rows = []
    if fan_out.endpoints:
        for seq, (_, event_type, connection_id, _) in enumerate(rows, start=first_seq):
            for endpoint_id in fan_out.endpoint_ids(event_type, connection_id):
                delivery_rows.append(
                    (seq, event_type, connection_id, endpoint_id, "pending", 0, at_epoch, at_epoch, at_epoch)
                )

    insert_numbered_rows(
        conn, "INSERT INTO events (seq, id, type, connection_id, created_at, data)",
        "({n}, {0}, {1}, {2}, {s1}, {3})", [at_epoch], rows, first_seq,
    )
    insert_rows(
        conn,
        "INSERT INTO deliveries (event_seq, event_type, connection_id, endpoint_id, state, attempts,"
        " created_at, next_attempt_at, updated_at)",
        delivery_rows,
    )
    _add_to_counts(conn, len(rows), Counter(row[2] for row in delivery_rows))
    return first_seq


def _add_to_counts(conn: sqlite3.Connection, events: int, deliveries: Counter[int | None]) -> None:
    # Triggers keep the counts right on updates; inserts are counted here,
    # once per batch, because a trigger per inserted row doubled enqueue time.
    conn.execute("UPDATE counters SET value = value + ? WHERE name = 'events'", (events,))
    conn.executemany(
        "INSERT INTO delivery_counts (connection_id, state, retried, count) VALUES (?, 'pending', 0, ?)"
        " ON CONFLICT DO UPDATE SET count = count + excluded.count",
        [(connection_id or 0, count) for connection_id, count in deliveries.items()],
    )


class EventsMixin:
    """Appending and reading events."""

    _db: Database

    def append_events(self, events: Sequence[NewEvent], at: datetime) -> list[Event]:
        """Store events and one pending delivery per matching enabled endpoint, atomically."""
        prepared = prepare_events(events, at)
        with self._db.write() as conn:
            return insert_prepared(conn, events, prepared, at)

    def get_event(self, event_id: str) -> Event | None:
        with self._db.read() as conn:
            row = conn.execute("SELECT * FROM events WHERE id = ?", (event_id,)).fetchone()
        return rows.event(row) if row else None

    def list_events(
        self,
        connection_id: int | None = None,
        after_seq: int | None = None,
        limit: int = 100,
        types: Sequence[str] | None = None,
    ) -> Page[Event]:
        """Return events after ``after_seq`` in seq order; ``next_key`` is the last seq.

        ``types`` keeps only events of those exact types (the TUI reads a
        connection's ``connection.status_changed`` history this way).
        """
        clauses = ["seq > ?"]
        params: list[object] = [after_seq or 0]
        if connection_id is not None:
            clauses.append("connection_id = ?")
            params.append(connection_id)
        if types:
            clauses.append(f"type IN ({', '.join('?' for _ in types)})")
            params.extend(types)
        sql = f"SELECT * FROM events WHERE {' AND '.join(clauses)} ORDER BY seq LIMIT ?"
        with self._db.read() as conn:
            found = conn.execute(sql, (*params, limit + 1)).fetchall()
        items = [rows.event(row) for row in found[:limit]]
        next_key = items[-1].seq if len(found) > limit else None
        return Page(items, next_key)
