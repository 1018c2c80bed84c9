"""The main screen: Connections, Sync history and Webhook log, refreshed live.

Refresh cycle: a one-shot timer starts a thread worker that reads the
ledger's change counter and, when it moved, the first page of every pane.
The result comes back as a message, the panes merge it in place, and only
then is the timer armed again, so refreshes never overlap. While another
screen is on top, or the user pressed ``p``, the timer fires but reads
nothing.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header

from core.clock import Clock
from core.ledger.models import Delivery, DeliveryFilter, DeliveryState, EngineInstance, SyncRun
from tui.data import ENGINE_STALE_SECONDS, LedgerData, Overview, ViewRequest, connection_name
from tui.engine_host import EngineThread, engine_label, engine_state
from tui.messages import (
    DeliveriesPageLoaded,
    FilterApplied,
    LedgerReadFailed,
    LedgerUnchanged,
    OperatorNotice,
    OverviewLoaded,
    RunsPageLoaded,
)
from tui.palette import Palette
from tui.screens.log_window import PAGE_MARGIN, PAGE_SIZE, LogWindow
from tui.screens.operator import OperatorCommands
from tui.widgets import connections as connections_pane
from tui.widgets import sync_history as history_pane
from tui.widgets import webhook_log as log_pane
from tui.widgets.pane import Pane
from tui.widgets.status_line import StatusLine, describe_filter, status_text

log = logging.getLogger(__name__)

# A refresh re-reads at most this many of the newest rows, plus the rows
# on screen when the cursor is further down.
REFRESH_LIMIT = 500
LOADING_TEXT = "Reading the ledger…"


class MainScreen(OperatorCommands, LogWindow):
    """Three live panes over one ledger, with retry and sync commands."""

    BINDINGS = [
        Binding("p", "toggle_pause", "Pause", tooltip="Pause or resume live updates"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("slash", "filter", "Filter", show=False),
        Binding("n", "new_connection", "New connection", show=False),
    ]

    AUTO_FOCUS = "#connections"

    def __init__(self, data: LedgerData, clock: Clock, engine_host: EngineThread | None, poll_interval: float) -> None:
        super().__init__()
        self.data = data
        self.clock = clock
        self.engine_host = engine_host
        self.poll_interval = poll_interval
        self.paused = False
        self.delivery_filter = DeliveryFilter()
        self.connection_id: int | None = None
        self.overview: Overview | None = None
        self._version: int | None = None
        self._poll_timer: Timer | None = None
        self._palette = Palette({})
        self._runs: dict[int, SyncRun] = {}
        self._deliveries: dict[int, Delivery] = {}
        self._runs_next = None
        self._deliveries_next = None
        self._loading_older: set[str] = set()
        self._status = None
        self._failure_reported = False
        self.connections_table = connections_pane.ConnectionsTable()
        self.history_table = history_pane.SyncHistoryTable()
        self.log_table = log_pane.WebhookLogTable()

    def compose(self) -> ComposeResult:
        yield Header(icon="⇄")
        yield Pane("Connections", self.connections_table, id="connections-pane")
        yield Pane("Sync history", self.history_table, id="history-pane")
        yield Pane("Webhook log", self.log_table, id="log-pane")
        yield StatusLine(id="status-line")
        yield Footer()

    def on_mount(self) -> None:
        self._palette = Palette.from_variables(self.app.theme_variables)
        self.app.theme_changed_signal.subscribe(self, self._redraw_for_theme)
        for pane in self.query(Pane):
            pane.show_note(LOADING_TEXT)
        self._show_status()
        self.set_interval(1.0, self._tick)
        self.request_refresh()

    # --- the refresh cycle --------------------------------------------------

    def request_refresh(self, *, force: bool = True) -> None:
        """Read the ledger now instead of at the next timer tick."""
        self._stop_timer()
        self._read_ledger(self._view_request(), None if force else self._version)

    def _schedule_poll(self, delay: float | None = None) -> None:
        self._stop_timer()
        self._poll_timer = self.set_timer(self.poll_interval if delay is None else delay, self._poll)

    def _stop_timer(self) -> None:
        if self._poll_timer is not None:
            self._poll_timer.stop()
            self._poll_timer = None

    def _poll(self) -> None:
        self._poll_timer = None
        if self.paused or not self.is_current:
            self._schedule_poll()
            return
        self._read_ledger(self._view_request(), self._version)

    def _view_request(self) -> ViewRequest:
        # With the newest rows dropped from the window, the head is not shown,
        # so one row of it is read (for nothing) and the rows on screen are read instead.
        deliveries_limit = 1 if self.log_top_dropped else _refresh_limit(len(self.log_table.loaded_keys))
        window_before, window_limit = self._visible_window(deliveries_limit)
        return ViewRequest(
            connection_id=self.connection_id,
            delivery_filter=self.delivery_filter,
            runs_limit=_refresh_limit(len(self.history_table.loaded_keys)),
            deliveries_limit=deliveries_limit,
            window_before=window_before,
            window_limit=window_limit,
        )

    def _visible_window(self, head_limit: int) -> tuple[int | None, int]:
        # Rows on screen below the refreshed head are read again by keyset,
        # so a deep scroll position still shows current states.
        table = self.log_table
        if not self.log_top_dropped and (table.row_count <= head_limit or table.scroll_y + table.size.height < head_limit):
            return None, 0
        window = self.log_table.visible_keys_from(margin=5)
        if window is None:
            return None, 0
        first_key, limit = window
        return int(first_key) + 1, limit

    @work(thread=True, group="refresh", exit_on_error=False)
    def _read_ledger(self, view: ViewRequest, known_version: int | None) -> None:
        try:
            if known_version is not None and self.data.data_version() == known_version:
                self.post_message(LedgerUnchanged())
                return
            self.post_message(OverviewLoaded(self.data.load_overview(view)))
        except Exception as error:  # noqa: BLE001 - shown in the panes, logged with its traceback
            log.exception("reading the ledger %s failed", self.data.ledger_path)
            self.post_message(LedgerReadFailed("the ledger", f"{type(error).__name__}: {error}"))

    @on(LedgerUnchanged)
    def rearm_poll(self) -> None:
        self._schedule_poll()

    @on(LedgerReadFailed)
    def show_read_failure(self, message: LedgerReadFailed) -> None:
        text = f"Could not read {message.what}: {message.error}. Retrying every few seconds."
        for pane in self.query(Pane):
            pane.show_note(text, error=True)
        self._schedule_poll(max(self.poll_interval, 3.0))

    @on(OverviewLoaded)
    def apply_overview(self, message: OverviewLoaded) -> None:
        overview = message.overview
        self.overview = overview
        self._version = overview.version
        with self.app.batch_update():
            self._show_connections(overview)
            self._show_runs(overview)
            self._show_deliveries(overview)
            self._show_status()
        self._schedule_poll()

    # --- applying data to the panes ------------------------------------------

    def _show_connections(self, overview: Overview) -> None:
        rows = connections_pane.connection_rows(overview.connections, overview.failing, self.clock.now(), self._palette)
        self.connections_table.show_rows(rows, complete=True)
        pane = self.query_one("#connections-pane", Pane)
        if rows:
            pane.hide_note()
        else:
            pane.show_note(connections_pane.EMPTY_TEXT)
        if self.connection_id not in {connection.id for connection in overview.connections}:
            # First read, or the selected connection was removed: follow the
            # table's cursor, and read again if this read carries the runs
            # of another connection.
            self._forget_runs()
            selected = self.connections_table.selected_key
            self.connection_id = int(selected) if selected is not None else None
            if self.connection_id != overview.connection_id:
                self.request_refresh()
        pane.set_subtitle(connections_pane.pane_subtitle(overview.connections, self.connection_id))

    def _show_runs(self, overview: Overview) -> None:
        if overview.connection_id != self.connection_id:
            return  # read for a connection that is no longer selected
        page = overview.runs
        self._runs.update((run.id, run) for run in page.items)
        now = self.clock.now()
        rows = [history_pane.run_row(run, now, self._palette) for run in page.items]
        loaded = len(self.history_table.loaded_keys)
        self.history_table.show_rows(rows, complete=page.next_key is None)
        if loaded <= len(rows):
            self._runs_next = page.next_key
        self._update_history_note(overview)

    def _update_history_note(self, overview: Overview) -> None:
        pane = self.query_one("#history-pane", Pane)
        name = connection_name(overview, self.connection_id)
        pane.border_title = f"Sync history · {name}" if name else "Sync history"
        if self.history_table.row_count:
            pane.hide_note()
        elif self.connection_id is None:
            pane.show_note(history_pane.NO_CONNECTION_TEXT)
        else:
            pane.show_note(history_pane.EMPTY_TEXT)
        pane.set_subtitle(_loaded_text(self.history_table.row_count, self._runs_next, "run"))

    def _show_deliveries(self, overview: Overview) -> None:
        if overview.delivery_filter != self.delivery_filter:
            return  # read with a filter the user has since changed
        if not self.log_top_dropped:
            page = overview.deliveries
            self._deliveries.update((item.id, item) for item in page.items)
            rows = [self._delivery_row(item) for item in page.items]
            loaded = len(self.log_table.loaded_keys)
            self.log_table.show_rows(rows, complete=page.next_key is None)
            if loaded <= len(rows):
                self._deliveries_next = page.next_key
        self._show_window(overview)
        self._update_log_note()

    def _show_window(self, overview: Overview) -> None:
        window = overview.window
        if window is None or overview.window_before is None:
            return
        self._deliveries.update((item.id, item) for item in window.items)
        rows = [self._delivery_row(item) for item in window.items]
        self.log_table.show_segment(rows, highest=overview.window_before - 1, complete_below=window.next_key is None)
        if window.next_key is None:
            self._deliveries_next = None

    def _delivery_row(self, delivery: Delivery):
        tagged = delivery.id in self.log_table.tagged
        return log_pane.delivery_row(delivery, self.clock.now(), self._palette, tagged)

    def _update_log_note(self) -> None:
        pane = self.query_one("#log-pane", Pane)
        filtered = describe_filter(self.delivery_filter)
        pane.border_title = f"Webhook log · {filtered}" if filtered else "Webhook log"
        if self.log_table.row_count:
            pane.hide_note()
        else:
            pane.show_note(log_pane.EMPTY_FILTERED_TEXT if filtered else log_pane.EMPTY_TEXT)
        subtitle = _loaded_text(self.log_table.row_count, self._deliveries_next, "delivery", "deliveries")
        tags = len(self.log_table.tagged)
        pane.set_subtitle(f"{tags} tagged · {subtitle}" if tags else subtitle)

    def _show_status(self) -> None:
        attached = self._attached_engine()
        self.app.sub_title = engine_label(self.engine_host, attached)
        self._report_engine_failure()
        totals = self.overview.totals if self.overview else None
        text = status_text(
            paused=self.paused,
            engine_label=engine_state(self.engine_host, attached),
            totals=totals,
            delivery_filter=self.delivery_filter,
            palette=self._palette,
        )
        status_line = self.query_one(StatusLine)
        if text != self._status:
            self._status = text
            status_line.update(text)

    def _attached_engine(self) -> EngineInstance | None:
        # A stopped engine writes nothing more, so the ledger is not read
        # again; its last heartbeat ageing past the limit shows it is gone.
        engine = self.overview.engine if self.overview else None
        if engine is None:
            return None
        if (self.clock.now() - engine.heartbeat_at).total_seconds() > ENGINE_STALE_SECONDS:
            return None
        return engine

    def _report_engine_failure(self) -> None:
        host = self.engine_host
        if host is None or host.failure is None or self._failure_reported:
            return
        self._failure_reported = True
        self.notify(f"The engine stopped: {host.failure}. Syncs and deliveries are paused; see the log file.",
                    severity="error", timeout=30)

    def _tick(self) -> None:
        """Re-render the cells that count time ("in 25s", "3m ago") once a second."""
        if self.overview is None or self.paused:
            return
        now = self.clock.now()
        with self.app.batch_update():
            self._show_connections(self.overview)
            running = [run for run in self._runs.values() if run.finished_at is None]
            self.history_table.refresh_cells(history_pane.run_row(run, now, self._palette) for run in running)
            waiting = [item for item in self._deliveries.values() if item.state is DeliveryState.PENDING]
            self.log_table.refresh_cells(self._delivery_row(item) for item in waiting)
            self._show_status()

    def _redraw_for_theme(self, _theme) -> None:
        self._palette = Palette.from_variables(self.app.theme_variables)
        if self.overview is not None:
            self.log_table.refresh_cells(self._delivery_row(item) for item in self._deliveries.values())
            now = self.clock.now()
            self.history_table.refresh_cells(history_pane.run_row(run, now, self._palette) for run in self._runs.values())
            self._tick()

    # --- selection and paging ------------------------------------------------

    @on(DataTable.RowHighlighted, "#connections")
    def select_connection(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is None or event.row_key.value is None:
            return
        connection_id = int(event.row_key.value)
        if connection_id == self.connection_id:
            return
        self.connection_id = connection_id
        self._forget_runs()
        self.query_one("#history-pane", Pane).show_note(LOADING_TEXT)
        self.request_refresh()

    def _forget_runs(self) -> None:
        self.history_table.clear_rows()
        self._runs.clear()
        self._runs_next = None

    # NOTE: sync history rows are not windowed like the webhook log's, so
    # paging through 100,000 runs keeps every run read so far loaded.
    @on(DataTable.RowHighlighted, "#sync-history")
    def load_older_runs(self, event: DataTable.RowHighlighted) -> None:
        table = self.history_table
        if self._runs_next is None or "runs" in self._loading_older or self.connection_id is None:
            return
        if event.cursor_row >= table.row_count - PAGE_MARGIN:
            self._loading_older.add("runs")
            self._read_older_runs(self.connection_id, self._runs_next)

    @on(DataTable.RowHighlighted, "#webhook-log")
    def load_older_deliveries(self, event: DataTable.RowHighlighted) -> None:
        table = self.log_table
        self.load_newer_deliveries(event.cursor_row)
        if self._deliveries_next is None or "deliveries" in self._loading_older:
            return
        if event.cursor_row >= table.row_count - PAGE_MARGIN:
            self._loading_older.add("deliveries")
            self._read_older_deliveries(self.delivery_filter, self._deliveries_next)

    @work(thread=True, group="paging", exit_on_error=False)
    def _read_older_runs(self, connection_id: int, before) -> None:
        try:
            page = self.data.load_runs(connection_id, before, PAGE_SIZE)
        except Exception as error:  # noqa: BLE001 - reported as a notification
            log.exception("reading older sync runs of connection %s failed", connection_id)
            self.post_message(OperatorNotice(f"Could not read older sync runs: {error}", "error"))
            page = None
        self.post_message(RunsPageLoaded(connection_id, page))

    @work(thread=True, group="paging", exit_on_error=False)
    def _read_older_deliveries(self, delivery_filter: DeliveryFilter, before) -> None:
        try:
            page = self.data.load_deliveries(delivery_filter, before, PAGE_SIZE)
        except Exception as error:  # noqa: BLE001 - reported as a notification
            log.exception("reading older deliveries failed")
            self.post_message(OperatorNotice(f"Could not read older deliveries: {error}", "error"))
            page = None
        self.post_message(DeliveriesPageLoaded(page, delivery_filter))

    @on(RunsPageLoaded)
    def append_runs(self, message: RunsPageLoaded) -> None:
        self._loading_older.discard("runs")
        if message.page is None or message.connection_id != self.connection_id:
            return
        now = self.clock.now()
        self._runs.update((run.id, run) for run in message.page.items)
        self.history_table.append_rows(history_pane.run_row(run, now, self._palette) for run in message.page.items)
        self._runs_next = message.page.next_key
        if self.overview is not None:
            self._update_history_note(self.overview)

    @on(DeliveriesPageLoaded)
    def append_deliveries(self, message: DeliveriesPageLoaded) -> None:
        self._loading_older.discard("deliveries")
        if message.page is None or message.delivery_filter != self.delivery_filter:
            return
        self._deliveries.update((item.id, item) for item in message.page.items)
        self.log_table.append_rows(self._delivery_row(item) for item in message.page.items)
        self._deliveries_next = message.page.next_key
        self.trim_log_top()
        self._update_log_note()

    # --- details ---------------------------------------------------------------

    @on(DataTable.RowSelected, "#connections")
    def open_connection_details(self, event: DataTable.RowSelected) -> None:
        from tui.screens.connection_details import ConnectionDetailsScreen

        self.app.push_screen(ConnectionDetailsScreen(self.data, int(event.row_key.value)))

    @on(DataTable.RowSelected, "#sync-history")
    def open_run_details(self, event: DataTable.RowSelected) -> None:
        from tui.screens.run_details import RunDetailsScreen

        self.app.push_screen(RunDetailsScreen(self.data, int(event.row_key.value)))

    @on(DataTable.RowSelected, "#webhook-log")
    def open_delivery_details(self, event: DataTable.RowSelected) -> None:
        from tui.screens.delivery_details import DeliveryDetailsScreen

        self.app.push_screen(DeliveryDetailsScreen(self.data, int(event.row_key.value)))

    def action_details(self) -> None:
        """Open the details of the row under the cursor in the focused pane."""
        table = self.focused if isinstance(self.focused, DataTable) else self.log_table
        if table.row_count:
            table.action_select_cursor()
        else:
            self.notify("Nothing is selected in this pane.", severity="warning")

    def on_screen_resume(self) -> None:
        # Back from a details view or a dialog: catch up at once.
        if self.overview is not None:
            self.request_refresh(force=False)

    # --- filter, pause, new connection -------------------------------------------

    def action_filter(self) -> None:
        """Open the webhook log filter."""
        from tui.screens.filter import FilterScreen

        endpoints = self.overview.endpoints if self.overview else []
        self.app.push_screen(FilterScreen(self.delivery_filter, endpoints), self._filter_chosen)

    def _filter_chosen(self, chosen: DeliveryFilter | None) -> None:
        if chosen is not None:
            self.post_message(FilterApplied(chosen))

    @on(FilterApplied)
    def apply_filter(self, message: FilterApplied) -> None:
        if message.delivery_filter == self.delivery_filter:
            return
        self.delivery_filter = message.delivery_filter
        self.log_table.clear_rows()
        self._deliveries.clear()
        self._deliveries_next = None
        self.reset_log_window()
        self.query_one("#log-pane", Pane).show_note(LOADING_TEXT)
        self._show_status()
        self.request_refresh()

    def action_clear_filter(self) -> None:
        """Clear the webhook log filter (and the tags)."""
        if self.log_table.tagged:
            self.log_table.tagged.clear()
            self._redraw_tags()
        if self.delivery_filter != DeliveryFilter():
            self.post_message(FilterApplied(DeliveryFilter()))

    def action_toggle_pause(self) -> None:
        """Pause or resume live updates."""
        self.paused = not self.paused
        self._show_status()
        self.notify("Live updates paused. Press p to resume." if self.paused else "Live updates resumed.")
        if not self.paused:
            self.request_refresh(force=False)

    def action_new_connection(self) -> None:
        """Open the onboarding wizard."""
        from tui.onboarding_link import open_wizard

        open_wizard(self.app, on_finished=lambda: self.request_refresh())

    def filter_by_state(self, state: DeliveryState | None) -> None:
        """Show only deliveries in ``state`` (used by the command palette)."""
        self.post_message(FilterApplied(replace(self.delivery_filter, state=state)))


def _refresh_limit(loaded: int) -> int:
    return min(max(PAGE_SIZE, loaded), REFRESH_LIMIT)


def _loaded_text(count: int, next_key, singular: str, plural: str | None = None) -> str:
    noun = singular if count == 1 else (plural or f"{singular}s")
    more = "; more load as you scroll" if next_key is not None else ""
    return f"{count:,} {noun} loaded{more}"
