"""Fixtures for the TUI tests: fixed sample data, a frozen clock, a settled app."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from core.clock import FakeClock
from tests.tui.sample_ledger import NOW, SampleIds, build_sample_ledger
from tui.app import RelayApp, create_app

SNAPSHOT_SIZE = (120, 36)


@pytest.fixture(scope="session")
def sample_ledger_template(tmp_path_factory) -> tuple[Path, SampleIds]:
    """The sample ledger, built once per session; tests get copies."""
    path = tmp_path_factory.mktemp("sample") / "ledger.sqlite3"
    return path, build_sample_ledger(path)


@pytest.fixture
def sample_ledger(sample_ledger_template, tmp_path: Path) -> tuple[Path, SampleIds]:
    """A private copy of the sample ledger, which tests may change."""
    template, ids = sample_ledger_template
    path = tmp_path / "ledger.sqlite3"
    shutil.copyfile(template, path)
    return path, ids


def frozen_app(ledger_path: Path) -> RelayApp:
    """Return a monitor on ``ledger_path`` at the sample's frozen time, with no engine."""
    app = create_app(ledger_path, clock=FakeClock(NOW), run_engine=False, poll_interval=2.0)
    app.animation_level = "none"
    # A toast that times out before a slow machine takes the screenshot
    # would make the snapshot flaky.
    app.NOTIFICATION_TIMEOUT = 600
    return app


async def settle(pilot: Pilot, rounds: int = 50) -> None:
    """Wait until the main screen has applied a ledger read and no worker runs."""
    app = pilot.app
    for _ in range(rounds):
        await pilot.pause()
        screen = app.main_screen
        loaded = screen is not None and (screen.overview is not None or _shows_error(screen))
        if loaded and not _busy(app):
            break
        await asyncio.sleep(0.05)
    _stop_blinking(app)
    await pilot.pause()


async def settle_details(pilot: Pilot, rounds: int = 50) -> None:
    """Wait until the screen on top has read its details."""
    for _ in range(rounds):
        await pilot.pause()
        screen = pilot.app.screen
        if getattr(screen, "details", None) is not None and not _busy(pilot.app):
            break
        await asyncio.sleep(0.05)
    _stop_blinking(pilot.app)
    await pilot.pause()


def _busy(app: RelayApp) -> bool:
    return any(worker.is_running for worker in app.workers if worker.group in ("refresh", "details", "paging"))


def _shows_error(screen) -> bool:
    return any(pane.has_class("-error") for pane in screen.query("Pane"))


def _stop_blinking(app: RelayApp) -> None:
    # A blinking cursor would make two screenshots of the same state differ.
    for screen in app.screen_stack:
        for field in screen.query(Input):
            field.cursor_blink = False
