"""The live monitor's App and its one factory, ``create_app``."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from textual.app import App
from textual.binding import Binding

from core.clock import Clock, SystemClock
from core.ledger.models import DeliveryState
from tui.commands import RelayCommands
from tui.data import LedgerData
from tui.engine_host import EngineThread
from tui.screens.confirm import ConfirmScreen
from tui.screens.connection_details import ConnectionDetailsScreen
from tui.screens.delivery_details import DeliveryDetailsScreen
from tui.screens.details import DetailsScreen
from tui.screens.filter import FilterScreen
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.widgets.connections import ConnectionsTable
from tui.widgets.sync_history import SyncHistoryTable
from tui.widgets.webhook_log import WebhookLogTable

log = logging.getLogger(__name__)

# How often the monitor checks the ledger's change counter, in seconds.
DEFAULT_POLL_INTERVAL = 0.5


class RelayApp(App[int]):
    """odoo-relay's live monitor over one ledger."""

    CSS_PATH = ["app.tcss", "dialogs.tcss"]
    TITLE = "odoo-relay"
    COMMANDS = App.COMMANDS | {RelayCommands}
    BINDINGS = [
        Binding("question_mark", "help", "Help", tooltip="Every key and what it does"),
        Binding("q", "quit", "Quit", tooltip="Stop the monitor (and its in-process engine)"),
    ]

    def __init__(self, ledger_path: Path, *, engine: Any | None, clock: Clock, poll_interval: float) -> None:
        super().__init__()
        self.ledger_path = Path(ledger_path)
        self.clock = clock
        self.data = LedgerData(self.ledger_path, clock)
        self.engine_host = EngineThread(engine) if engine is not None else None
        self.poll_interval = poll_interval
        self.main_screen: MainScreen | None = None

    def on_mount(self) -> None:
        if self.engine_host is not None:
            self.engine_host.start()
        self.main_screen = MainScreen(self.data, self.clock, self.engine_host, self.poll_interval)
        self.push_screen(self.main_screen)

    def on_unmount(self) -> None:
        if self.engine_host is not None:
            self.engine_host.stop()
        self.data.close()

    async def action_quit(self) -> None:
        """Stop the in-process engine (it abandons attempts in flight and releases their leases), then exit."""
        if self.engine_host is not None and self.engine_host.running:
            self.sub_title = "engine: stopping"
            self.notify("Stopping the engine; webhooks in flight go back to the queue.", timeout=30)
            await asyncio.to_thread(self.engine_host.stop)
        self.exit(0)

    def action_help(self) -> None:
        """Show every key."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(key_groups()))

    def run_palette_command(self, action: str, argument: object = None) -> None:
        """Run a command palette entry on the main screen."""
        screen = self.main_screen
        if screen is None:
            return
        if action == "help":
            self.action_help()
        elif action == "quit":
            self.call_later(self.action_quit)
        elif action == "filter_state":
            screen.filter_by_state(argument if isinstance(argument, DeliveryState) else None)
        elif action == "focus_pane":
            screen.query_one(f"#{argument}").focus()
        else:
            getattr(screen, f"action_{action}")()

    def retry_delivery(self, delivery_id: int) -> None:
        """Queue a retry of one delivery (from a details view)."""
        if self.main_screen is not None:
            self.main_screen.retry_delivery(delivery_id)

    def sync_connection(self, connection_id: int) -> None:
        """Queue a sync of one connection (from a details view)."""
        if self.main_screen is not None:
            self.main_screen.sync_connection(connection_id)


def key_groups() -> list[tuple[str, list[Binding]]]:
    """Return every binding of the monitor, grouped by where it works."""
    return [
        ("Anywhere", [*RelayApp.BINDINGS, *MainScreen.BINDINGS]),
        ("Connections pane", ConnectionsTable.BINDINGS),
        ("Sync history pane", SyncHistoryTable.BINDINGS),
        ("Webhook log pane", WebhookLogTable.BINDINGS),
        ("Details views", [*DetailsScreen.BINDINGS, *DeliveryDetailsScreen.BINDINGS, *ConnectionDetailsScreen.BINDINGS]),
        ("Dialogs", [*ConfirmScreen.BINDINGS, *FilterScreen.BINDINGS]),
    ]


def create_app(
    ledger_path: Path | str,
    *,
    engine: Any | None = None,
    clock: Clock | None = None,
    run_engine: bool = True,
    poll_interval: float = DEFAULT_POLL_INTERVAL,
) -> RelayApp:
    """Build the monitor for the ledger at ``ledger_path``.

    ``engine`` runs in this process when given. Otherwise, with
    ``run_engine``, the factory starts an Engine here unless one already runs
    on the ledger (``odoo-relay serve``, another monitor), in which case the
    app attaches and sends its commands through the ledger. Tests pass
    ``run_engine=False`` to watch fixed data.
    """
    clock = clock or SystemClock()
    if engine is None and run_engine:
        engine = _engine_unless_running(Path(ledger_path), clock)
    return RelayApp(Path(ledger_path), engine=engine, clock=clock, poll_interval=poll_interval)


def _engine_unless_running(ledger_path: Path, clock: Clock):
    from core.engine import Engine
    from core.ledger import Ledger

    with Ledger.open(ledger_path) as ledger:
        running = Engine.find_running(ledger)
    if running is not None:
        log.info("attaching to the %s engine pid %s on %s", running.kind, running.pid, running.hostname)
        return None
    return Engine(ledger_path, clock=clock, kind="tui", settings=tui_engine_settings())


def tui_engine_settings():
    """Return the settings of an engine the monitor runs itself.

    Quitting does not wait for webhook attempts in flight: they are
    abandoned, their leases released, and the deliveries sent again later
    with the same webhook-id, as at-least-once delivery allows.
    """
    from core.engine import EngineSettings

    return EngineSettings(dispatcher={"stop_grace_seconds": 0.0})
