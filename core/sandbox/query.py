"""Searching: order clauses, sorted id lists and domain filtering with paging."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from core.sandbox.domain import compile_domain, lower_bound, mentions_field
from core.sandbox.errors import UserError
from core.sandbox.schema import ModelSpec

ORDER_TERM = re.compile(r"^\s*([a-z0-9_]+)(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?\s*$", re.IGNORECASE)
INVALID_ORDER = (
    'Invalid "order" specified ({order}). A valid "order" specification is a comma-separated list of valid '
    "field names (optionally followed by asc/desc for the direction)"
)


@dataclass(frozen=True)
class OrderTerm:
    """One ``field [asc|desc] [nulls first|last]`` part of an order clause."""

    field: str
    descending: bool
    nulls_first: bool


def parse_order(spec: ModelSpec, order: str | None) -> tuple[OrderTerm, ...]:
    """Parse an order clause; raises UserError or ValueError with Odoo's wording."""
    text = order if order else spec.order
    if not isinstance(text, str):
        raise UserError(INVALID_ORDER.format(order=text))
    terms: list[OrderTerm] = []
    for part in text.split(","):
        match = ORDER_TERM.match(part)
        if match is None:
            raise UserError(INVALID_ORDER.format(order=text))
        name, direction, nulls = match.groups()
        if name not in spec.fields:
            raise ValueError(f"Invalid field {name!r} on model {spec.name!r}")
        descending = (direction or "asc").lower() == "desc"
        # PostgreSQL puts NULLs last going up and first going down.
        nulls_first = nulls.lower() == "first" if nulls else descending
        terms.append(OrderTerm(name, descending, nulls_first))
    if all(term.field != "id" for term in terms):
        # A tie-breaker keeps pages stable, where PostgreSQL would not promise one.
        terms.append(OrderTerm("id", False, False))
    return tuple(terms)


def sorted_ids(store, spec: ModelSpec, order) -> list[int]:
    """Return every id of the model in ``order`` (a clause or parsed terms), cached until the data changes."""
    terms = order if isinstance(order, tuple) else parse_order(spec, order)
    return store.cached(("order", spec.name, terms), _order_models(store, spec, terms), lambda: _sort(store, spec, terms))


def _order_models(store, spec: ModelSpec, terms) -> tuple[str, ...]:
    """Return the models whose changes can change this order (many2one labels included)."""
    related = [
        spec.fields[term.field].relation
        for term in terms
        if spec.fields[term.field].type == "many2one" and spec.fields[term.field].relation in store.tables
    ]
    return (spec.name, *dict.fromkeys(related))


def _sort(store, spec: ModelSpec, terms: tuple[OrderTerm, ...]) -> list[int]:
    table = store.tables[spec.name]
    ids = list(table)
    # Stable sorts from the last term to the first give a multi-key order
    # with a direction per key.
    for term in reversed(terms):
        value_of = _sort_value(store, spec, term.field, table)
        first_flag = term.nulls_first != term.descending

        def key(record_id: int, value_of=value_of, first_flag=first_flag):
            value = value_of(record_id)
            is_null = value is None
            return (is_null != first_flag, 0 if is_null else value)

        ids.sort(key=key, reverse=term.descending)
    return ids


def _sort_value(store, spec: ModelSpec, name: str, table: dict):
    field = spec.fields[name]
    if field.type == "many2one":
        relation = field.relation
        return lambda record_id: _label(store, relation, table[record_id].get(name))
    if field.type in ("one2many", "many2many") or name == "display_name":
        raise ValueError(f"Cannot order {spec.name} by {name}: the field is not stored")
    if field.type == "boolean":
        return lambda record_id: bool(table[record_id].get(name))
    return lambda record_id: table[record_id].get(name)


def _label(store, relation: str, target):
    if not target:
        return None
    return store.display_name(relation, target)


def applies_active_test(spec: ModelSpec, domain, context: dict | None) -> bool:
    """Tell whether Odoo's implicit ``active = True`` filter applies to this search."""
    active_test = (context or {}).get("active_test", True)
    return spec.has_active and bool(active_test) and not mentions_field(domain, "active")


def compile_search(store, spec: ModelSpec, domain, context: dict | None):
    """Compile the caller's domain, then add the implicit active filter around it.

    The domain is checked on its own first, so a malformed one is reported
    as the caller wrote it, as Odoo does.
    """
    domain = list(domain or [])
    predicate = compile_domain(store, spec, domain)
    if not applies_active_test(spec, domain, context):
        return domain, predicate, False
    return domain, (lambda record: bool(record.get("active")) and predicate(record)), True


def search_ids(store, spec: ModelSpec, domain, *, order=None, offset=0, limit=None, context=None) -> list[int]:
    """Return the ids matching ``domain`` in ``order``, after ``offset``, at most ``limit``."""
    domain, predicate, filtered = compile_search(store, spec, domain, context)
    terms = parse_order(spec, order)
    offset = int(offset or 0)
    limit = int(limit) if limit else None
    everything = not domain and not filtered
    if offset:
        # Offset paging repeats one search with a growing offset, so the full
        # result is kept until any model changes (dotted paths and many2one
        # names can read other models).
        key = ("search", spec.name, terms, repr(domain), filtered)
        matches = store.cached(key, tuple(store.tables), lambda: _scan(store, spec, terms, domain, predicate, None, everything))
        return matches[offset : offset + limit] if limit else matches[offset:]
    return _scan(store, spec, terms, domain, predicate, limit, everything)


def _scan(store, spec: ModelSpec, terms, domain, predicate, limit: int | None, everything: bool) -> list[int]:
    """Walk the sorted ids from the first one that can match, up to ``limit`` matches."""
    ids = sorted_ids(store, spec, terms)
    if everything:
        return ids[:limit] if limit else list(ids)
    table = store.tables[spec.name]
    found: list[int] = []
    for position in range(_first_candidate(store, spec, terms, domain, ids), len(ids)):
        record_id = ids[position]
        if predicate(table[record_id]):
            found.append(record_id)
            if limit and len(found) >= limit:
                break
    return found


def _first_candidate(store, spec: ModelSpec, terms, domain, ids: list[int]) -> int:
    """Return the first position in ``ids`` that can match, by bisecting on a lower bound.

    Keyset pagination (``write_date >= S``, ``id > N``) would otherwise scan
    from the start on every page and make a full read quadratic.
    """
    first = terms[0]
    if first.descending or first.nulls_first:
        return 0
    bound = lower_bound(spec, first.field, domain)
    if bound is None:
        return 0
    keys = store.cached(("keys", spec.name, terms), (spec.name,), lambda: _sort_keys(store, spec, first.field, ids))
    value, inclusive = bound
    try:
        if inclusive:
            return bisect.bisect_left(keys, value)
        return bisect.bisect_right(keys, value)
    except TypeError:
        return 0


def _sort_keys(store, spec: ModelSpec, name: str, ids: list[int]) -> list:
    """Return the first order field's values along ``ids``, up to the first NULL."""
    table = store.tables[spec.name]
    keys = []
    for record_id in ids:
        value = table[record_id].get(name)
        if value is None:
            break
        keys.append(value)
    return keys


def count(store, spec: ModelSpec, domain, *, limit=None, context=None) -> int:
    """Count the records matching ``domain`` (stopping at ``limit`` when given)."""
    _domain, predicate, _filtered = compile_search(store, spec, domain, context)
    table = store.tables[spec.name]
    total = 0
    for record in table.values():
        if predicate(record):
            total += 1
            if limit and total >= limit:
                break
    return total
