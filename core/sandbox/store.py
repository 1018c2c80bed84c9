"""The in-memory data of the sandbox Odoo: one table of records per model.

Every change goes through ``create``, ``write`` and ``unlink`` here, from RPC
calls and from tests alike, so ``create_date``/``write_date`` stamping and
validation behave the same whichever side changes the data. One lock guards
the tables because the server thread and the test thread both use them.
"""

from __future__ import annotations

import datetime as dt
import threading
from contextlib import contextmanager
from typing import Iterator

from core.sandbox.commands import apply_one2many
from core.sandbox.errors import ValidationError, missing_record
from core.sandbox.models import MODELS, REFERENCE_NAMES
from core.sandbox.schema import Field, ModelSpec
from core.sandbox.values import to_stored

SEARCH_CACHE_SIZE = 16
MAGIC_FIELDS = frozenset({"id", "display_name", "create_uid", "create_date", "write_uid", "write_date"})
MANDATORY_MESSAGE = (
    "The operation cannot be completed:\n"
    "- Create/update: a mandatory field is not set.\n"
    "- Delete: another model requires the record being deleted. If possible, archive it instead.\n"
    "\n"
    "Model: {model_label} ({model})\n"
    "Field: {field_label} ({field})\n"
)


def utc_now() -> dt.datetime:
    """Return the naive UTC time with microseconds, as PostgreSQL's now()."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Store:
    """The records of every sandbox model, with Odoo's write semantics."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        # Bumped on every change to a model; caches compare against it.
        self.versions: dict[str, int] = {name: 0 for name in MODELS}
        self._transaction_time: dt.datetime | None = None
        self.clear()

    def clear(self) -> None:
        """Remove every record, keeping this object (and its lock) for those holding it."""
        with self.lock:
            self.tables: dict[str, dict[int, dict]] = {name: {} for name in MODELS}
            self._next_id: dict[str, int] = {name: 1 for name in MODELS}
            # Versions only grow, so no cache entry from before can match again.
            for name in MODELS:
                self.versions[name] += 1
            self._caches: dict[tuple, tuple[tuple, object]] = {}
            self._search_keys: dict[tuple, None] = {}

    # -- transactions -------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[dt.datetime]:
        """Hold the lock and give every write inside one ``write_date``.

        Like a PostgreSQL transaction, ``now()`` is fixed when it starts; a
        nested transaction shares the outer one's time. RPC calls wait for
        the lock meanwhile, so a test must not call the server from inside.
        """
        with self.lock:
            if self._transaction_time is not None:
                yield self._transaction_time
                return
            self._transaction_time = utc_now()
            try:
                yield self._transaction_time
            finally:
                self._transaction_time = None

    def now(self) -> dt.datetime:
        return self._transaction_time or utc_now()

    # -- lookups ------------------------------------------------------------

    def spec(self, model: str) -> ModelSpec:
        return MODELS[model]

    def get(self, model: str, record_id: int) -> dict | None:
        """Return the stored record (not a copy), or None when it does not exist."""
        return self.tables[model].get(record_id)

    def exists(self, model: str, record_id: int) -> bool:
        if model == "product.template":
            model = "product.product"
        if model in self.tables:
            return record_id in self.tables[model]
        return record_id in REFERENCE_NAMES.get(model, {})

    def display_name(self, model: str, record_id: int) -> str | None:
        """Return a related record's display name, or None when it is gone."""
        if model == "product.template":
            # Every sandbox product is its own template, with the same id.
            record = self.tables["product.product"].get(record_id)
            return None if record is None else record.get("name") or ""
        if model in self.tables:
            record = self.tables[model].get(record_id)
            return None if record is None else self.display_name_of(MODELS[model], record)
        names = REFERENCE_NAMES.get(model)
        if names is None:
            return f"{model},{record_id}"
        return names.get(record_id, f"{model},{record_id}")

    def display_name_of(self, spec: ModelSpec, record: dict) -> str:
        if spec.display_name is not None:
            return spec.display_name(record, self)
        return record.get("name") or ""

    def cached(self, key: tuple, models: tuple[str, ...], build):
        """Return ``build()``, reusing the last result while ``models`` are unchanged.

        Keys starting with "search" hold whole search results, one per
        domain, so only the most recent ``SEARCH_CACHE_SIZE`` of them are kept.
        """
        stamp = tuple(self.versions[name] for name in models)
        hit = self._caches.get(key)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        value = build()
        self._caches[key] = (stamp, value)
        if key[0] == "search":
            self._search_keys.pop(key, None)
            self._search_keys[key] = None
            while len(self._search_keys) > SEARCH_CACHE_SIZE:
                oldest = next(iter(self._search_keys))
                del self._search_keys[oldest]
                self._caches.pop(oldest, None)
        return value

    def inverse_ids(self, field: Field, parent_id: int) -> list[int]:
        """Return the ids of a one2many field, in the related model's order."""
        if field.relation not in self.tables:
            return []
        index = self.cached(("inverse", field.relation, field.inverse), (field.relation,), lambda: self._build_inverse(field))
        return list(index.get(parent_id, ()))

    def _build_inverse(self, field: Field) -> dict[int, list[int]]:
        from core.sandbox.query import sorted_ids

        table = self.tables[field.relation]
        index: dict[int, list[int]] = {}
        for record_id in sorted_ids(self, MODELS[field.relation], None):
            parent = table[record_id].get(field.inverse)
            if parent:
                index.setdefault(parent, []).append(record_id)
        return index

    # -- changes ------------------------------------------------------------

    def create(self, model: str, values: dict, *, uid: int = 2, record_id: int | None = None) -> int:
        """Insert one record and return its id; stamps create/write date and uid."""
        spec = MODELS[model]
        with self.transaction() as now:
            record = self._new_record(spec, values, uid, now)
            new_id = record_id if record_id is not None else self._next_id[model]
            self._next_id[model] = max(self._next_id[model], new_id + 1)
            record.update(id=new_id, create_uid=uid, create_date=now, write_uid=uid, write_date=now)
            self.tables[model][new_id] = record
            _compute_stored(self, spec, record)
            self.versions[model] += 1
            self._apply_lines(spec, [new_id], values, uid)
            return new_id

    def write(self, model: str, ids, values: dict, *, uid: int = 2) -> bool:
        """Update records; raises MissingError when any id does not exist."""
        spec = MODELS[model]
        ids = _as_ids(ids)
        with self.transaction() as now:
            table = self.tables[model]
            missing = [record_id for record_id in ids if record_id not in table]
            if missing:
                raise missing_record(model, missing, uid)
            changes = self._convert(spec, values, creating=False, uid=uid)
            for record_id in ids:
                record = table[record_id]
                record.update(changes)
                _check_required(spec, record)
                record.update(write_uid=uid, write_date=now)
                _compute_stored(self, spec, record)
            self.versions[model] += 1
            self._apply_lines(spec, ids, values, uid)
            return True

    def unlink(self, model: str, ids, *, uid: int = 2) -> bool:
        """Delete records; raises MissingError when any id does not exist."""
        ids = _as_ids(ids)
        with self.transaction():
            table = self.tables[model]
            missing = [record_id for record_id in ids if record_id not in table]
            if missing:
                raise missing_record(model, missing, uid)
            for record_id in ids:
                del table[record_id]
            self.versions[model] += 1
            return True

    def archive(self, model: str, ids, *, uid: int = 2) -> bool:
        """Set ``active`` to False (``archive`` to True on maintenance.request)."""
        if model == "maintenance.request":
            return self.write(model, ids, {"archive": True}, uid=uid)
        return self.write(model, ids, {"active": False}, uid=uid)

    def unarchive(self, model: str, ids, *, uid: int = 2) -> bool:
        if model == "maintenance.request":
            return self.write(model, ids, {"archive": False}, uid=uid)
        return self.write(model, ids, {"active": True}, uid=uid)

    def _apply_lines(self, spec: ModelSpec, ids: list[int], values: dict, uid: int) -> None:
        """Apply the one2many commands in ``values`` once the records exist."""
        for name, commands in values.items():
            field = spec.fields.get(name)
            if field is not None and field.type == "one2many" and commands:
                for record_id in ids:
                    apply_one2many(self, record_id, field, commands, uid)

    def _new_record(self, spec: ModelSpec, values: dict, uid: int, now: dt.datetime) -> dict:
        record = {name: None for name, field in spec.fields.items() if not field.computed}
        record.update(_dynamic_defaults(self, spec, uid, now))
        record.update(spec.defaults)
        record.update(self._convert(spec, values, creating=True, uid=uid))
        _check_required(spec, record)
        return record

    def _convert(self, spec: ModelSpec, values: dict, *, creating: bool, uid: int) -> dict:
        if not isinstance(values, dict):
            raise ValueError(f"Invalid values {values!r} for {spec.name}: expected a dict of field names to values")
        changes: dict = {}
        for name, value in values.items():
            field = spec.fields.get(name)
            if field is None:
                raise ValueError(f"Invalid field {name!r} on model {spec.name!r}")
            if name in MAGIC_FIELDS or field.computed:
                continue
            changes[name] = to_stored(self, spec, field, value, creating=creating, uid=uid)
        return changes

    def next_id(self, model: str) -> int:
        return self._next_id[model]

    def insert_generated(
        self, model: str, values: dict, *, created: dt.datetime, written: dt.datetime, uid: int, record_id: int | None = None
    ) -> int:
        """Insert a record whose values are already in stored form, skipping validation.

        The demo data and benchmark generators use this to fill 100,000
        records quickly with their own timestamps; callers own the lock.
        """
        spec = MODELS[model]
        record = {name: None for name, field in spec.fields.items() if not field.computed}
        record.update(spec.defaults)
        record.update(values)
        new_id = record_id if record_id is not None else self._next_id[model]
        self._next_id[model] = max(self._next_id[model], new_id + 1)
        record.update(id=new_id, create_uid=uid, create_date=created, write_uid=uid, write_date=written)
        self.tables[model][new_id] = record
        _compute_stored(self, spec, record)
        self.versions[model] += 1
        return new_id


