"""Snapshots of every pane, state and dialog at 120x36 with a frozen clock.

Regenerate with ``pytest tests/tui/test_snapshots.py --snapshot-update`` and
look at the SVGs under __snapshots__ before committing them.
"""

from __future__ import annotations

from pathlib import Path

from tests.tui.conftest import SNAPSHOT_SIZE, frozen_app, settle, settle_details


def snapshot_of(snap_compare, app, *keys: str, details: bool = False) -> bool:
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await settle_details(pilot) if details else await settle(pilot)

    return snap_compare(app, terminal_size=SNAPSHOT_SIZE, run_before=run_before)


def test_main_screen_with_data(snap_compare, sample_ledger):
    path, _ = sample_ledger
    assert snapshot_of(snap_compare, frozen_app(path))


def test_sync_history_focused(snap_compare, sample_ledger):
    path, _ = sample_ledger
    assert snapshot_of(snap_compare, frozen_app(path), "tab", "down")


def test_webhook_log_focused_with_tags(snap_compare, sample_ledger):
    path, _ = sample_ledger
    assert snapshot_of(snap_compare, frozen_app(path), "tab", "tab", "down", "space", "down", "down", "space")


def test_unreachable_connection_selected(snap_compare, sample_ledger):
    path, _ = sample_ledger
    assert snapshot_of(snap_compare, frozen_app(path), "down")


def test_auth_failed_connection_selected(snap_compare, sample_ledger):
    path, _ = sample_ledger
    assert snapshot_of(snap_compare, frozen_app(path), "down", "down")


def test_auth_failed_connection_details(snap_compare, sample_ledger):
    path, _ = sample_ledger
    assert snapshot_of(snap_compare, frozen_app(path), "down", "down", "enter", details=True)


def test_credentials_editor_from_details(snap_compare, sample_ledger):
    path, _ = sample_ledger
    assert snapshot_of(snap_compare, frozen_app(path), "down", "down", "enter", "e", details=True)


def test_empty_ledger(snap_compare, tmp_path: Path):
    assert snapshot_of(snap_compare, frozen_app(tmp_path / "empty.sqlite3"))


def test_unreadable_ledger(snap_compare, tmp_path: Path, monkeypatch):
    # A relative path keeps the temporary directory out of the error text.
    monkeypatch.chdir(tmp_path)
    Path("not-a-ledger.sqlite3").write_text("these are notes, not a database\n" * 20)
    assert snapshot_of(snap_compare, frozen_app(Path("not-a-ledger.sqlite3")))


def test_delivery_details(snap_compare, sample_ledger):
    path, ids = sample_ledger
    # Rows are newest first; the failed delivery with four attempts is #4.
    keys = ["tab", "tab", *["down"] * (18 - 4), "enter"]
    assert snapshot_of(snap_compare, frozen_app(path), *keys, details=True)


def test_run_details(snap_compare, sample_ledger):
    path, ids = sample_ledger
    # The partial run #10 is the sixth row of the plant's history.
    keys = ["tab", *["down"] * 5, "enter"]
    assert snapshot_of(snap_compare, frozen_app(path), *keys, details=True)


def test_connection_details(snap_compare, sample_ledger):
    path, _ = sample_ledger
    assert snapshot_of(snap_compare, frozen_app(path), "enter", details=True)


def test_filter_dialog(snap_compare, sample_ledger):
    path, _ = sample_ledger
    assert snapshot_of(snap_compare, frozen_app(path), "tab", "tab", "slash")


def test_filter_applied(snap_compare, sample_ledger):
    path, _ = sample_ledger
    app = frozen_app(path)

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("slash")
        await pilot.pause()
        pilot.app.screen.query_one("#filter-text").value = "record.updated"
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SNAPSHOT_SIZE, run_before=run_before)


def test_filter_without_matches(snap_compare, sample_ledger):
    path, _ = sample_ledger
    app = frozen_app(path)

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("slash")
        await pilot.pause()
        pilot.app.screen.query_one("#filter-text").value = "no-such-thing"
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SNAPSHOT_SIZE, run_before=run_before)


def test_help_screen(snap_compare, sample_ledger):
    path, _ = sample_ledger
    assert snapshot_of(snap_compare, frozen_app(path), "question_mark")


def test_bulk_retry_confirmation(snap_compare, sample_ledger):
    path, _ = sample_ledger
    assert snapshot_of(snap_compare, frozen_app(path), "tab", "tab", "R")


def test_retry_in_flight_refused(snap_compare, sample_ledger):
    path, _ = sample_ledger
    # Row six from the top is #13, leased to a dispatcher.
    keys = ["tab", "tab", *["down"] * 5, "r"]
    assert snapshot_of(snap_compare, frozen_app(path), *keys)


def test_paused(snap_compare, sample_ledger):
    path, _ = sample_ledger
    assert snapshot_of(snap_compare, frozen_app(path), "p")
