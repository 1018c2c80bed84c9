"""Odoo connections, their status transitions, and their API tokens.

Credentials are stored in clear in the ledger, which is why the file is
owner-only. They come out wrapped in Secret, so no repr or log shows them.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from urllib.parse import urlsplit

from core.ledger import rows
from core.ledger.codec import to_epoch
from core.ledger.db import Database
from core.ledger.errors import DuplicateError, InvalidValueError, NotFoundError
from core.ledger.events import insert_events
from core.ledger.models import (
    ApiToken,
    Connection,
    ConnectionStatus,
    CredentialKind,
    NewConnection,
    NewEvent,
    Protocol,
    StatusChange,
)
from core.secrets import Secret


def _validate_new(new: NewConnection) -> None:
    if not isinstance(new.name, str) or not new.name.strip():
        raise InvalidValueError(f"connection name must be a non-empty string, got {new.name!r}")
    parts = urlsplit(new.url) if isinstance(new.url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidValueError(f"invalid Odoo URL {new.url!r}: use an absolute http:// or https:// URL")
    if not new.database or not new.login:
        raise InvalidValueError("database and login must not be empty")
    if not isinstance(new.credential, Secret):
        raise InvalidValueError("the credential must be wrapped in core.secrets.Secret")
    _validate_interval(new.interval_seconds)


def _validate_interval(seconds: int) -> None:
    if not isinstance(seconds, int) or seconds < 1:
        raise InvalidValueError(f"sync interval must be a whole number of seconds >= 1, got {seconds!r}")


def _require_connection(conn: sqlite3.Connection, connection_id: int) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM connections WHERE id = ?", (connection_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"connection {connection_id} not found; list connections to see the valid ids")
    return row


def _update(conn: sqlite3.Connection, connection_id: int, values: dict[str, object], at: datetime) -> None:
    _require_connection(conn, connection_id)
    values = {**values, "updated_at": to_epoch(at)}
    assignments = ", ".join(f"{column} = ?" for column in values)
    conn.execute(f"UPDATE connections SET {assignments} WHERE id = ?", (*values.values(), connection_id))


def _now() -> datetime:
    return datetime.now(UTC)


class ConnectionsMixin:
    """Connections: onboarding, probes, status, schedule."""

    _db: Database

    def add_connection(self, new: NewConnection, at: datetime | None = None) -> Connection:
        """Store a new connection in status ``pending``; raise DuplicateError on a taken name."""
        _validate_new(new)
        at_epoch = to_epoch(at or _now())
        with self._db.write() as conn:
            try:
                cursor = conn.execute(
                    "INSERT INTO connections (name, url, database, login, credential, credential_kind,"
                    " protocol, status, interval_seconds, backoff_attempt, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
                    (
                        new.name.strip(), new.url, new.database, new.login, new.credential.reveal(),
                        str(CredentialKind(new.credential_kind)), str(Protocol(new.protocol)),
                        str(ConnectionStatus.PENDING), new.interval_seconds, at_epoch, at_epoch,
                    ),
                )
            except sqlite3.IntegrityError:
                raise DuplicateError(
                    f"a connection named {new.name.strip()!r} exists already; choose another name"
                ) from None
            return rows.connection(_require_connection(conn, cursor.lastrowid))

    def get_connection(self, connection_id: int) -> Connection | None:
        with self._db.read() as conn:
            row = conn.execute("SELECT * FROM connections WHERE id = ?", (connection_id,)).fetchone()
        return rows.connection(row) if row else None

    def get_connection_by_name(self, name: str) -> Connection | None:
        with self._db.read() as conn:
            row = conn.execute("SELECT * FROM connections WHERE name = ?", (name,)).fetchone()
        return rows.connection(row) if row else None

    def list_connections(self) -> list[Connection]:
        with self._db.read() as conn:
            found = conn.execute("SELECT * FROM connections ORDER BY name").fetchall()
        return [rows.connection(row) for row in found]

    def update_credentials(
        self,
        connection_id: int,
        login: str,
        credential: Secret,
        credential_kind: CredentialKind,
        at: datetime | None = None,
    ) -> Connection:
        if not isinstance(credential, Secret):
            raise InvalidValueError("the credential must be wrapped in core.secrets.Secret")
        values = {"login": login, "credential": credential.reveal(), "credential_kind": str(CredentialKind(credential_kind))}
        with self._db.write() as conn:
            _update(conn, connection_id, values, at or _now())
            return rows.connection(_require_connection(conn, connection_id))

    def record_probe(
        self, connection_id: int, server_version: str | None, protocol: Protocol | None, uid: int | None,
        at: datetime | None = None,
    ) -> Connection:
        """Store what the last successful login found: server version, protocol used, user id."""
        values = {
            "server_version": server_version,
            "detected_protocol": str(Protocol(protocol)) if protocol else None,
            "uid": uid,
        }
        with self._db.write() as conn:
            _update(conn, connection_id, values, at or _now())
            return rows.connection(_require_connection(conn, connection_id))

    def set_status(
        self, connection_id: int, status: ConnectionStatus, reason: str | None, at: datetime
    ) -> StatusChange | None:
        """Move a connection to ``status`` and append ``connection.status_changed``.

        Returns None and writes nothing when the status is already ``status``
        (a new reason alone is not a transition).
        """
        new = ConnectionStatus(status)
        with self._db.write() as conn:
            old = ConnectionStatus(_require_connection(conn, connection_id)["status"])
            if old == new:
                return None
            values = {"status": str(new), "status_reason": reason, "status_changed_at": to_epoch(at)}
            _update(conn, connection_id, values, at)
            data = {"old": str(old), "new": str(new), "reason": reason}
            insert_events(conn, [NewEvent("connection.status_changed", connection_id, data)], at)
        return StatusChange(connection_id, old, new, reason, at)

    def schedule(
        self, connection_id: int, next_sync_at: datetime | None, backoff_attempt: int = 0
    ) -> None:
        """Set when the scheduler syncs next, and the current back-off step."""
        values = {"next_sync_at": to_epoch(next_sync_at), "backoff_attempt": backoff_attempt}
        with self._db.write() as conn:
            _update(conn, connection_id, values, _now())

    def set_interval(self, connection_id: int, seconds: int) -> None:
        _validate_interval(seconds)
        with self._db.write() as conn:
            _update(conn, connection_id, {"interval_seconds": seconds}, _now())

    def remove_connection(self, connection_id: int) -> None:
        """Delete a connection with its tokens, streams, records and runs.

        Events and deliveries stay, keeping the connection id as a plain
        value. Endpoints scoped to this connection are disabled.
        """
        with self._db.write() as conn:
            _require_connection(conn, connection_id)
            conn.execute(
                "UPDATE endpoints SET enabled = 0, disabled_reason = 'connection removed'"
                " WHERE connection_id = ? AND enabled = 1",
                (connection_id,),
            )
            conn.execute("DELETE FROM connections WHERE id = ?", (connection_id,))


class TokensMixin:
    """Per-connection API tokens, stored as hashes only."""

    _db: Database

    def issue_token(self, connection_id: int, token_hash: str, prefix: str, at: datetime) -> ApiToken:
        """Store a new token hash and revoke the connection's earlier tokens."""
        at_epoch = to_epoch(at)
        with self._db.write() as conn:
            _require_connection(conn, connection_id)
            conn.execute(
                "UPDATE api_tokens SET revoked_at = ? WHERE connection_id = ? AND revoked_at IS NULL",
                (at_epoch, connection_id),
            )
            cursor = conn.execute(
                "INSERT INTO api_tokens (connection_id, token_hash, prefix, created_at) VALUES (?, ?, ?, ?)",
                (connection_id, token_hash, prefix, at_epoch),
            )
            row = conn.execute("SELECT * FROM api_tokens WHERE id = ?", (cursor.lastrowid,)).fetchone()
        return rows.api_token(row)

    def find_token(self, token_hash: str) -> tuple[ApiToken, Connection] | None:
        """Return the unrevoked token with this hash and its connection, or None."""
        with self._db.read() as conn:
            token = conn.execute(
                "SELECT * FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL", (token_hash,)
            ).fetchone()
            if token is None:
                return None
            connection = _require_connection(conn, token["connection_id"])
        return rows.api_token(token), rows.connection(connection)

    def list_tokens(self, connection_id: int) -> list[ApiToken]:
        with self._db.read() as conn:
            found = conn.execute(
                "SELECT * FROM api_tokens WHERE connection_id = ? ORDER BY id", (connection_id,)
            ).fetchall()
        return [rows.api_token(row) for row in found]
