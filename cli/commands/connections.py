"""``odoo-relay connections``: add, inspect, test, edit and remove Odoo connections."""

from __future__ import annotations

import os
from pathlib import Path

import click

from cli.commands.output import (
    API_KEY_ENV,
    PASSWORD_ENV,
    clock,
    emit,
    emit_record,
    find_connection,
    json_option,
    open_ledger,
    read_secret,
    running_engine,
    wait_for_command,
)
from cli.main import cli, db_option
from core.ledger.models import CommandKind, CommandStatus, ConnectionStatus, CredentialKind, Protocol

PROTOCOLS = click.Choice([protocol.value for protocol in Protocol])


@cli.group()
def connections() -> None:
    """Add, list, test, edit and remove Odoo connections."""


def credential_options(function):
    """Add ``--api-key/--password``: which kind of secret to read from the environment or a prompt."""
    return click.option(
        "--api-key/--password",
        "use_api_key",
        default=None,
        help=f"Log in with an API key (read from ${API_KEY_ENV}) or a password (${PASSWORD_ENV}). "
        "Users with two-factor login need an API key.",
    )(function)


def read_credential(use_api_key: bool | None):
    """Return (credential, kind); without a flag, an API key in the environment wins."""
    if use_api_key is None:
        use_api_key = API_KEY_ENV in os.environ
    if use_api_key:
        return read_secret(API_KEY_ENV, "API key"), CredentialKind.API_KEY
    return read_secret(PASSWORD_ENV, "Password"), CredentialKind.PASSWORD


@connections.command("add")
@click.option("--url", required=True, help="Odoo server address, e.g. https://odoo.example.com.")
@click.option("--database", help="Database name; found on its own on a single-database server.")
@click.option("--login", required=True, help="Odoo login (often the email address).")
@credential_options
@click.option("--name", help="Connection name (default: the database name).")
@click.option("--protocol", type=PROTOCOLS, default="auto", show_default=True, help="RPC protocol; auto picks the best the server offers.")
@click.option("--interval", type=int, default=900, show_default=True, help="Seconds between scheduled syncs (at least 30).")
@click.option("--stream", "streams", multiple=True, help="Stream to sync (repeatable; default: every available one).")
@click.option("--endpoint", "endpoint_url", help="Webhook URL to create with the connection.")
@click.option("--events", default="*", show_default=True, help="Event types for --endpoint, comma-separated (e.g. record.*,sync.failed).")
@json_option
@db_option
def add_connection(db_path: Path | None, as_json: bool, **options) -> None:
    """Test an Odoo connection and save it with its streams, token and optional endpoint.

    The token and the endpoint secret are printed once and cannot be shown again.
    """
    from cli.commands.onboard import add_from_options

    with open_ledger(db_path, create=True) as ledger:
        result = add_from_options(ledger, options)
    emit_record(result, as_json)


@connections.command("list")
@json_option
@db_option
def list_connections(db_path: Path | None, as_json: bool) -> None:
    """List connections with their status and last sync."""
    with open_ledger(db_path) as ledger:
        rows = [connection_row(connection) for connection in ledger.list_connections()]
    emit(rows, ["id", "name", "status", "url", "database", "login", "interval_seconds", "last_sync_at"], as_json)


@connections.command("show")
@click.argument("connection")
@json_option
@db_option
def show_connection(connection: str, db_path: Path | None, as_json: bool) -> None:
    """Show one connection (name or id), its streams and its tokens."""
    with open_ledger(db_path) as ledger:
        found = find_connection(ledger, connection)
        record = connection_row(found)
        record["streams"] = [stream_row(stream) for stream in ledger.list_streams(found.id)]
        record["tokens"] = [token_row(token) for token in ledger.list_tokens(found.id)]
    if as_json:
        emit_record(record, True)
        return
    streams, tokens = record.pop("streams"), record.pop("tokens")
    emit_record(record, False)
    click.echo("")
    emit(streams, ["name", "model", "enabled", "available", "unavailable_reason", "last_synced_at"], False)
    click.echo("")
    emit(tokens, ["prefix", "created_at", "revoked_at"], False)


@connections.command("test")
@click.argument("connection")
@json_option
@db_option
def test_connection_command(connection: str, db_path: Path | None, as_json: bool) -> None:
    """Log in with the stored credentials and check every stream; exit 1 on failure."""
    from cli.commands.onboard import retest

    with open_ledger(db_path) as ledger:
        found = find_connection(ledger, connection)
        record = retest(ledger, found)
    emit_record(record, as_json)
    if not record["ok"]:
        raise SystemExit(1)


