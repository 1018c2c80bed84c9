"""Conversions between wire values and the values the store keeps.

Stored values: ``None`` for NULL, ``str`` for char/text/html/selection and
for dates (``YYYY-MM-DD``), naive UTC ``datetime`` with microseconds for
datetimes, ``int`` ids for many2one and id lists for many2many.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable

from core.sandbox.errors import InvalidTextRepresentation, NumericValueOutOfRange, missing_record
from core.sandbox.schema import INT4_MAX, Field, ModelSpec

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
INT4_MIN = -(2**31)


def format_datetime(value: dt.datetime) -> str:
    """Cut a stored datetime to the second, as Odoo sends it."""
    return value.isoformat(sep=" ", timespec="seconds")


def parse_datetime_value(value: object) -> dt.datetime | None:
    """Convert a written datetime value the way Odoo's ``Datetime.to_datetime`` does.

    Strings must match ``%Y-%m-%d %H:%M:%S`` (or a prefix of it as long as the
    string), so ``2026-03-01T10:00:00Z`` raises the same ValueError as Odoo.
    """
    if value is None or value is False or value == "":
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise ValueError(f"Datetime field expects a naive datetime: {value}")
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time.min)
    if not isinstance(value, str):
        raise TypeError(f"strptime() argument 1 must be str, not {type(value).__name__}")
    return dt.datetime.strptime(value, DATETIME_FORMAT[: len(value) - 2])


def parse_date_value(value: object) -> str | None:
    """Convert a written date value to ``YYYY-MM-DD`` like ``Date.to_date``."""
    if value is None or value is False or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        raise TypeError(f"strptime() argument 1 must be str, not {type(value).__name__}")
    return dt.datetime.strptime(value[:10], DATE_FORMAT).date().isoformat()


def check_int4(value: int) -> int:
    """Raise PostgreSQL's error for an integer outside int4, as on a write."""
    if value > INT4_MAX or value < INT4_MIN:
        raise NumericValueOutOfRange("integer out of range\n")
    return value


def to_stored(store, spec: ModelSpec, field: Field, value: object, *, creating: bool, uid: int) -> object:
    """Convert one written value to its stored form, raising Odoo's errors."""
    kind = field.type
    if kind in ("char", "text", "html"):
        return None if value is None or value is False else str(value)
    if kind == "selection":
        return _to_selection(spec, field, value)
    if kind == "integer":
        return None if value is None or value is False else check_int4(int(value))
    if kind in ("float", "monetary"):
        return float(value or 0.0)
    if kind == "boolean":
        return bool(value)
    if kind == "date":
        return parse_date_value(value)
    if kind == "datetime":
        return parse_datetime_value(value)
    if kind == "many2one":
        return _to_many2one(store, field, value, creating=creating, uid=uid)
    if kind == "many2many":
        return _to_id_list(value)
    raise ValueError(f"Field {spec.name}.{field.name} of type {kind} cannot be written")


def _to_selection(spec: ModelSpec, field: Field, value: object) -> str | None:
    if value is None or value is False:
        return None
    allowed = {key for key, _label in field.selection or ()}
    if value not in allowed:
        raise ValueError(f"Wrong value for {spec.name}.{field.name}: {value!r}")
    return value


def _to_many2one(store, field: Field, value: object, *, creating: bool, uid: int) -> int | None:
    if value is None or value is False or value == 0:
        return None
    if isinstance(value, (list, tuple)):
        # Odoo 18 drops an [id, name] pair on write but sends it into the
        # INSERT on create, where PostgreSQL rejects it.
        if not creating:
            return None
        rejected = next((item for item in value if not isinstance(item, int)), value)
        array = ",".join(repr(item) if isinstance(item, str) else str(item) for item in value)
        excerpt = f"...{store.now().isoformat(sep=' ')}', {uid}, ARRAY[{array}], ..."
        caret = " " * (len("LINE 1: ") + excerpt.index("ARRAY")) + "^"
        # NOTE: the LINE excerpt imitates PostgreSQL's INSERT quote; only the
        # first line is exact.
        raise InvalidTextRepresentation(f'invalid input syntax for type integer: "{rejected}"\nLINE 1: {excerpt}\n{caret}\n')
    record_id = int(value)
    if record_id > INT4_MAX:
        raise NumericValueOutOfRange(f'value "{record_id}" is out of range for type integer\n')
    if not store.exists(field.relation, record_id):
        raise missing_record(field.relation, [record_id], uid)
    return record_id


def _to_id_list(value: object) -> list[int]:
    """Read a many2many value: a list of ids or Odoo's (6, 0, ids) commands."""
    if value is None or value is False:
        return []
    ids: list[int] = []
    for item in value:
        if isinstance(item, int):
            ids.append(item)
        elif isinstance(item, (list, tuple)) and item and item[0] == 6:
            ids = list(item[2])
        elif isinstance(item, (list, tuple)) and item and item[0] == 4:
            ids.append(item[1])
        elif isinstance(item, (list, tuple)) and item and item[0] == 3:
            ids = [existing for existing in ids if existing != item[1]]
        elif isinstance(item, (list, tuple)) and item and item[0] == 5:
            ids = []
        else:
            raise ValueError(f"Invalid many2many command {item!r}")
    return list(dict.fromkeys(ids))


def read_converter(store, spec: ModelSpec, field: Field) -> Callable[[dict], object]:
    """Return a function turning a stored record into this field's wire value."""
    name = field.name
    kind = field.type
    if name == "display_name":
        return lambda record: store.display_name_of(spec, record)
    if kind == "one2many":
        return lambda record: store.inverse_ids(field, record["id"])
    if kind in ("char", "text", "html", "selection", "date"):
        return lambda record: record.get(name) or False
    if kind == "integer":
        return lambda record: _wire_integer(record.get(name) or 0)
    if kind in ("float", "monetary"):
        return lambda record: record.get(name) or 0.0
    if kind == "boolean":
        return lambda record: bool(record.get(name))
    if kind == "datetime":
        return lambda record: format_datetime(record[name]) if record.get(name) else False
    if kind == "many2one":
        return _many2one_reader(store, field)
    if kind == "many2many":
        return lambda record: list(record.get(name) or ())
    raise ValueError(f"no reader for field type {kind}")


def _wire_integer(value: int) -> int | float:
    """Send an integer outside int4 as a float, as Odoo does on both protocols."""
    if INT4_MIN <= value <= INT4_MAX:
        return value
    return float(value)


def _many2one_reader(store, field: Field) -> Callable[[dict], object]:
    name = field.name
    relation = field.relation

    def read(record: dict) -> object:
        target = record.get(name)
        if not target:
            return False
        label = store.display_name(relation, target)
        # A deleted target reads as empty, like Odoo's ondelete="set null".
        return [target, label] if label is not None else False

    return read
