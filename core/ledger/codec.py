"""Conversions between Python values and what the ledger stores.

Times are stored as REAL epoch seconds so that comparisons and keyset pages
stay cheap; JSON columns hold event data, stream domains and record values.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

import orjson

from core.clock import utc
from core.secrets import Secret


def to_epoch(value: datetime | None) -> float | None:
    """Return ``value`` as epoch seconds; naive datetimes are taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    # An aware time's timestamp does not depend on its zone, so there is no
    # conversion to UTC first: a sync calls this once per record.
    return value.timestamp()


def from_epoch(value: float | None) -> datetime | None:
    """Return an aware UTC datetime for stored epoch seconds, or None."""
    if value is None:
        return None
    return datetime.fromtimestamp(value, UTC)


def _json_default(value: Any) -> Any:
    # Values from the Odoo client: Many2one is a dataclass, dates and times
    # arrive as objects. Anything else is a programming error worth raising.
    if isinstance(value, Secret):
        raise TypeError("a Secret cannot be stored in a JSON column; store the ledger id instead")
    if hasattr(value, "to_json"):
        return value.to_json()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, datetime):
        return utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    raise TypeError(
        f"cannot store {type(value).__name__} as JSON: {value!r}; convert it to a str, number, list or dict first"
    )


# Datetimes and dataclasses go through _json_default, so times are always
# written in UTC and a dataclass's own to_json() wins over its fields.
_DUMP_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS


def dump_json(value: Any) -> str:
    """Serialise ``value`` compactly as UTF-8 text; dataclasses, dates and enums are converted.

    orjson encodes several times faster than the json module, and every
    event, attempt and synced record passes through here.
    """
    try:
        return orjson.dumps(value, default=_json_default, option=_DUMP_OPTIONS).decode("utf-8")
    except orjson.JSONEncodeError as error:
        # orjson replaces the message raised by _json_default with its own.
        raise TypeError(str(error.__cause__ or error)) from None


def load_json(text: str | None) -> Any:
    """Parse a stored JSON column; None stays None."""
    if text is None:
        return None
    return orjson.loads(text)
