"""LiveTable merges row lists in place: new rows, gone rows, changed cells."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult

from tui.widgets.live_table import Column, LiveTable, TableRow

COLUMNS = (Column("id", "#", 6), Column("state", "State", 10))


def row(number: int, state: str) -> TableRow:
    return TableRow(key=str(number), order=number, cells=(Text(f"#{number}"), Text(state)))


class TableApp(App):
    def compose(self) -> ComposeResult:
        yield LiveTable(COLUMNS, id="table")


def keys_in_order(table: LiveTable) -> list[str]:
    return [key.value for key in table.ordered_row_keys()]


async def test_new_rows_go_on_top_and_cursor_stays():
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(LiveTable)
        table.show_rows([row(3, "pending"), row(2, "failed"), row(1, "ok")])
        await pilot.pause()
        table.move_cursor(row=1)
        assert table.selected_key == "2"

        table.show_rows([row(5, "pending"), row(4, "pending"), row(3, "ok"), row(2, "failed")])
        await pilot.pause()

        assert keys_in_order(table) == ["5", "4", "3", "2", "1"]
        assert table.selected_key == "2"
        assert table.get_cell("3", "state") == Text("ok")


async def test_head_refresh_keeps_older_pages():
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(LiveTable)
        table.show_rows([row(10, "a"), row(9, "a")])
        table.append_rows([row(8, "a"), row(7, "a")])
        await pilot.pause()

        # A two-row head read after row 9 left the filter reaches down to
        # row 8, so row 9 goes and row 7, below the head, stays.
        table.show_rows([row(10, "b"), row(8, "a")])
        await pilot.pause()

        assert keys_in_order(table) == ["10", "8", "7"]
        assert table.get_cell("10", "state") == Text("b")


async def test_complete_list_removes_missing_rows():
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(LiveTable)
        table.show_rows([row(2, "a"), row(1, "a")], complete=True)
        table.show_rows([row(2, "a")], complete=True)
        await pilot.pause()
        assert keys_in_order(table) == ["2"]
        table.show_rows([], complete=True)
        assert table.row_count == 0
        assert table.selected_key is None


async def test_unchanged_cells_are_not_rewritten():
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(LiveTable)
        table.show_rows([row(1, "a")])
        await pilot.pause()
        updates = table._update_count
        table.show_rows([row(1, "a")])
        assert table._update_count == updates
        table.show_rows([row(1, "b")])
        assert table._update_count == updates + 1


async def test_segment_refresh_updates_middle_rows():
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(LiveTable)
        table.show_rows([row(9, "a"), row(8, "a")])
        table.append_rows([row(7, "a"), row(6, "a"), row(5, "a"), row(4, "a")])
        await pilot.pause()

        # A page of ids below 8: row 7 changed, row 6 left the filter,
        # the page contains two rows, so rows 4 and below are not covered.
        table.show_segment([row(7, "b"), row(5, "a")], highest=7, complete_below=False)
        await pilot.pause()

        assert keys_in_order(table) == ["9", "8", "7", "5", "4"]
        assert table.get_cell("7", "state") == Text("b")
