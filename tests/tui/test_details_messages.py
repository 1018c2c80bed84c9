"""Wording in the details views: token questions, stream availability and the last result."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta

from rich.console import Console

from core.ledger import Ledger
from core.ledger.models import StreamResult, SyncStatus, SyncTrigger
from tests.tui.conftest import frozen_app, settle, settle_details
from tests.tui.sample_ledger import NOW
from tui.screens.confirm import ConfirmScreen
from tui.screens.connection_details import ConnectionDetailsScreen
from tui.screens.delivery_details import _last_result_text


def section_text(screen, title_start: str) -> str:
    """Render the details section whose title starts with ``title_start`` as plain text."""
    for block in screen.query(".details--section"):
        if str(block.border_title).startswith(title_start):
            console = Console(width=160, record=True, file=io.StringIO())
            console.print(block.content)
            return console.export_text()
    raise AssertionError(f"no section titled {title_start!r}")


async def test_first_token_is_issued_not_rotated(sample_ledger):
    path, ids = sample_ledger
    app = frozen_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await app.push_screen(ConnectionDetailsScreen(app.data, ids.plant))
        await settle_details(pilot)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question == "Issue a first API token for this connection? It is shown once."

        await pilot.press("y")
        for _ in range(50):
            await pilot.pause(0.05)
            if app.screen.__class__.__name__ == "TokenScreen":
                break
        await pilot.press("escape")
        details_screen = app.screen
        for _ in range(50):
            await pilot.pause(0.05)
            if details_screen.details.tokens:
                break
        await pilot.press("t")
        await pilot.pause()
        assert app.screen.question == "Rotate the API token? Clients using the current token are rejected from now on."


async def test_unchecked_streams_show_last_sync(sample_ledger):
    path, ids = sample_ledger
    # The warehouse's streams were never checked; give it one finished run that read assets.
    with Ledger.open(path) as ledger:
        run = ledger.start_run(ids.warehouse, SyncTrigger.MANUAL, ["assets"], NOW - timedelta(minutes=1))
        ledger.finish_run(run.id, SyncStatus.SUCCEEDED, [StreamResult("assets", created=3, pages=1)], None, None,
                          NOW - timedelta(seconds=50))
    app = frozen_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await app.push_screen(ConnectionDetailsScreen(app.data, ids.warehouse))
        await settle_details(pilot)
        streams = {line.split()[0]: line for line in section_text(app.screen, "Streams").splitlines() if line.strip()}

    assert "read by the last sync" in streams["assets"]
    assert "not checked yet" in streams["work_orders"]


def test_last_result_not_repeated(sample_ledger):
    path, ids = sample_ledger
    with Ledger.open(path) as ledger:
        delivery = ledger.get_delivery(ids.failed_delivery)

    repeated = replace(delivery, last_status_code=500, last_error_class="http_error", last_error="HTTP 500")
    explained = replace(repeated, last_error="HTTP 500 from the endpoint")
    assert _last_result_text(repeated) == "HTTP 500"
    assert _last_result_text(explained) == "HTTP 500: HTTP 500 from the endpoint"
