"""``odoo-relay endpoints``: webhook endpoints that receive signed events."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click

from cli.commands.output import clock, emit, emit_record, find_connection, json_option, open_ledger, run_async
from cli.main import cli, db_option
from core.ledger.models import NewEndpoint

SECRET_NOTE = "shown once: store it in the receiver now, it cannot be shown again"


@cli.group()
def endpoints() -> None:
    """Add, list, test and remove webhook endpoints."""


@endpoints.command("add")
@click.argument("url")
@click.option("--events", default="*", show_default=True, help="Event types, comma-separated (e.g. record.*,sync.failed).")
@click.option("--connection", help="Only events of this connection (name or id; default: all).")
@click.option("--description", default="", help="Free text shown in lists.")
@json_option
@db_option
def add(url: str, events: str, connection: str | None, description: str, db_path: Path | None, as_json: bool) -> None:
    """Add an endpoint for URL with a new signing secret, printed once."""
    from core.onboarding.draft import parse_event_filter
    from core.webhooks.signing import generate_secret

    _check_endpoint_url(url)
    try:
        event_types = parse_event_filter(events)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--events") from None

    secret = generate_secret()
    with open_ledger(db_path, create=True) as ledger:
        connection_id = find_connection(ledger, connection).id if connection else None
        endpoint = ledger.add_endpoint(
            NewEndpoint(url=url, secret=secret, event_types=event_types, connection_id=connection_id,
                        description=description),
            clock().now(),
        )
    emit_record({**endpoint_row(endpoint), "secret": secret.reveal(), "secret_note": SECRET_NOTE}, as_json)


@endpoints.command("list")
@json_option
@db_option
def list_endpoints(db_path: Path | None, as_json: bool) -> None:
    """List endpoints; secrets are never printed here."""
    with open_ledger(db_path) as ledger:
        rows = [endpoint_row(endpoint) for endpoint in ledger.list_endpoints()]
    emit(rows, ["id", "url", "event_types", "connection_id", "enabled", "disabled_reason"], as_json)


@endpoints.command("remove")
@click.argument("endpoint_id", type=int)
@db_option
def remove(endpoint_id: int, db_path: Path | None) -> None:
    """Remove an endpoint; its pending deliveries fail as 'endpoint removed'."""
    with open_ledger(db_path) as ledger:
        _require(ledger, endpoint_id)
        ledger.remove_endpoint(endpoint_id)
    click.echo(f"removed endpoint {endpoint_id}")


@endpoints.command("rotate-secret")
@click.argument("endpoint_id", type=int)
@click.option("--grace-hours", type=float, default=24.0, show_default=True,
              help="Hours during which the old secret still signs messages (0 ends it now).")
@json_option
@db_option
def rotate_secret(endpoint_id: int, grace_hours: float, db_path: Path | None, as_json: bool) -> None:
    """Give an endpoint a new signing secret, printed once."""
    from core.webhooks.signing import generate_secret

    if grace_hours < 0:
        raise click.BadParameter(f"{grace_hours} is negative; use 0 or more hours", param_hint="--grace-hours")
    secret = generate_secret()
    now = clock().now()
    with open_ledger(db_path) as ledger:
        _require(ledger, endpoint_id)
        ledger.rotate_endpoint_secret(endpoint_id, secret, now + timedelta(hours=grace_hours), now)
    emit_record({"id": endpoint_id, "secret": secret.reveal(), "secret_note": SECRET_NOTE,
                 "previous_secret_valid_until": now + timedelta(hours=grace_hours)}, as_json)


@endpoints.command("test")
@click.argument("endpoint_id", type=int)
@json_option
@db_option
def test(endpoint_id: int, db_path: Path | None, as_json: bool) -> None:
    """Send one signed endpoint.test event and print the receiver's response; exit 1 unless 2xx."""
    from core.onboarding.test_event import send_test_event

    with open_ledger(db_path) as ledger:
        endpoint = _require(ledger, endpoint_id)
    result = run_async(send_test_event(endpoint.url, endpoint.secret, clock()))
    emit_record({"event_id": result.event_id, "ok": result.ok, "status_code": result.status_code,
                 "excerpt": result.excerpt, "error": result.error}, as_json)
    if not result.ok:
        raise SystemExit(1)


def endpoint_row(endpoint) -> dict:
    """Return the public fields of an endpoint; the secret is left out."""
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "event_types": endpoint.event_types,
        "connection_id": endpoint.connection_id,
        "description": endpoint.description,
        "enabled": endpoint.enabled,
        "disabled_reason": endpoint.disabled_reason,
        "created_at": endpoint.created_at,
    }


def _require(ledger, endpoint_id: int):
    endpoint = ledger.get_endpoint(endpoint_id)
    if endpoint is None:
        raise click.ClickException(f"endpoint {endpoint_id} not found; list them with `odoo-relay endpoints list`")
    return endpoint


def _check_endpoint_url(url: str) -> None:
    from core.onboarding.urls import InvalidUrlError, check_endpoint_url

    try:
        checked = check_endpoint_url(url)
    except InvalidUrlError as error:
        raise click.BadParameter(str(error), param_hint="URL") from None
    for warning in checked.warnings:
        click.echo(f"warning: {warning}", err=True)
