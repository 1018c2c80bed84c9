"""Odoo's one2many write commands, applied through the store.

A one2many value in ``create`` or ``write`` is a list of commands. Each is a
list or tuple that starts with its code:

- ``(0, 0, values)`` creates a line and ``(1, id, values)`` updates one.
- ``(2, id)`` deletes a line, ``(3, id)`` unlinks it and ``(4, id)`` links it.
- ``(5,)`` unlinks every line and ``(6, 0, ids)`` keeps exactly ``ids``.
"""

from __future__ import annotations

from core.sandbox.schema import Field


def apply_one2many(store, parent_id: int, field: Field, commands, uid: int) -> None:
    """Apply a list of one2many commands to the lines of ``parent_id``."""
    if field.relation not in store.tables:
        # NOTE: lines of models the sandbox does not serve (such as
        # purchase.order.line) are dropped without an error.
        return
    if not isinstance(commands, (list, tuple)):
        raise ValueError(f"Invalid one2many value {commands!r} for {field.name}: expected a list of commands")
    for command in commands:
        _apply(store, parent_id, field, command, uid)


def _apply(store, parent_id: int, field: Field, command, uid: int) -> None:
    if not isinstance(command, (list, tuple)) or not command:
        raise ValueError(f"Invalid one2many command {command!r} for {field.name}")
    relation, inverse = field.relation, field.inverse
    code = command[0]
    if code == 0:
        store.create(relation, {**command[2], inverse: parent_id}, uid=uid)
    elif code == 1:
        store.write(relation, [command[1]], command[2], uid=uid)
    elif code == 2:
        store.unlink(relation, [command[1]], uid=uid)
    elif code == 3:
        store.write(relation, [command[1]], {inverse: False}, uid=uid)
    elif code == 4:
        store.write(relation, [command[1]], {inverse: parent_id}, uid=uid)
    elif code == 5:
        _set_lines(store, parent_id, field, [], uid)
    elif code == 6:
        _set_lines(store, parent_id, field, list(command[2]), uid)
    else:
        raise ValueError(f"Invalid one2many command {command!r} for {field.name}")


def _set_lines(store, parent_id: int, field: Field, wanted: list[int], uid: int) -> None:
    current = store.inverse_ids(field, parent_id)
    dropped = [line for line in current if line not in wanted]
    added = [line for line in wanted if line not in current]
    if dropped:
        store.write(field.relation, dropped, {field.inverse: False}, uid=uid)
    if added:
        store.write(field.relation, added, {field.inverse: parent_id}, uid=uid)
