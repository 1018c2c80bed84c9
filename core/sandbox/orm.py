"""The ORM methods callable over RPC, with Odoo 18's signatures and errors.

Methods keep Odoo's parameter names, so positional and keyword arguments
bind the same way, and a wrong call raises Python's own TypeError as Odoo
does. ``execute`` is the single entry point for all three protocols.
"""

from __future__ import annotations

from core.sandbox.errors import AccessError, UserError
from core.sandbox.models import MODELS
from core.sandbox.query import count, search_ids
from core.sandbox.schema import INT4_MAX, ModelSpec
from core.sandbox.users import User, check_access
from core.sandbox.values import read_converter

PUBLIC_METHODS = frozenset(
    {"fields_get", "search", "search_read", "read", "search_count", "create", "write", "unlink", "default_get", "name_search"}
)
# Methods only some models have: model -> method names.
MODEL_METHODS = {
    "maintenance.request": frozenset({"archive_equipment_request"}),
    "res.users": frozenset({"context_get"}),
}


def execute(store, user: User, model: str, method: str, args, kwargs) -> object:
    """Run ``model.method(*args, **kwargs)`` as ``user`` in one transaction."""
    spec = MODELS.get(model) if isinstance(model, str) else None
    if spec is None:
        raise UserError(f"Object {model} doesn't exist")
    if not isinstance(method, str) or method.startswith("_"):
        raise AccessError(f"Private methods (such as '{model}.{method}') cannot be called remotely.")
    if method not in PUBLIC_METHODS and method not in MODEL_METHODS.get(model, ()):
        raise AttributeError(f"The method '{model}.{method}' does not exist")
    kwargs = dict(kwargs or {})
    context = kwargs.pop("context", None) or {}
    recordset = Recordset(store, spec, user, context)
    with store.transaction():
        return getattr(recordset, method)(*(args or ()), **kwargs)


def _wire_number(value: object) -> object:
    """Send an integer outside int4 as a float, as Odoo does on both protocols."""
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**31) <= value <= INT4_MAX:
        return float(value)
    return value


def _ids(ids) -> list[int]:
    if ids is None or ids is False:
        return []
    if isinstance(ids, int) and not isinstance(ids, bool):
        return [ids]
    return [int(record_id) for record_id in ids]


class Recordset:
    """One model as seen by one user with one context; its methods are the RPC API."""

    def __init__(self, store, spec: ModelSpec, user: User, context: dict) -> None:
        self.store = store
        self.spec = spec
        self.user = user
        self.context = context if isinstance(context, dict) else {}

    # -- reading ------------------------------------------------------------

    def fields_get(self, allfields=None, attributes=None):
        wanted = set(attributes) if attributes else None
        names = list(allfields) if allfields else list(self.spec.fields)
        result = {}
        for name in names:
            field = self.spec.fields.get(name)
            if field is None:
                continue
            values = field.attributes()
            result[name] = {key: value for key, value in values.items() if wanted is None or key in wanted}
        return result

    def search(self, domain, offset=0, limit=None, order=None):
        if not check_access(self.user, self.spec, "read"):
            return []
        return search_ids(self.store, self.spec, domain, order=order, offset=offset, limit=limit, context=self.context)

    def search_count(self, domain, limit=None):
        if not check_access(self.user, self.spec, "read"):
            return 0
        return count(self.store, self.spec, domain, limit=limit, context=self.context)

    def search_read(self, domain=None, fields=None, offset=0, limit=None, order=None, load="_classic_read"):
        if not check_access(self.user, self.spec, "read"):
            return []
        readers = self._readers(fields, load)
        ids = search_ids(self.store, self.spec, domain, order=order, offset=offset, limit=limit, context=self.context)
        table = self.store.tables[self.spec.name]
        return [self._row(table[record_id], readers) for record_id in ids]

    def read(self, ids, fields=None, load="_classic_read"):
        if not check_access(self.user, self.spec, "read"):
            return []
        readers = self._readers(fields, load)
        table = self.store.tables[self.spec.name]
        # Deleted ids are left out without an error, as in Odoo.
        return [self._row(table[record_id], readers) for record_id in _ids(ids) if record_id in table]

    def name_search(self, name="", domain=None, operator="ilike", limit=100):
        """Return ``[id, display_name]`` pairs whose name matches, like Odoo's autocomplete."""
        if not check_access(self.user, self.spec, "read"):
            return []
        domain = list(domain or [])
        if name:
            domain = ["&", *domain, ("name", operator, name)] if domain else [("name", operator, name)]
        ids = search_ids(self.store, self.spec, domain, limit=limit, context=self.context)
        table = self.store.tables[self.spec.name]
        return [[record_id, self.store.display_name_of(self.spec, table[record_id])] for record_id in ids]

    def context_get(self):
        """Return the user's context, as res.users.context_get does."""
        # NOTE: lang and tz are those of Odoo's demo admin; the sandbox keeps
        # no per-user preferences.
        return {"lang": "en_US", "tz": "Europe/Brussels", "uid": self.user.uid}

    def default_get(self, fields_list):
        result = {}
        for name in fields_list:
            if name not in self.spec.fields:
                continue
            context_key = f"default_{name}"
            if context_key in self.context:
                result[name] = _wire_number(self.context[context_key])
            elif name in self.spec.defaults:
                result[name] = self.spec.defaults[name]
        return result

    def _readers(self, fields, load) -> list[tuple[str, object]]:
        """Return (name, converter) pairs for the requested fields, id first.

        ``load`` other than "_classic_read" (Odoo's default) sends many2one
        values as bare ids instead of [id, display_name] pairs.
        """
        names = list(fields) if fields else [name for name in self.spec.fields if name != "id"]
        for name in names:
            if name not in self.spec.fields:
                raise ValueError(f"Invalid field {name!r} on model {self.spec.name!r}")
        raw_ids = load != "_classic_read"
        key = ("readers", self.spec.name, tuple(names), raw_ids)
        return self.store.cached(key, (), lambda: self._build_readers(names, raw_ids))

    def _build_readers(self, names: list[str], raw_ids: bool) -> list[tuple[str, object]]:
        ordered = ["id", *(name for name in names if name != "id")]
        readers = []
        for name in ordered:
            field = self.spec.fields[name]
            if raw_ids and field.type == "many2one":
                readers.append((name, lambda record, name=name: record.get(name) or False))
            else:
                readers.append((name, read_converter(self.store, self.spec, field)))
        return readers

    @staticmethod
    def _row(record: dict, readers) -> dict:
        return {name: convert(record) for name, convert in readers}

    # -- writing ------------------------------------------------------------

    def create(self, vals_list):
        check_access(self.user, self.spec, "create")
        if isinstance(vals_list, dict):
            return self.store.create(self.spec.name, vals_list, uid=self.user.uid)
        return [self.store.create(self.spec.name, values, uid=self.user.uid) for values in vals_list]

    def write(self, ids, vals):
        check_access(self.user, self.spec, "write")
        return self.store.write(self.spec.name, _ids(ids), vals, uid=self.user.uid)

    def unlink(self, ids):
        check_access(self.user, self.spec, "unlink")
        return self.store.unlink(self.spec.name, _ids(ids), uid=self.user.uid)

    def archive_equipment_request(self, ids):
        """Archive maintenance requests; returns None, like Odoo's button method."""
        check_access(self.user, self.spec, "write")
        self.store.write(self.spec.name, _ids(ids), {"archive": True, "kanban_state": "normal"}, uid=self.user.uid)
        return None
