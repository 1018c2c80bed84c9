"""The Connections pane: one row per Odoo connection with its health and schedule."""

from __future__ import annotations

from datetime import datetime

from textual.binding import Binding

from core.ledger.models import Connection, ConnectionStatus, Protocol
from tui import format as fmt
from tui.palette import Palette
from tui.widgets.live_table import Column, LiveTable, TableRow

COLUMNS = (
    Column("id", "#", 4),
    Column("name", "Name", 14),
    Column("target", "URL · database", 26),
    Column("odoo", "Odoo", 12),
    Column("status", "Status", 13),
    Column("last", "Last sync", 11),
    Column("next", "Next sync", 10),
    Column("failing", "Failing", 7),
)

EMPTY_TEXT = "No connections yet. Press n to add one."
# Shown where the next sync time would be: the scheduler skips a connection
# in auth_failed until its credentials are edited.
AUTH_FAILED_CELL = "press e"
AUTH_FAILED_HINT = "credentials rejected: press e to reconnect"


class ConnectionsTable(LiveTable):
    """Connections, oldest first; the highlighted one drives the sync history."""

    NEWEST_FIRST = False

    BINDINGS = [
        Binding("enter", "select_cursor", "Details", tooltip="Status history, streams and API token"),
        Binding("s", "screen.sync_selected", "Sync now", tooltip="Sync the selected connection now"),
        Binding("n", "screen.new_connection", "New", tooltip="Add a connection with the onboarding wizard"),
        Binding("e", "screen.edit_credentials", "Edit credentials",
                tooltip="Test and save a new login or password (the way out of auth failed); issues a new API token"),
    ]

    def __init__(self) -> None:
        super().__init__(COLUMNS, id="connections")


def connection_rows(connections: list[Connection], failing: dict[int, int], now: datetime, palette: Palette) -> list[TableRow]:
    """Build the rows of the Connections pane, oldest connection first."""
    rows = [connection_row(item, failing.get(item.id, 0), now, palette) for item in connections]
    return sorted(rows, key=lambda row: row.order)


def connection_row(connection: Connection, failing: int, now: datetime, palette: Palette) -> TableRow:
    """Build one Connections row."""
    status = connection.status
    cells = (
        palette.right(f"#{connection.id}", "muted"),
        palette.text(connection.name, None, bold=True),
        palette.plain(_target(connection)),
        palette.plain(_odoo(connection)),
        palette.badge(_status_label(status), fmt.CONNECTION_TONE.get(status, "muted")),
        palette.plain(fmt.age(connection.last_sync_at, now)),
        _next_sync(connection, now, palette),
        palette.right(fmt.count(failing), "error" if failing else "muted"),
    )
    return TableRow(key=str(connection.id), order=connection.id, cells=cells)


def _target(connection: Connection) -> str:
    url = connection.url.removeprefix("https://").removeprefix("http://").rstrip("/")
    return f"{url} · {connection.database}"


def _odoo(connection: Connection) -> str:
    version = connection.server_version or "?"
    protocol = connection.detected_protocol or connection.protocol
    label = "auto" if protocol is Protocol.AUTO else protocol.value
    return f"{version} {label}"


def _status_label(status: ConnectionStatus) -> str:
    return status.value.replace("_", " ")


def _next_sync(connection: Connection, now: datetime, palette: Palette):
    if connection.status is ConnectionStatus.AUTH_FAILED:
        return palette.text(AUTH_FAILED_CELL, "error", bold=True)
    if connection.status is ConnectionStatus.DISABLED:
        return palette.plain("off")
    return palette.plain(fmt.until(connection.next_sync_at, now))


def pane_subtitle(connections: list[Connection], selected_id: int | None) -> str:
    """Return the Connections pane's subtitle: the count, and the way out of auth_failed for the selected one."""
    text = f"{len(connections)} connection{'s' if len(connections) != 1 else ''}"
    selected = next((item for item in connections if item.id == selected_id), None)
    if selected is not None and selected.status is ConnectionStatus.AUTH_FAILED:
        text = f"{selected.name}: {AUTH_FAILED_HINT} · {text}"
    return text
