"""JSON forms of record values and their stable content hash.

Records arrive from the Odoo client with Python values (aware datetimes,
dates, ``Many2one`` dataclasses). Their JSON form (``to_json_value``) is what
the ledger stores, what events carry and what the hash covers, so a stored
record and a fresh read compare field by field. A page of new records is
encoded once: ``hashed_json`` gives the canonical bytes the hash covers,
and ``stored_json`` adds write_date to them for the ledger row and the
record.created event.
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


def stored_json(hashed: bytes, record: dict[str, Any]) -> str:
    """Return the record's full JSON text: its unhashed fields (write_date) first, then ``hashed``.

    ``hashed`` is ``hashed_json(record)``, so the record is encoded once for
    its hash, its ledger row and its record.created event.
    """
    text = hashed.decode("utf-8")
    write_date = record.get("write_date")
    if type(write_date) is datetime and write_date.tzinfo is UTC and text != "{}":
        # The usual case, written directly: orjson would give the same text.
        return f'{{"write_date":"{write_date.isoformat()}",{text[1:]}'
    unhashed = {name: record[name] for name in UNHASHED_FIELDS if name in record}
    if not unhashed:
        return text
    head = orjson.dumps(unhashed, default=_fast_default, option=_ORJSON_OPTIONS).decode("utf-8")
    if text == "{}":
        return head
    return head[:-1] + "," + text[1:]
