"""The Sync history pane: the selected connection's runs, newest first."""

from __future__ import annotations

from datetime import datetime

from textual.binding import Binding

from core.ledger.models import SyncRun
from tui import format as fmt
from tui.palette import Palette
from tui.widgets.live_table import Column, LiveTable, TableRow

COLUMNS = (
    Column("id", "Run", 7),
    Column("time", "Started", 8),
    Column("trigger", "Trigger", 8),
    Column("status", "Status", 11),
    Column("duration", "Took", 7),
    Column("counts", "Created/upd/del", 15),
    Column("error", "Error", 40),
)

EMPTY_TEXT = "No sync runs yet. Press s on a connection to sync it now."
NO_CONNECTION_TEXT = "The sync runs of the selected connection show here. Press n to add a connection."


class SyncHistoryTable(LiveTable):
    """Sync runs of one connection; older pages load as the cursor nears the end."""

    FOLLOW_NEWEST = True

    BINDINGS = [
        Binding("enter", "select_cursor", "Details", tooltip="Per-stream counts and the error"),
        Binding("s", "screen.sync_selected", "Sync now", tooltip="Sync the selected connection now"),
    ]

    def __init__(self) -> None:
        super().__init__(COLUMNS, id="sync-history")


def run_row(run: SyncRun, now: datetime, palette: Palette) -> TableRow:
    """Build one Sync history row."""
    cells = (
        palette.right(f"#{run.id}", "muted"),
        palette.plain(fmt.clock_time(run.started_at, now)),
        palette.plain(run.trigger.value),
        palette.badge(run.status.value, fmt.RUN_TONE.get(run.status, "muted")),
        palette.right(fmt.duration(run.started_at, run.finished_at, now)),
        palette.plain(f"+{run.created} ~{run.updated} -{run.deleted}"),
        palette.text(_error(run), "error"),
    )
    return TableRow(key=str(run.id), order=run.id, cells=cells)


def _error(run: SyncRun) -> str:
    if not run.error_class and not run.error_message:
        return ""
    return fmt.shorten(": ".join(part for part in (run.error_class, run.error_message) if part), 60)
