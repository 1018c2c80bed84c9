"""JSON forms of record values and their stable content hash.

Records arrive from the Odoo client with Python values (aware datetimes,
dates, ``Many2one`` dataclasses). Their JSON form (``to_json_value``) is what
the ledger stores, what events carry and what the hash covers, so a stored
record and a fresh read compare field by field. A page of new records is
encoded once: ``encode_record`` gives the text for the ledger row and the
record.created event, and the canonical bytes the hash covers.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import orjson

from core.odoo import Many2one

# write_date moves on every save, even one that changes none of the synced
# fields. Such a save is not a change for consumers, so write_date stays out
# of the hash and out of changed_fields.
UNHASHED_FIELDS = frozenset({"write_date"})
# A last write_date member with a string value, up to its opening quote,
# and how far from the end encode_record looks for it: far enough for an
# ISO 8601 time with microseconds and an offset.
_LAST_WRITE_DATE = b',"write_date":"'
_LAST_WRITE_DATE_WINDOW = 64


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


# The client's other value types, converted without the isinstance chain
# of to_json_value, because a page contains thousands of them.
_CONVERTERS = {
    datetime: _utc_iso,
    date: date.isoformat,
}


def _fast_default(value: Any) -> Any:
    # Many2one comes first and inline: records carry several, and orjson
    # calls this once for each.
    if type(value) is Many2one:
        return {"id": value.id, "name": value.name}
    converter = _CONVERTERS.get(type(value))
    return converter(value) if converter is not None else to_json_value(value)


# orjson writes datetimes and dates itself, the same text as isoformat()
# for the Odoo client's UTC values, and naive ones as UTC like
# to_json_value. Its own dataclass encoding is slower than to_json(), so
# Many2one goes through _fast_default.
# NOTE: an aware datetime with a non-zero offset keeps that offset here,
# where to_json_value converts it to UTC. The Odoo client only returns UTC.
_ORJSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NAIVE_UTC | orjson.OPT_PASSTHROUGH_DATACLASS


def hashed_json(record: dict[str, Any]) -> bytes:
    """Return the canonical JSON the content hash covers: keys sorted, write_date left out.

    The bytes equal the json module's compact output with sorted keys, as
    earlier versions hashed, except for non-zero floats below 1e-4 in
    absolute value, which orjson writes in another form (``1e-7`` for
    ``1e-07``). Such a record gets a new hash once and no event, because
    its values compare equal.
    """
    hashed = dict(record)
    for name in UNHASHED_FIELDS:
        hashed.pop(name, None)
    try:
        return orjson.dumps(hashed, default=_fast_default, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:
        # orjson rejects integers beyond 64 bits and non-string keys. The
        # json module encodes those, and raises a clear TypeError for an
        # unknown type.
        text = json.dumps(hashed, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_fast_default)
        return text.encode("utf-8")


def content_hash(record: dict[str, Any]) -> str:
    """Return the SHA-256 of the record's JSON form, keys sorted, write_date left out.

    A record gives the same hash with client values or with their JSON form.
    """
    return hashlib.sha256(hashed_json(record)).hexdigest()


def encode_record(record: dict[str, Any]) -> tuple[bytes, bytes]:
    """Return ``(hashed_json(record), the record's full JSON)``, encoding it once when it can.

    The full JSON, keys sorted, is what the ledger stores and what a
    record.created event carries. With sorted keys, write_date is usually
    the last member, and the hashed bytes are then the full JSON with that
    member cut off: exactly what ``hashed_json`` writes. Both forms then
    cost 2.9 to 3.2 µs per maintenance request, against 1.9 to 2.0 µs for
    the hashed bytes alone (``bench/micro.py``, two runs). Records with a
    key after write_date (custom ``x_`` fields) are encoded twice.
    """
    try:
        full = orjson.dumps(record, default=_fast_default, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:
        text = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_fast_default)
        return hashed_json(record), text.encode("utf-8")
    return _without_last_write_date(full) or hashed_json(record), full


def _without_last_write_date(full: bytes) -> bytes | None:
    """Return ``full`` without a last write_date member whose value is a string, or None.

    A member found here ends just before the final brace. A write_date key
    inside a nested object would be followed by that object's own brace
    first, and quotes inside strings are escaped, so the match can only be
    the record's own member.
    """
    start = full.rfind(_LAST_WRITE_DATE, max(0, len(full) - _LAST_WRITE_DATE_WINDOW))
    if start < 0:
        return None
    value_start = start + len(_LAST_WRITE_DATE)
    if full.find(b'"', value_start) != len(full) - 2:
        return None
    return full[:start] + b"}"
