"""``odoo-relay sync``: sync one connection now and print the run."""

from __future__ import annotations

from pathlib import Path

import click

from cli.commands.output import (
    clock,
    emit_record,
    find_connection,
    json_option,
    open_ledger,
    run_async,
    running_engine,
    wait_for_command,
)
from cli.main import cli, db_option
from core.ledger.models import CommandKind, CommandStatus, DeliveryState, SyncStatus, SyncTrigger


@cli.command("sync")
@click.argument("connection")
@click.option("--full", is_flag=True, help="Forget the cursors and read every record again.")
@click.option("--timeout", type=float, default=600.0, show_default=True,
              help="Seconds to wait for a running engine to finish the sync.")
@json_option
@db_option
def sync(connection: str, full: bool, timeout: float, db_path: Path | None, as_json: bool) -> None:
    """Sync CONNECTION (name or id) now; exit 1 unless the run succeeded.

    When an engine runs on the ledger (the TUI or `odoo-relay serve`), the
    sync is queued for it; otherwise it runs in this process.
    """
    with open_ledger(db_path) as ledger:
        found = find_connection(ledger, connection)
        if running_engine(ledger) is not None:
            record = run_row(_sync_by_engine(ledger, found.id, full, timeout))
        else:
            run = _sync_here(ledger, found.id, full)
            record = {**run_row(run), **_waiting_deliveries(ledger)}
    emit_record(record, as_json)
    if record["status"] is not SyncStatus.SUCCEEDED:
        raise SystemExit(1)


def _sync_by_engine(ledger, connection_id: int, full: bool, timeout: float):
    kind = CommandKind.RESYNC if full else CommandKind.SYNC
    command = ledger.enqueue_command(kind, {"connection_id": connection_id}, clock().now())
    finished = wait_for_command(ledger, command.id, timeout)
    run_id = (finished.result or {}).get("run_id")
    if finished.status is CommandStatus.FAILED or run_id is None:
        raise click.ClickException(f"sync command {command.id} failed: {finished.error or 'no run was recorded'}")
    return ledger.get_run(run_id)


def _sync_here(ledger, connection_id: int, full: bool):
    from core.sync.syncer import Syncer

    syncer = Syncer(ledger, clock())
    return run_async(syncer.sync(connection_id, SyncTrigger.MANUAL, full=full))


def _waiting_deliveries(ledger) -> dict:
    # An in-process sync queues webhooks but sends none: without an engine
    # they stay pending, which a script would otherwise not notice.
    pending = ledger.totals().deliveries_by_state.get(DeliveryState.PENDING, 0)
    if pending == 0 or running_engine(ledger) is not None:
        return {}
    waiting = "1 delivery is" if pending == 1 else f"{pending} deliveries are"
    return {
        "pending_deliveries": pending,
        "note": f"{waiting} pending and no engine runs on this ledger; "
                "`odoo-relay serve` or the monitor (`odoo-relay`) sends them",
    }


def run_row(run) -> dict:
    """Return the fields of a sync run, with one line per stream."""
    return {
        "run_id": run.id,
        "connection_id": run.connection_id,
        "status": run.status,
        "trigger": run.trigger,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "created": run.created,
        "updated": run.updated,
        "deleted": run.deleted,
        "unchanged": run.unchanged,
        "error": f"{run.error_class}: {run.error_message}" if run.error_class else None,
        "streams": {result.stream: _stream_line(result) for result in run.stream_results},
    }


def _stream_line(result) -> str:
    if result.error_class:
        return f"failed: {result.error_class}: {result.error_message}"
    return f"+{result.created} ~{result.updated} -{result.deleted} ={result.unchanged}"
