"""Helpers shared by the headless subcommands: ledger access, secrets, tables and JSON.

Nothing here imports Textual, so scripts start fast.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import sqlite3
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

import click

from cli.main import resolve_db
from core.clock import SystemClock
from core.paths import LEDGER_ENV
from core.secrets import Secret

PASSWORD_ENV = "ODOO_RELAY_PASSWORD"
API_KEY_ENV = "ODOO_RELAY_API_KEY"

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of a table.")


@contextmanager
def open_ledger(db_path: Path | None, create: bool = False) -> Iterator[Any]:
    """Open the ledger named by ``--db`` (or the group's default) and close it afterwards.

    Only commands that add something pass ``create``: a mistyped ``--db``
    must not leave a new empty ledger behind. Ledger errors on open, and a
    busy ledger later on, end the command with one line on stderr (exit 1).
    """
    from core.ledger import LedgerBusyError

    path = resolve_db(click.get_current_context(), db_path)
    ledger = _open_or_fail(path, create)
    try:
        yield ledger
    except LedgerBusyError as error:
        raise click.ClickException(str(error)) from None
    finally:
        ledger.close()


def _open_or_fail(path: Path, create: bool):
    from core.ledger import Ledger, LedgerError

    if not create and not path.exists():
        raise click.ClickException(
            f"no ledger at {path}; add a connection with `odoo-relay connections add` or open the monitor "
            f"(`odoo-relay`) to create one, or point --db or ${LEDGER_ENV} at an existing ledger"
        )
    try:
        return Ledger.open(path, create=create)
    except LedgerError as error:
        # The ledger's messages name the path and the fix already.
        raise click.ClickException(str(error)) from None
    except sqlite3.OperationalError as error:
        # Ledger.open maps lock timeouts to LedgerBusyError; other SQLite
        # failures on open (an unreadable journal, for one) still land here.
        raise click.ClickException(
            f"cannot open ledger {path}: {error}; another process may be writing to it, so try again, "
            "and check for a process stuck in a long write"
        ) from None
    except OSError as error:
        # For example a parent directory that may not be created or read.
        reason = error.strerror or str(error)
        raise click.ClickException(
            f"cannot open ledger {path}: {reason}; check the permissions of {error.filename or path}, "
            f"or point --db or ${LEDGER_ENV} at another file"
        ) from None


def read_secret(env_var: str, prompt: str) -> Secret:
    """Read a secret from ``env_var``, else from a hidden prompt; never from an argument.

    Without a terminal, the first line of standard input is the secret, so
    ``secret-tool lookup ... | odoo-relay connections add ...`` works.
    """
    value = os.environ.get(env_var)
    if value is not None:
        source = f"${env_var} is set but empty; export the value in it"
    elif sys.stdin.isatty():
        value = click.prompt(f"{prompt} (or set ${env_var})", hide_input=True, default="", show_default=False)
        source = f"set ${env_var} or type it at the prompt"
    else:
        value = sys.stdin.readline().rstrip("\r\n")
        source = f"there is no terminal to prompt on, so set ${env_var} or write it to standard input"
    if not value:
        # "Password" reads as "password" mid-sentence, but "API key" keeps its acronym.
        what = prompt if prompt[:2].isupper() else prompt.lower()
        raise click.UsageError(f"missing {what}: {source}")
    return Secret(value)


def run_async(coroutine):
    """Run one coroutine to completion from a synchronous click command."""
    return asyncio.run(coroutine)


def clock() -> SystemClock:
    """Return the wall clock; commands take it from here so tests see one source."""
    return SystemClock()


def find_connection(ledger, reference: str):
    """Return the connection named ``reference`` (a name or a numeric id), or fail."""
    connection = ledger.get_connection_by_name(reference)
    if connection is None and reference.isdigit():
        connection = ledger.get_connection(int(reference))
    if connection is None:
        names = ", ".join(c.name for c in ledger.list_connections()) or "none yet"
        raise click.ClickException(
            f"connection {reference!r} not found; existing connections: {names} "
            "(add one with `odoo-relay connections add`)"
        )
    return connection


def running_engine(ledger):
    """Return the engine running on this ledger, if its heartbeat is fresh."""
    from core.engine import Engine

    return Engine.find_running(ledger)


def wait_for_command(ledger, command_id: int, timeout: float):
    """Poll the ledger until the engine finishes the command, or fail after ``timeout`` seconds."""
    from core.ledger.models import CommandStatus

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        command = ledger.get_command(command_id)
        if command.status in (CommandStatus.DONE, CommandStatus.FAILED):
            return command
        time.sleep(0.2)
    raise click.ClickException(
        f"command {command_id} was not finished within {timeout:.0f} s; the engine may be busy "
        "(check it with `odoo-relay` or raise --timeout)"
    )


def emit(rows: Sequence[dict[str, Any]], columns: Sequence[str], as_json: bool) -> None:
    """Print ``rows`` as a JSON array or as an aligned table of ``columns``."""
    if as_json:
        click.echo(to_json(list(rows)))
        return
    if not rows:
        click.echo("(none)")
        return
    cells = [[display(row.get(column)) for column in columns] for row in rows]
    widths = [max(len(column), *(len(line[i]) for line in cells)) for i, column in enumerate(columns)]
    click.echo("  ".join(column.upper().ljust(width) for column, width in zip(columns, widths)).rstrip())
    for line in cells:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())


def emit_record(record: dict[str, Any], as_json: bool) -> None:
    """Print one object as JSON or as ``key: value`` lines."""
    if as_json:
        click.echo(to_json(record))
        return
    width = max(len(key) for key in record)
    for key, value in record.items():
        if isinstance(value, dict) and value:
            # A nested mapping (streams of a test or a run) reads best one per line.
            click.echo(key)
            inner = max(len(str(name)) for name in value)
            for name, item in value.items():
                click.echo(f"  {str(name).ljust(inner)}  {display(item)}")
            continue
        click.echo(f"{key.ljust(width)}  {display(value)}")


def to_json(value: Any) -> str:
    """Serialise rows that may contain datetimes, enums, dataclasses and secrets."""
    return json.dumps(value, default=_json_default, indent=2, ensure_ascii=False)


def display(value: Any) -> str:
    """Return a table cell for ``value``."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, (list, tuple)):
        return ",".join(display(item) for item in value)
    return str(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Secret):
        return str(value)  # the mask: a secret never reaches JSON output by accident
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    raise TypeError(f"cannot serialise {type(value).__name__} as JSON")
