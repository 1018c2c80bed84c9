"""Webhook endpoints: where deliveries go, and with which secret."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from urllib.parse import urlsplit

from core.ledger import rows
from core.ledger.codec import dump_json, to_epoch
from core.ledger.db import Database
from core.ledger.errors import InvalidValueError, NotFoundError
from core.ledger.events import insert_events, validate_patterns
from core.ledger.models import Endpoint, NewEndpoint, NewEvent
from core.secrets import Secret


def validate_url(url: str) -> str:
    """Return ``url`` if it is an absolute http(s) URL, else raise InvalidValueError."""
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidValueError(f"invalid endpoint URL {url!r}: use an absolute http:// or https:// URL")
    return url


def _require_endpoint(conn: sqlite3.Connection, endpoint_id: int) -> sqlite3.Row:
    row = conn.execute(
        "SELECT * FROM endpoints WHERE id = ? AND removed_at IS NULL", (endpoint_id,)
    ).fetchone()
    if row is None:
        raise NotFoundError(f"endpoint {endpoint_id} not found; list endpoints to see the valid ids")
    return row


def disable_endpoint(conn: sqlite3.Connection, endpoint_id: int, reason: str | None, at: datetime) -> bool:
    """Disable an enabled endpoint and append ``endpoint.disabled``; False if already disabled."""
    row = _require_endpoint(conn, endpoint_id)
    if not row["enabled"]:
        return False
    conn.execute(
        "UPDATE endpoints SET enabled = 0, disabled_reason = ? WHERE id = ?", (reason, endpoint_id)
    )
    data = {"endpoint_id": endpoint_id, "url": row["url"], "reason": reason}
    insert_events(conn, [NewEvent("endpoint.disabled", row["connection_id"], data)], at)
    return True


class EndpointsMixin:
    """Adding, changing and removing webhook endpoints."""

    _db: Database

    def add_endpoint(self, endpoint: NewEndpoint, at: datetime) -> Endpoint:
        """Store a new enabled endpoint; events appended from now on fan out to it."""
        validate_url(endpoint.url)
        patterns = validate_patterns(endpoint.event_types)
        if not isinstance(endpoint.secret, Secret) or not endpoint.secret:
            raise InvalidValueError("endpoint secret must be a non-empty Secret")
        if not isinstance(endpoint.max_in_flight, int) or endpoint.max_in_flight < 1:
            raise InvalidValueError(
                f"max_in_flight must be a whole number of at least 1, got {endpoint.max_in_flight!r}"
            )
        with self._db.write() as conn:
            cursor = conn.execute(
                "INSERT INTO endpoints (url, secret, event_types, connection_id, description,"
                " enabled, max_in_flight, created_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
                (
                    endpoint.url,
                    endpoint.secret.reveal(),
                    dump_json(patterns),
                    endpoint.connection_id,
                    endpoint.description,
                    endpoint.max_in_flight,
                    to_epoch(at),
                ),
            )
            return rows.endpoint(_require_endpoint(conn, cursor.lastrowid))

    def get_endpoint(self, endpoint_id: int) -> Endpoint | None:
        """Return the endpoint, or None if it does not exist or was removed."""
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT * FROM endpoints WHERE id = ? AND removed_at IS NULL", (endpoint_id,)
            ).fetchone()
        return rows.endpoint(row) if row else None

    def list_endpoints(self) -> list[Endpoint]:
        with self._db.read() as conn:
            found = conn.execute("SELECT * FROM endpoints WHERE removed_at IS NULL ORDER BY id").fetchall()
        return [rows.endpoint(row) for row in found]

    def remove_endpoint(self, endpoint_id: int, at: datetime | None = None) -> None:
        """Remove an endpoint; its unsent deliveries fail, its history stays listable."""
        at_epoch = to_epoch(at or datetime.now(UTC))
        with self._db.write() as conn:
            _require_endpoint(conn, endpoint_id)
            conn.execute(
                "UPDATE endpoints SET removed_at = ?, enabled = 0, disabled_reason = 'removed' WHERE id = ?",
                (at_epoch, endpoint_id),
            )
            conn.execute(
                "UPDATE deliveries SET state = 'failed', last_error = 'endpoint removed', next_attempt_at = NULL,"
                " lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, updated_at = ?"
                " WHERE endpoint_id = ? AND state IN ('pending', 'in_flight')",
                (at_epoch, endpoint_id),
            )

    def set_endpoint_enabled(
        self, endpoint_id: int, enabled: bool, reason: str | None, at: datetime
    ) -> Endpoint:
        """Enable or disable an endpoint; disabling appends ``endpoint.disabled``.

        Pending deliveries of a disabled endpoint stay pending and are not
        claimed until it is enabled again.
        """
        with self._db.write() as conn:
            if enabled:
                _require_endpoint(conn, endpoint_id)
                conn.execute(
                    "UPDATE endpoints SET enabled = 1, disabled_reason = NULL WHERE id = ?", (endpoint_id,)
                )
            else:
                disable_endpoint(conn, endpoint_id, reason, at)
            return rows.endpoint(_require_endpoint(conn, endpoint_id))

    def rotate_endpoint_secret(
        self, endpoint_id: int, new_secret: Secret, previous_valid_until: datetime | None, at: datetime
    ) -> Endpoint:
        """Sign with ``new_secret`` from now on; the old one stays valid until ``previous_valid_until``."""
        if not isinstance(new_secret, Secret) or not new_secret:
            raise InvalidValueError("the new endpoint secret must be a non-empty Secret")
        with self._db.write() as conn:
            row = _require_endpoint(conn, endpoint_id)
            conn.execute(
                "UPDATE endpoints SET secret = ?, previous_secret = ?, previous_secret_expires_at = ?"
                " WHERE id = ?",
                (new_secret.reveal(), row["secret"], to_epoch(previous_valid_until), endpoint_id),
            )
            return rows.endpoint(_require_endpoint(conn, endpoint_id))
