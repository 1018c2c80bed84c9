"""JSON forms of record values and their stable content hash.

Records arrive from the Odoo client with Python values (aware datetimes,
dates, ``Many2one`` dataclasses). Their JSON form (``to_json_value``) is what
the ledger stores, what events carry and what the hash covers, so a stored
record and a fresh read compare field by field. The hash is computed from
the client's values directly, and the ledger serialises them to the same
JSON, so a page of new records is never converted twice.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from core.odoo import Many2one

# write_date moves on every save, even one that changes none of the synced
# fields. Such a save is not a change for consumers, so write_date stays out
# of the hash and out of changed_fields.
UNHASHED_FIELDS = frozenset({"write_date"})


def to_json_value(value: Any) -> Any:
    """Return ``value`` as a JSON value: datetimes as ISO 8601 UTC, many2one as {id, name}."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    to_json = getattr(value, "to_json", None)
    if to_json is not None:
        return to_json_value(to_json())  # core.odoo.Many2one
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {key: to_json_value(item) for key, item in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {str(key): to_json_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_value(item) for item in value]
    raise TypeError(f"cannot store a {type(value).__name__} field value in the ledger: {value!r}")


def to_json_record(record: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of an Odoo record with every value converted by ``to_json_value``."""
    return {name: to_json_value(value) for name, value in record.items()}


def _utc_iso(value: datetime) -> str:
    if value.tzinfo is UTC:
        return value.isoformat()
    return to_json_value(value)


# The client's value types, converted without the isinstance chain of
# to_json_value, because a page contains thousands of them.
_CONVERTERS = {
    Many2one: lambda value: {"id": value.id, "name": value.name},
    datetime: _utc_iso,
    date: date.isoformat,
}


def _fast_default(value: Any) -> Any:
    converter = _CONVERTERS.get(type(value))
    return converter(value) if converter is not None else to_json_value(value)


def content_hash(record: dict[str, Any]) -> str:
    """Return the SHA-256 of the record's JSON form, keys sorted, write_date left out.

    A record gives the same hash with client values or with their JSON form.
    """
    hashed = {name: value for name, value in record.items() if name not in UNHASHED_FIELDS}
    text = json.dumps(hashed, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_fast_default)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
