"""Named values stored with the ledger, such as the API's cursor signing key."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from core.ledger.codec import to_epoch
from core.ledger.db import Database
from core.ledger.errors import InvalidValueError


class SettingsMixin:
    """Settings: one text value per name, created once and then only read."""

    _db: Database

    def get_or_create_setting(self, name: str, make_value: Callable[[], str]) -> str:
        """Return the value stored under ``name``, storing ``make_value()`` first if there is none.

        The read and the insert share one write transaction, so two
        processes asking at once both get the value that was stored first.
        """
        if not isinstance(name, str) or not name:
            raise InvalidValueError(f"setting name must be a non-empty string, got {name!r}")
        with self._db.write() as conn:
            row = conn.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
            if row is not None:
                return row[0]
            value = make_value()
            if not isinstance(value, str):
                raise InvalidValueError(f"setting {name!r} must be text, got {type(value).__name__}")
            conn.execute(
                "INSERT INTO settings (name, value, created_at) VALUES (?, ?, ?)",
                (name, value, to_epoch(datetime.now(UTC))),
            )
            return value
