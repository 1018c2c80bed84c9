"""A DataTable that takes whole row lists and changes only what differs.

The panes poll the ledger and hand the table the rows they just read. The
table adds new rows, removes rows that left the visible range, and updates
only the cells whose text changed, so a refresh never rebuilds the table and
the cursor stays on the same row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, RowDoesNotExist


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: its key, its heading and a fixed width in cells."""

    key: str
    label: str
    width: int


@dataclass(frozen=True, slots=True)
class TableRow:
    """One row to show: a unique key, a sort order (higher first) and its cells."""

    key: str
    order: int
    cells: tuple[Text, ...]


class LiveTable(DataTable):
    """A row-cursor table that merges row lists in place, newest first.

    ``show_rows`` treats its rows as the head of a list sorted by ``order``
    descending; rows further down that were loaded by ``append_rows`` stay.
    A table with ``NEWEST_FIRST = False`` keeps ascending order instead and
    always receives complete lists.
    """

    NEWEST_FIRST = True

    # With the cursor on the top row, new rows keep it on the newest row, as
    # a log viewer follows its tail. On any other row the cursor stays put.
    FOLLOW_NEWEST = False

    # DataTable's home/end scroll sideways; in these tables they jump to the
    # first and last loaded row, which also loads the next page.
    BINDINGS = [
        Binding("home", "scroll_top", "First row", show=False),
        Binding("end", "scroll_bottom", "Last row", show=False),
    ]

    DEFAULT_CSS = """
    LiveTable {
        height: 1fr;
        background: $surface;
    }
    LiveTable > .datatable--header {
        text-style: bold;
        background: $panel;
    }
    """

    def __init__(self, columns: Sequence[Column], *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True, show_row_labels=False)
        self._columns = list(columns)
        self._shown: dict[str, TableRow] = {}

    def on_mount(self) -> None:
        for column in self._columns:
            self.add_column(column.label, width=column.width, key=column.key)

    @property
    def selected_key(self) -> str | None:
        """Key of the row under the cursor, or None when the table is empty."""
        if not self._shown or self.cursor_row < 0:
            return None
        try:
            return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except (CellDoesNotExist, RowDoesNotExist):
            return None

    @property
    def loaded_keys(self) -> list[str]:
        """Keys of every loaded row, unordered."""
        return list(self._shown)

    def show_rows(self, rows: Sequence[TableRow], *, complete: bool = False) -> None:
        """Merge ``rows`` (the head of the list) into the table.

        With ``complete`` the table ends up with exactly ``rows``. Otherwise
        rows older than the last one given are kept, because they belong to
        pages loaded further down.
        """
        selected = self.selected_key
        following = self.FOLLOW_NEWEST and self.NEWEST_FIRST and self.cursor_row == 0
        stale = self._stale_keys(rows, complete)
        for key in stale:
            self._remove(key)
        added = self._upsert(rows)
        if added and self._out_of_order():
            self.sort(self._columns[0].key, key=_order_of_cell, reverse=self.NEWEST_FIRST)
        if following:
            self.move_cursor(row=0, animate=False)
        else:
            self._restore_cursor(selected)

    def show_segment(self, rows: Sequence[TableRow], *, highest: int, complete_below: bool) -> None:
        """Merge a page read from below the head: rows with order up to ``highest``.

        Loaded rows in that range that the page lacks are removed. With
        ``complete_below`` (the page reached the end of the list), every
        loaded row under it goes too.
        """
        selected = self.selected_key
        lowest = min((row.order for row in rows), default=None)
        wanted = {row.key for row in rows}
        for key, shown in list(self._shown.items()):
            in_range = shown.order <= highest and (complete_below or lowest is None or shown.order >= lowest)
            if in_range and key not in wanted:
                self._remove(key)
        if self._upsert(rows) and self._out_of_order():
            self.sort(self._columns[0].key, key=_order_of_cell, reverse=self.NEWEST_FIRST)
        self._restore_cursor(selected)

    def visible_keys_from(self, margin: int) -> tuple[str, int] | None:
        """Return the key of the first row on screen (less ``margin``) and how many rows fit."""
        if not self._shown:
            return None
        keys = self.ordered_row_keys()
        first = max(0, int(self.scroll_y) - margin)
        if first >= len(keys):
            return None
        return keys[first].value, self.size.height + 2 * margin

    def append_rows(self, rows: Iterable[TableRow]) -> None:
        """Add older rows below the loaded ones (the next keyset page)."""
        self._upsert(rows)

    def prepend_rows(self, rows: Iterable[TableRow]) -> None:
        """Add newer rows above the loaded ones (a page read again after it was dropped).

        The view scrolls down by the rows added, so the rows on screen and
        the cursor's row stay where they were.
        """
        selected = self.selected_key
        before = self.row_count
        if self._upsert(rows) and self._out_of_order():
            self.sort(self._columns[0].key, key=_order_of_cell, reverse=self.NEWEST_FIRST)
        added = self.row_count - before
        target = self.scroll_y + added
        self._restore_cursor(selected)
        self.call_after_refresh(self.scroll_to, y=target, animate=False)

    def drop_top(self, count: int) -> list[TableRow]:
        """Remove the first ``count`` rows in display order and return them; the view keeps its place."""
        return self._drop(self.ordered_row_keys()[:count], scroll_by=-count)

    def drop_bottom(self, count: int) -> list[TableRow]:
        """Remove the last ``count`` rows in display order and return them."""
        keys = self.ordered_row_keys()
        return self._drop(keys[len(keys) - count:] if count > 0 else [], scroll_by=0)

    def _drop(self, keys, scroll_by: int) -> list[TableRow]:
        selected = self.selected_key
        dropped = [self._shown[key.value] for key in keys]
        target = max(0, self.scroll_y + scroll_by)
        for row in dropped:
            self._remove(row.key)
        if scroll_by:
            self.scroll_to(y=target, animate=False)
        self._restore_cursor(selected)
        return dropped

    def refresh_cells(self, rows: Iterable[TableRow]) -> None:
        """Update the cells of rows already shown; unknown keys are ignored."""
        self._upsert(row for row in rows if row.key in self._shown)

    def clear_rows(self) -> None:
        """Remove every row but keep the columns."""
        self.clear(columns=False)
        self._shown.clear()

    def _stale_keys(self, rows: Sequence[TableRow], complete: bool) -> list[str]:
        wanted = {row.key for row in rows}
        if complete or not rows:
            return [key for key in self._shown if key not in wanted]
        lowest = min(row.order for row in rows)
        return [key for key, row in self._shown.items() if row.order >= lowest and key not in wanted]

    def _upsert(self, rows: Iterable[TableRow]) -> bool:
        added = False
        for row in rows:
            previous = self._shown.get(row.key)
            if previous is None:
                self.add_row(*row.cells, key=row.key)
                added = True
            elif previous.cells != row.cells:
                self._update_changed_cells(previous, row)
            self._shown[row.key] = row
        return added

    def _update_changed_cells(self, previous: TableRow, row: TableRow) -> None:
        for column, old, new in zip(self._columns, previous.cells, row.cells):
            if old != new:
                self.update_cell(row.key, column.key, new)

    def _remove(self, key: str) -> None:
        self._shown.pop(key, None)
        try:
            self.remove_row(key)
        except RowDoesNotExist:
            pass

    def _out_of_order(self) -> bool:
        orders = [self._shown[key.value].order for key in self.ordered_row_keys()]
        if not self.NEWEST_FIRST:
            orders.reverse()
        return any(first < second for first, second in zip(orders, orders[1:]))

    def ordered_row_keys(self):
        """Row keys in display order."""
        return [row.key for row in self.ordered_rows]

    def _restore_cursor(self, selected: str | None) -> None:
        if selected is None or selected not in self._shown:
            return
        index = self.get_row_index(selected)
        if index != self.cursor_row:
            self.move_cursor(row=index, animate=False)


def _order_of_cell(cell: Text | str) -> int:
    # The first column of every LiveTable is the row's id ("#123"), which is
    # also its order, so sorting needs no hidden column.
    text = cell.plain if isinstance(cell, Text) else str(cell)
    digits = "".join(ch for ch in text if ch.isdigit())
    return int(digits) if digits else 0