@connections.command("edit")
@click.argument("connection")
@click.option("--login", help="New Odoo login; the credential is read again as well.")
@credential_options
@click.option("--credentials/--no-credentials", "change_login", default=None,
              help="Read and test new credentials (default: yes, unless only --interval is given).")
@click.option("--interval", type=int, help="Seconds between scheduled syncs (at least 30).")
@json_option
@db_option
def edit_connection(connection: str, db_path: Path | None, as_json: bool, login: str | None,
                    use_api_key: bool | None, change_login: bool | None, interval: int | None) -> None:
    """Change a connection's credentials (this issues a new token) or its interval.

    New credentials are tested before anything is saved; the old token stops
    working when the new one is issued.
    """
    from cli.commands.onboard import edit

    if change_login is None:
        change_login = interval is None or login is not None or use_api_key is not None
    with open_ledger(db_path) as ledger:
        found = find_connection(ledger, connection)
        record = edit(ledger, found, login, use_api_key, change_login, interval)
    emit_record(record, as_json)


@connections.command("disable")
@click.argument("connection")
@db_option
def disable_connection(connection: str, db_path: Path | None) -> None:
    """Stop syncing a connection; its token is rejected until it is enabled."""
    _change_state(connection, db_path, CommandKind.DISABLE, ConnectionStatus.DISABLED, "disabled from the command line")


@connections.command("enable")
@click.argument("connection")
@db_option
def enable_connection(connection: str, db_path: Path | None) -> None:
    """Start syncing a disabled connection again."""
    _change_state(connection, db_path, CommandKind.ENABLE, ConnectionStatus.PENDING, "enabled from the command line")


@connections.command("remove")
@click.argument("connection")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@db_option
def remove_connection(connection: str, db_path: Path | None, yes: bool) -> None:
    """Remove a connection, its streams and token; events and deliveries stay."""
    with open_ledger(db_path) as ledger:
        found = find_connection(ledger, connection)
        if not yes:
            click.confirm(f"Remove connection {found.name!r} and revoke its token?", abort=True)
        ledger.remove_connection(found.id)
    click.echo(f"removed connection {found.name} (id {found.id})")


def _change_state(reference: str, db_path: Path | None, kind: CommandKind, status: ConnectionStatus, reason: str) -> None:
    with open_ledger(db_path) as ledger:
        found = find_connection(ledger, reference)
        if running_engine(ledger) is not None:
            # The engine owns the schedule, so it must see the change itself.
            command = ledger.enqueue_command(kind, {"connection_id": found.id}, clock().now())
            finished = wait_for_command(ledger, command.id, timeout=30)
            if finished.status is CommandStatus.FAILED:
                raise click.ClickException(f"{kind.value} of connection {found.name!r} failed: {finished.error}")
        else:
            _change_state_here(ledger, found, status, reason)
        current = ledger.get_connection(found.id)
    click.echo(f"connection {current.name} is {current.status.value}")


def _change_state_here(ledger, connection, status: ConnectionStatus, reason: str) -> None:
    # The same writes the engine's command loop makes: a disabled connection
    # leaves the schedule, an enabled one is due at once.
    now = clock().now()
    if status is ConnectionStatus.PENDING and connection.status is not ConnectionStatus.DISABLED:
        return
    ledger.set_status(connection.id, status, reason, now)
    ledger.schedule(connection.id, None if status is ConnectionStatus.DISABLED else now, 0)


def connection_row(connection) -> dict:
    """Return the public fields of a connection; the credential is never included."""
    return {
        "id": connection.id,
        "name": connection.name,
        "status": connection.status,
        "status_reason": connection.status_reason,
        "url": connection.url,
        "database": connection.database,
        "login": connection.login,
        "credential_kind": connection.credential_kind,
        "protocol": connection.detected_protocol or connection.protocol,
        "server_version": connection.server_version,
        "interval_seconds": connection.interval_seconds,
        "next_sync_at": connection.next_sync_at,
        "last_sync_at": connection.last_sync_at,
        "last_success_at": connection.last_success_at,
    }


def stream_row(stream) -> dict:
    """Return the fields of a stream shown by ``connections show``."""
    return {
        "name": stream.name,
        "model": stream.model,
        "enabled": stream.enabled,
        "available": stream.available,
        "unavailable_reason": stream.unavailable_reason,
        "last_synced_at": stream.last_synced_at,
    }


def token_row(token) -> dict:
    """Return a token's display prefix and dates; the value is never stored."""
    return {"prefix": token.prefix, "created_at": token.created_at, "revoked_at": token.revoked_at}
