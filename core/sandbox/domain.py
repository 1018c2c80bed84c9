"""Compile an Odoo domain into a predicate over stored records.

Domains are lists in prefix (Polish) notation: ``'&'``, ``'|'`` and ``'!'``
take the next one, two or two terms, and terms side by side are joined by an
implicit ``'&'``. Leaves are ``(field, operator, value)``; the field may be a
dotted path through many2one fields. Errors use Odoo 18's wording.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Callable

from core.sandbox.errors import NumericValueOutOfRange
from core.sandbox.schema import INT4_MAX, Field, ModelSpec

Predicate = Callable[[dict], bool]

OPERATORS = frozenset(
    {"=", "!=", "<>", "<", "<=", ">", ">=", "in", "not in", "like", "not like", "ilike", "not ilike", "=like", "=ilike"}
)
NEGATIVE = {"!=": "=", "<>": "=", "not in": "in", "not like": "like", "not ilike": "ilike"}
TRUE_LEAF = (1, "=", 1)
FALSE_LEAF = (0, "=", 1)


def compile_domain(store, spec: ModelSpec, domain) -> Predicate:
    """Return a predicate for ``domain`` on ``spec``; raises ValueError like Odoo."""
    if not isinstance(domain, (list, tuple)):
        raise ValueError(f"Invalid domain {domain!r}: expected a list of leaves and operators")
    stack: list[Predicate] = []
    for term in reversed(domain):
        if term in ("&", "|"):
            _require(stack, 2, domain)
            first, second = stack.pop(), stack.pop()
            stack.append(_and(first, second) if term == "&" else _or(first, second))
        elif term == "!":
            _require(stack, 1, domain)
            inner = stack.pop()
            stack.append(lambda record, inner=inner: not inner(record))
        else:
            stack.append(compile_leaf(store, spec, term))
    if not stack:
        return lambda record: True
    predicate = stack.pop()
    while stack:
        predicate = _and(predicate, stack.pop())
    return predicate


def mentions_field(domain, name: str) -> bool:
    """Tell whether any leaf of ``domain`` is on the field ``name``."""
    for term in domain or ():
        if isinstance(term, (list, tuple)) and len(term) == 3 and isinstance(term[0], str):
            if term[0].split(".")[0] == name:
                return True
    return False


def _require(stack: list, count: int, domain) -> None:
    if len(stack) < count:
        raise ValueError(f"Domain {_as_repr(domain)} is syntactically not correct.")


def _as_repr(domain) -> str:
    return repr([tuple(term) if isinstance(term, list) else term for term in domain])


def _and(first: Predicate, second: Predicate) -> Predicate:
    return lambda record: first(record) and second(record)


def _or(first: Predicate, second: Predicate) -> Predicate:
    return lambda record: first(record) or second(record)


def compile_leaf(store, spec: ModelSpec, term) -> Predicate:
    """Compile one ``(field, operator, value)`` leaf."""
    if not isinstance(term, (list, tuple)) or len(term) != 3:
        raise ValueError(f"Invalid leaf {_leaf_repr(term)}")
    leaf = tuple(term)
    if leaf == TRUE_LEAF:
        return lambda record: True
    if leaf == FALSE_LEAF:
        return lambda record: False
    path, operator, value = leaf
    if not isinstance(operator, str) or operator.lower() not in OPERATORS:
        raise ValueError(f"Invalid leaf {leaf!r}")
    if not isinstance(path, str):
        raise ValueError(f"Invalid leaf {leaf!r}")
    return _compile_path(store, spec, path.split("."), operator.lower(), value, leaf)


def _leaf_repr(term) -> str:
    return repr(tuple(term)) if isinstance(term, list) else repr(term)


def _compile_path(store, spec: ModelSpec, parts: list[str], operator: str, value, leaf) -> Predicate:
    field = spec.fields.get(parts[0])
    if field is None:
        raise ValueError(f"Invalid field {spec.name}.{parts[0]} in leaf {leaf!r}")
    if len(parts) == 1:
        return _compile_field(store, spec, field, operator, value)
    if field.type != "many2one" or field.relation not in store.tables:
        raise ValueError(f"Invalid field {spec.name}.{'.'.join(parts)} in leaf {leaf!r}")
    inner = _compile_path(store, store.spec(field.relation), parts[1:], operator, value, leaf)
    table = store.tables[field.relation]
    name = field.name

    def follow(record: dict) -> bool:
        target = table.get(record.get(name))
        return target is not None and inner(target)

    return follow


def _compile_field(store, spec: ModelSpec, field: Field, operator: str, value) -> Predicate:
    if operator in NEGATIVE:
        positive = _compile_field(store, spec, field, NEGATIVE[operator], value)
        return lambda record: not positive(record)
    if field.type in ("one2many", "many2many"):
        return _compile_x2many(store, field, operator, value)
    read = _reader(store, field)
    if operator in ("like", "ilike", "=like", "=ilike"):
        text_read = _text_reader(store, field, read)
        return _compile_like(text_read, operator, value)
    if field.type == "many2one" and isinstance(value, str) and operator == "=":
        text_read = _text_reader(store, field, read)
        return lambda record: text_read(record) == value
    if operator == "in":
        return _compile_in(spec, field, read, value)
    return _compile_compare(spec, field, read, operator, value)


def _reader(store, field: Field) -> Callable[[dict], object]:
    name = field.name
    if field.type == "one2many":
        return lambda record: store.inverse_ids(field, record["id"])
    if field.name == "display_name":
        # Odoo searches display_name through the model's name field.
        return lambda record: record.get("name")
    return lambda record: record.get(name)


def _text_reader(store, field: Field, read) -> Callable[[dict], str | None]:
    """Read the text a like/ilike leaf matches: a many2one's display name."""
    if field.type != "many2one":
        return read
    relation = field.relation
    return lambda record: store.display_name(relation, read(record)) if read(record) else None


