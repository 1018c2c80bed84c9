"""``odoo-relay deliveries``: inspect webhook deliveries and send failed ones again."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from cli.commands.output import clock, emit, emit_record, json_option, open_ledger, running_engine, wait_for_command
from cli.main import cli, db_option
from core.clock import utc
from core.ledger.models import CommandKind, CommandStatus, DeliveryFilter, DeliveryState

STATES = click.Choice([state.value for state in DeliveryState])
COLUMNS = ["id", "state", "event_type", "event_id", "endpoint_id", "attempts", "last_status_code", "last_error",
           "next_attempt_at", "created_at"]


@cli.group()
def deliveries() -> None:
    """List webhook deliveries and retry them."""


@deliveries.command("list")
@click.option("--state", type=STATES, help="Only deliveries in this state.")
@click.option("--endpoint", "endpoint_id", type=int, help="Only deliveries to this endpoint id.")
@click.option("--event-type", help="Exact event type or a pattern such as record.*.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True, help="Rows to print, newest first.")
@json_option
@db_option
def list_deliveries(state: str | None, endpoint_id: int | None, event_type: str | None, limit: int,
                    db_path: Path | None, as_json: bool) -> None:
    """List deliveries, newest first."""
    selection = DeliveryFilter(state=DeliveryState(state) if state else None, endpoint_id=endpoint_id,
                               event_type=event_type)
    with open_ledger(db_path) as ledger:
        page = ledger.list_deliveries(selection, limit=limit)
    emit([delivery_row(delivery) for delivery in page.items], COLUMNS, as_json)


@deliveries.command("retry")
@click.argument("delivery_id", type=int, required=False)
@click.option("--failed", is_flag=True, help="Retry every failed delivery (narrow with --endpoint and --since).")
@click.option("--endpoint", "endpoint_id", type=int, help="With --failed: only this endpoint id.")
@click.option("--since", type=click.DateTime(), help="With --failed: only deliveries created at or after this UTC time.")
@click.option("--force", is_flag=True, help="Send a delivery again even if it succeeded.")
@json_option
@db_option
def retry(delivery_id: int | None, failed: bool, endpoint_id: int | None, since: datetime | None, force: bool,
          db_path: Path | None, as_json: bool) -> None:
    """Queue DELIVERY_ID, or with --failed every failed delivery, for another attempt."""
    _check_retry_usage(delivery_id, failed, endpoint_id, since)
    since_utc = utc(since) if since else None
    with open_ledger(db_path) as ledger:
        if endpoint_id is not None:
            _require_endpoint(ledger, endpoint_id)
        if running_engine(ledger) is not None:
            record = _retry_by_engine(ledger, delivery_id, endpoint_id, since_utc, force)
        else:
            record = _retry_in_ledger(ledger, delivery_id, endpoint_id, since_utc, force)
    emit_record(record, as_json)
    if delivery_id is not None and not record.get("retried"):
        raise SystemExit(1)


def _check_retry_usage(delivery_id, failed, endpoint_id, since) -> None:
    if (delivery_id is None) == (not failed):
        raise click.UsageError("give either one DELIVERY_ID or --failed")
    if delivery_id is not None and (endpoint_id is not None or since is not None):
        raise click.UsageError("--endpoint and --since narrow --failed; drop them when retrying one id")


def _retry_in_ledger(ledger, delivery_id, endpoint_id, since, force) -> dict:
    # No engine runs: the deliveries wait, due, until one starts.
    now = clock().now()
    if delivery_id is not None:
        _require(ledger, delivery_id)
        result = ledger.retry_delivery(delivery_id, now, force=force)
        return {"delivery_id": delivery_id, "retried": result.retried, "reason": _cli_reason(result.reason),
                "note": "no engine runs on this ledger; start `odoo-relay serve` to send it"}
    count = ledger.retry_failed(now, endpoint_id=endpoint_id, since=since)
    return {"retried": count, "note": "no engine runs on this ledger; start `odoo-relay serve` to send them"}


def _retry_by_engine(ledger, delivery_id, endpoint_id, since, force) -> dict:
    if delivery_id is not None:
        _require(ledger, delivery_id)
        kind, args = CommandKind.RETRY_DELIVERY, {"delivery_id": delivery_id, "force": force}
    else:
        kind, args = CommandKind.RETRY_FAILED, {"endpoint_id": endpoint_id,
                                                "since": since.isoformat() if since else None, "ids": None}
    command = ledger.enqueue_command(kind, args, clock().now())
    finished = wait_for_command(ledger, command.id, timeout=30)
    if finished.status is CommandStatus.FAILED:
        raise click.ClickException(f"retry command {command.id} failed: {finished.error}")
    result = finished.result or {}
    if delivery_id is not None:
        return {"delivery_id": delivery_id, "retried": result.get("retried", False),
                "reason": _cli_reason(result.get("reason"))}
    return {"retried": result.get("count", result.get("retried", 0))}


def _cli_reason(reason: str | None) -> str | None:
    # The ledger's reasons are shared with the API and the monitor, which
    # name the switch their own way; here it is the --force flag.
    if reason == "already succeeded; use force":
        return "already succeeded; pass --force to send it again"
    return reason


def _require_endpoint(ledger, endpoint_id: int) -> None:
    if ledger.get_endpoint(endpoint_id) is not None:
        return
    existing = ", ".join(str(endpoint.id) for endpoint in ledger.list_endpoints()) or "none"
    raise click.ClickException(
        f"endpoint {endpoint_id} not found; existing endpoint ids: {existing} "
        "(list them with `odoo-relay endpoints list`)"
    )


def _require(ledger, delivery_id: int):
    delivery = ledger.get_delivery(delivery_id)
    if delivery is None:
        raise click.ClickException(f"delivery {delivery_id} not found; list them with `odoo-relay deliveries list`")
    return delivery


def delivery_row(delivery) -> dict:
    """Return the fields of a delivery shown in lists."""
    return {
        "id": delivery.id,
        "state": delivery.state,
        "event_type": delivery.event_type,
        "event_id": delivery.event_id,
        "endpoint_id": delivery.endpoint_id,
        "endpoint_url": delivery.endpoint_url,
        "attempts": delivery.attempts,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "next_attempt_at": delivery.next_attempt_at,
        "created_at": delivery.created_at,
    }
