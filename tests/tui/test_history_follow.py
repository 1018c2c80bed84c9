"""The Sync history pane follows new runs while its cursor is on the newest row."""

from __future__ import annotations

from datetime import timedelta

from core.ledger import Ledger
from core.ledger.models import SyncStatus, SyncTrigger
from tests.tui.conftest import frozen_app, settle
from tests.tui.sample_ledger import NOW


def add_run(path, connection_id: int) -> int:
    with Ledger.open(path) as ledger:
        run = ledger.start_run(connection_id, SyncTrigger.SCHEDULE, ["assets"], NOW - timedelta(seconds=1))
        ledger.finish_run(run.id, SyncStatus.SUCCEEDED, [], None, None, NOW)
        return run.id


async def refresh(pilot) -> None:
    pilot.app.main_screen.request_refresh()
    await settle(pilot)


async def test_history_follows_newest_run(sample_ledger):
    path, ids = sample_ledger
    app = frozen_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = app.main_screen.history_table
        table.focus()
        await pilot.pause()
        first_newest = table.selected_key
        assert table.cursor_row == 0

        newer = add_run(path, ids.plant)
        await refresh(pilot)
        assert table.selected_key == str(newer)
        assert table.cursor_row == 0

        newest = add_run(path, ids.plant)
        await refresh(pilot)
        assert table.selected_key == str(newest)
        assert first_newest != str(newest)


async def test_history_keeps_row_user_chose(sample_ledger):
    path, ids = sample_ledger
    app = frozen_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = app.main_screen.history_table
        table.focus()
        await pilot.press("down", "down")
        chosen = table.selected_key

        add_run(path, ids.plant)
        await refresh(pilot)
        assert table.selected_key == chosen
        assert table.cursor_row == 3