def _compile_like(read, operator: str, value) -> Predicate:
    if value is False or value is None:
        return lambda record: not read(record)
    text = str(value)
    if operator in ("=like", "=ilike"):
        flags = re.IGNORECASE if operator == "=ilike" else 0
        pattern = re.compile(_sql_pattern(text), flags | re.DOTALL)
        return lambda record: (found := read(record)) is not None and found is not False and bool(pattern.fullmatch(str(found)))
    if "%" in text or "_" in text:
        # Odoo wraps the value in % and keeps its own % and _ as wildcards.
        flags = re.IGNORECASE if operator == "ilike" else 0
        pattern = re.compile(_sql_pattern(text), flags | re.DOTALL)
        return lambda record: bool(found := read(record)) and pattern.search(str(found)) is not None
    if operator == "ilike":
        needle = text.casefold()
        return lambda record: bool(found := read(record)) and needle in str(found).casefold()
    return lambda record: bool(found := read(record)) and text in str(found)


def _sql_pattern(text: str) -> str:
    """Translate a SQL LIKE pattern (% and _) into a regular expression."""
    parts = []
    for char in text:
        if char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def _compile_x2many(store, field: Field, operator: str, value) -> Predicate:
    read = _reader(store, field)
    if value is False or value is None or value == []:
        empty = operator in ("=", "in")
        return lambda record: (not read(record)) == empty
    if operator in ("like", "ilike", "=like", "=ilike"):
        relation = field.relation
        match = _compile_like(lambda name: name, operator, value)
        return lambda record: any(match(store.display_name(relation, item) or "") for item in read(record) or ())
    wanted = set(value) if isinstance(value, (list, tuple)) else {value}
    return lambda record: bool(wanted.intersection(read(record) or ()))


def _compile_in(spec: ModelSpec, field: Field, read, value) -> Predicate:
    values = list(value) if isinstance(value, (list, tuple, set)) else [value]
    wants_null = False in values or None in values
    wanted = {_coerce(spec, field, item) for item in values if item is not False and item is not None}
    if field.type == "boolean":
        return lambda record: bool(read(record)) in wanted or (wants_null and not read(record))
    return lambda record: (found := read(record)) in wanted or (wants_null and found is None)


def _compile_compare(spec: ModelSpec, field: Field, read, operator: str, value) -> Predicate:
    if value is False or value is None:
        if field.type == "boolean" and operator == "=":
            return lambda record: not read(record)
        if operator == "=":
            return lambda record: read(record) in (None, False, "")
        return lambda record: False
    target = _coerce(spec, field, value)
    if field.type == "boolean" and operator == "=":
        return lambda record: bool(read(record)) == target
    if operator == "=":
        return lambda record: read(record) == target
    compare = _COMPARE[operator]
    return lambda record: (found := read(record)) is not None and compare(found, target)


