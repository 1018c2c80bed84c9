"""Field and model definitions: the sandbox's equivalent of Odoo's ``_fields``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

# The largest value of a PostgreSQL int4 column (integer and many2one fields).
INT4_MAX = 2**31 - 1


@dataclass(frozen=True)
class Field:
    """One field of a model, with the attributes ``fields_get`` returns."""

    name: str
    type: str
    string: str
    required: bool = False
    readonly: bool = False
    relation: str | None = None
    selection: tuple[tuple[str, str], ...] | None = None
    # For one2many: the many2one field on ``relation`` that points back here.
    inverse: str | None = None
    # Computed fields are derived at read time and never stored.
    computed: bool = False

    def attributes(self) -> dict[str, object]:
        """Return every attribute as ``fields_get`` sends it, keys sorted."""
        values: dict[str, object] = {
            "name": self.name,
            "readonly": self.readonly,
            "required": self.required,
            "searchable": True,
            "sortable": not self.computed and self.type not in ("one2many", "many2many"),
            "store": not self.computed,
        }
        if self.relation:
            values["relation"] = self.relation
        if self.selection is not None:
            values["selection"] = [list(pair) for pair in self.selection]
        values["string"] = self.string
        values["type"] = self.type
        return dict(sorted(values.items()))


@dataclass
class ModelSpec:
    """A model: its fields in definition order, default order and wording."""

    name: str
    description: str
    table: str
    order: str
    fields: dict[str, Field]
    # Groups named in AccessError messages, per operation.
    read_groups: tuple[str, ...] = ()
    write_groups: tuple[str, ...] = ()
    # The model named in "mandatory field is not set" errors, for models that
    # store their required fields on a parent model (product.template).
    required_model: tuple[str, str] | None = None
    # The display_name function of a stored record and the store (for names
    # of related records). None means the record's ``name``.
    display_name: Callable[[dict, object], str] | None = None
    defaults: dict[str, object] = field(default_factory=dict)

    @property
    def has_active(self) -> bool:
        return "active" in self.fields


def char(name: str, string: str, **options) -> Field:
    return Field(name, "char", string, **options)


def text(name: str, string: str, **options) -> Field:
    return Field(name, "text", string, **options)


def html(name: str, string: str, **options) -> Field:
    return Field(name, "html", string, **options)


def integer(name: str, string: str, **options) -> Field:
    return Field(name, "integer", string, **options)


def floating(name: str, string: str, **options) -> Field:
    return Field(name, "float", string, **options)


def monetary(name: str, string: str, **options) -> Field:
    return Field(name, "monetary", string, **options)


def boolean(name: str, string: str, **options) -> Field:
    return Field(name, "boolean", string, **options)


def date(name: str, string: str, **options) -> Field:
    return Field(name, "date", string, **options)


def datetime_(name: str, string: str, **options) -> Field:
    return Field(name, "datetime", string, **options)


def many2one(name: str, string: str, relation: str, **options) -> Field:
    return Field(name, "many2one", string, relation=relation, **options)


def one2many(name: str, string: str, relation: str, inverse: str, **options) -> Field:
    return Field(name, "one2many", string, relation=relation, inverse=inverse, computed=True, **options)


def many2many(name: str, string: str, relation: str, **options) -> Field:
    return Field(name, "many2many", string, relation=relation, **options)


def selection(name: str, string: str, choices: tuple[tuple[str, str], ...], **options) -> Field:
    return Field(name, "selection", string, selection=choices, **options)


def magic_fields() -> list[Field]:
    """Return the fields every Odoo model has, in Odoo's order."""
    return [
        integer("id", "ID", readonly=True),
        char("display_name", "Display Name", readonly=True, computed=True),
        many2one("create_uid", "Created by", "res.users", readonly=True),
        datetime_("create_date", "Created on", readonly=True),
        many2one("write_uid", "Last Updated by", "res.users", readonly=True),
        datetime_("write_date", "Last Updated on", readonly=True),
    ]


def build_fields(*fields: Field) -> dict[str, Field]:
    """Return the model's fields followed by the magic ones, keyed by name."""
    return {item.name: item for item in [*fields, *magic_fields()]}
