"""The webhook log's bounded window of loaded rows.

Paging down a million deliveries would otherwise keep every row read so
far, in the DataTable and in the screen's ``_deliveries``. Once more than
``WINDOW_ROWS`` rows are loaded, rows far above the cursor are dropped and
their keyset range is remembered. Scrolling back up reads that range again
by keyset (``before`` = the dropped top id + 1), and rows far below the
cursor are dropped instead. Tags are kept by delivery id, so they survive.
"""

from __future__ import annotations

import logging

from textual import on, work
from textual.screen import Screen

from core.ledger.models import DeliveryFilter
from tui.messages import NewerDeliveriesLoaded, OperatorNotice
from tui.widgets.live_table import TableRow

log = logging.getLogger(__name__)

# Rows per keyset page: more than a tall terminal shows at once.
PAGE_SIZE = 50
# At most this many webhook log rows stay loaded, a few pages around the cursor.
WINDOW_ROWS = 4 * PAGE_SIZE
# Rows always kept on either side of the cursor when the window is trimmed.
KEEP_AROUND_CURSOR = PAGE_SIZE
# Load the next page when the cursor comes this close to the first or last loaded row.
PAGE_MARGIN = 20


class LogWindow(Screen):
    """Base of the main screen that keeps the webhook log's rows bounded.

    Uses the main screen's ``data``, ``log_table``, ``delivery_filter``,
    ``_deliveries``, ``_deliveries_next``, ``_loading_older`` and its row
    helpers.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # (top delivery id, row count) of each range dropped from the top,
        # the most recently dropped last.
        self._dropped_above: list[tuple[int, int]] = []

    @property
    def log_top_dropped(self) -> bool:
        """True when rows above the loaded ones were dropped, so the table does not start at the newest delivery."""
        return bool(self._dropped_above)

    def reset_log_window(self) -> None:
        """Forget the dropped ranges (the table was cleared)."""
        self._dropped_above.clear()

    def trim_log_top(self) -> None:
        """Drop rows far above the cursor once more than WINDOW_ROWS are loaded."""
        table = self.log_table
        count = min(table.row_count - WINDOW_ROWS, table.cursor_row - KEEP_AROUND_CURSOR)
        if count <= 0:
            return
        dropped = table.drop_top(count)
        self._dropped_above.append((int(dropped[0].key), len(dropped)))
        self._forget_deliveries(dropped)

    def trim_log_bottom(self) -> None:
        """Drop rows far below the cursor once more than WINDOW_ROWS are loaded."""
        table = self.log_table
        below_cursor = table.row_count - 1 - table.cursor_row
        count = min(table.row_count - WINDOW_ROWS, below_cursor - KEEP_AROUND_CURSOR)
        if count <= 0:
            return
        self._forget_deliveries(table.drop_bottom(count))
        # The next older page starts below the new last row.
        self._deliveries_next = int(table.ordered_row_keys()[-1].value)

    def _forget_deliveries(self, rows: list[TableRow]) -> None:
        for row in rows:
            self._deliveries.pop(int(row.key), None)

    def load_newer_deliveries(self, cursor_row: int) -> None:
        """Read the last dropped range again when the cursor nears the first loaded row."""
        if not self._dropped_above or "newer" in self._loading_older or cursor_row >= PAGE_MARGIN:
            return
        top_id, count = self._dropped_above[-1]
        self._loading_older.add("newer")
        self._read_newer_deliveries(self.delivery_filter, top_id, count)

    @work(thread=True, group="paging", exit_on_error=False)
    def _read_newer_deliveries(self, delivery_filter: DeliveryFilter, top_id: int, count: int) -> None:
        try:
            page = self.data.load_deliveries(delivery_filter, top_id + 1, count)
        except Exception as error:  # noqa: BLE001 - reported as a notification
            log.exception("reading deliveries up to #%s again failed", top_id)
            self.post_message(OperatorNotice(f"Could not read newer deliveries: {error}", "error"))
            page = None
        self.post_message(NewerDeliveriesLoaded(page, delivery_filter, top_id, count))

    @on(NewerDeliveriesLoaded)
    def prepend_deliveries(self, message: NewerDeliveriesLoaded) -> None:
        self._loading_older.discard("newer")
        if message.page is None or message.delivery_filter != self.delivery_filter:
            return
        if not self._dropped_above or self._dropped_above[-1] != (message.top_id, message.count):
            return  # the window changed while the range was read
        self._dropped_above.pop()
        self._deliveries.update((item.id, item) for item in message.page.items)
        self.log_table.prepend_rows([self._delivery_row(item) for item in message.page.items])
        self.trim_log_bottom()
        self._update_log_note()