def _as_ids(ids) -> list[int]:
    if isinstance(ids, int):
        return [ids]
    return [int(record_id) for record_id in ids]


def _check_required(spec: ModelSpec, record: dict) -> None:
    for field in spec.fields.values():
        if field.required and record.get(field.name) in (None, False, ""):
            model_label, model = spec.required_model or (spec.description, spec.name)
            raise ValidationError(
                MANDATORY_MESSAGE.format(model_label=model_label, model=model, field_label=field.string, field=field.name)
            )


def _dynamic_defaults(store: Store, spec: ModelSpec, uid: int, now: dt.datetime) -> dict:
    """Return the defaults Odoo computes at create time for this model."""
    if spec.name == "maintenance.request":
        return {"request_date": now.date().isoformat(), "owner_user_id": uid}
    if spec.name == "purchase.order":
        return {"name": f"P{store.next_id(spec.name):05d}", "date_order": now, "user_id": uid}
    if spec.name == "stock.quant":
        return {"in_date": now}
    if spec.name == "maintenance.equipment":
        return {"effective_date": now.date().isoformat()}
    return {}


def _compute_stored(store: Store, spec: ModelSpec, record: dict) -> None:
    """Recompute the stored computed fields of one record, such as complete_name."""
    if spec.name == "res.partner":
        parent = store.get("res.partner", record["parent_id"]) if record.get("parent_id") else None
        name = record.get("name") or ""
        record["complete_name"] = f"{parent['complete_name']}, {name}" if parent and not record.get("is_company") else name
    elif spec.name == "stock.location":
        parent = store.get("stock.location", record["location_id"]) if record.get("location_id") else None
        name = record.get("name") or ""
        if parent is not None and record.get("usage") != "view":
            record["complete_name"] = f"{parent['complete_name']}/{name}"
        else:
            record["complete_name"] = name
    elif spec.name == "product.product" and not record.get("product_tmpl_id"):
        record["product_tmpl_id"] = record["id"]
    elif spec.name == "maintenance.request" and record.get("equipment_id"):
        equipment = store.get("maintenance.equipment", record["equipment_id"])
        record["category_id"] = equipment.get("category_id") if equipment else None
