"""``odoo-relay tokens``: replace a connection's API token."""

from __future__ import annotations

from pathlib import Path

import click

from cli.commands.output import clock, emit_record, find_connection, json_option, open_ledger
from cli.main import cli, db_option


@cli.group()
def tokens() -> None:
    """Manage per-connection API tokens."""


@tokens.command("rotate")
@click.argument("connection")
@json_option
@db_option
def rotate(connection: str, db_path: Path | None, as_json: bool) -> None:
    """Issue a new token for CONNECTION (name or id); the old one stops working at once.

    The new token is printed once and cannot be shown again.
    """
    from core.onboarding.finish import rotate_token

    with open_ledger(db_path) as ledger:
        found = find_connection(ledger, connection)
        token = rotate_token(ledger, found.id, clock())
    emit_record(
        {"connection": found.name, "token": token.value, "prefix": token.prefix,
         "token_note": "shown once: store it now, it cannot be shown again"},
        as_json,
    )
