"""JSON-ready record values and their stable content hash.

Records arrive from the Odoo client with Python values (aware datetimes,
dates, ``Many2one`` dataclasses). They are turned into plain JSON values once,
and that form is what the ledger stores, what events carry and what the hash
covers, so a stored record and a fresh read compare field by field.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

# write_date moves on every save, even one that changes none of the synced
# fields (or only fields outside the stream's list), so it stays out of the
# hash and out of changed_fields: such a save is not a change for consumers.
UNHASHED_FIELDS = frozenset({"write_date"})


def to_json_value(value: Any) -> Any:
    """Return ``value`` as a JSON value: datetimes as ISO 8601 UTC, many2one as {id, name}."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
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


def content_hash(record: dict[str, Any]) -> str:
    """Return the SHA-256 of the record's JSON values, keys sorted, write_date left out."""
    hashed = {name: value for name, value in record.items() if name not in UNHASHED_FIELDS}
    text = json.dumps(hashed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