_COMPARE = {
    "<": lambda found, target: found < target,
    "<=": lambda found, target: found <= target,
    ">": lambda found, target: found > target,
    ">=": lambda found, target: found >= target,
}


def _coerce(spec: ModelSpec, field: Field, value):
    """Convert a domain value to the stored type, as PostgreSQL casts it."""
    kind = "integer" if field.name == "id" else field.type
    if kind in ("integer", "many2one"):
        number = int(value)
        if number > INT4_MAX or number < -(2**31):
            raise out_of_range(spec, field, number)
        return number
    if kind in ("float", "monetary"):
        return float(value)
    if kind == "boolean":
        return bool(value)
    if kind == "datetime":
        return parse_domain_datetime(value)
    if kind == "date":
        return value.isoformat()[:10] if isinstance(value, dt.date) else str(value)[:10]
    return value


def parse_domain_datetime(value) -> dt.datetime:
    """Parse a datetime in a domain as PostgreSQL does for ``timestamp``.

    Unlike written values, domain values may use a ``T`` separator, a date
    alone, or a zone suffix (which PostgreSQL ignores for ``timestamp``).
    """
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time.min)
    text = str(value).strip().replace("T", " ")
    text = re.sub(r"(Z|[+-]\d{2}(:?\d{2})?)$", "", text)
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f'invalid input syntax for type timestamp: "{value}"') from None


def out_of_range(spec: ModelSpec, field: Field, number: int) -> NumericValueOutOfRange:
    """Build PostgreSQL's error for an int4 comparison value that does not fit.

    The second line quotes the query around the literal, 50 characters
    before it and 10 from it, with a caret under it, as psql-style errors do.
    """
    table = spec.table
    active = f'("{table}"."active" = true) AND ' if spec.has_active else ""
    query = f'SELECT "{table}"."id" FROM "{table}" WHERE {active}("{table}"."{field.name}" = \'{number}\') ORDER BY "{table}"."id"'
    cursor = query.index(f"'{number}'")
    start = max(0, cursor - 50)
    excerpt = query[start : cursor + 10]
    if start:
        excerpt = "..." + excerpt
    if cursor + 10 < len(query):
        excerpt += "..."
    caret = " " * (len("LINE 1: ") + (3 if start else 0) + cursor - start) + "^"
    # NOTE: the quoted query is an imitation; only the first line and the
    # layout match PostgreSQL, and the implicit active leaf is assumed.
    return NumericValueOutOfRange(f'value "{number}" is out of range for type integer\nLINE 1: {excerpt}\n{caret}\n')


def top_level_leaves(domain) -> list[tuple]:
    """Return the leaves every match must satisfy: those joined by top-level ``'&'``s."""
    nodes = []
    position = 0
    try:
        while position < len(domain):
            node, position = _parse_term(domain, position)
            nodes.append(node)
    except (IndexError, TypeError):
        return []
    leaves: list[tuple] = []
    while nodes:
        node = nodes.pop()
        if node[0] == "&":
            nodes.extend(node[1:])
        elif node[0] == "leaf":
            leaves.append(node[1])
    return leaves


def _parse_term(domain, position: int) -> tuple[tuple, int]:
    term = domain[position]
    if term in ("&", "|"):
        first, position = _parse_term(domain, position + 1)
        second, position = _parse_term(domain, position)
        return (term, first, second), position
    if term == "!":
        inner, position = _parse_term(domain, position + 1)
        return ("!", inner), position
    return ("leaf", tuple(term)), position + 1


def lower_bound(spec: ModelSpec, field_name: str, domain) -> tuple[object, bool] | None:
    """Return the tightest ``(value, inclusive)`` lower bound the domain puts on a field."""
    field = spec.fields.get(field_name)
    if field is None or field.type in ("many2one", "one2many", "many2many", "boolean"):
        return None
    best: tuple[object, bool] | None = None
    for leaf in top_level_leaves(domain):
        if len(leaf) != 3 or leaf[0] != field_name or leaf[1] not in (">", ">=") or leaf[2] in (None, False):
            continue
        try:
            value = _coerce(spec, field, leaf[2])
        except (TypeError, ValueError, NumericValueOutOfRange):
            continue
        inclusive = leaf[1] == ">="
        if best is None or value > best[0] or (value == best[0] and not inclusive):
            best = (value, inclusive)
    return best
