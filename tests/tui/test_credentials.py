"""The way out of auth_failed in the monitor: ``e`` opens the credentials editor.

The live test runs a real engine on a sandbox Odoo whose admin password
changes under it; the others watch the fixed sample ledger.
"""

from __future__ import annotations

import pytest
from textual.command import CommandPalette

from core.ledger.models import ConnectionStatus, CredentialKind, SyncStatus
from core.onboarding import UnknownTokenError, authenticate_token, rotate_token
from core.secrets import Secret
from tests.tui.conftest import frozen_app, settle, settle_details
from tests.tui.test_live import live_ledger, read, wait_until
from tui.app import create_app
from tui.onboarding import EditCredentialsScreen
from tui.screens.connection_details import ConnectionDetailsScreen
from tui.widgets.connections import AUTH_FAILED_CELL, AUTH_FAILED_HINT

NEW_PASSWORD = "Fresh-pass-31"


def with_password_login(ledger_path, connection_id: int, password: str) -> str:
    """Make the connection log in with the admin password; return an API token issued for it."""
    from core.clock import SystemClock
    from core.ledger import Ledger

    with Ledger.open(ledger_path) as ledger:
        connection = ledger.get_connection(connection_id)
        ledger.update_credentials(connection_id, connection.login, Secret(password), CredentialKind.PASSWORD)
        return rotate_token(ledger, connection_id, SystemClock()).value


def connection_status(ledger_path, connection_id: int) -> ConnectionStatus:
    return read(ledger_path, "get_connection", connection_id).status


@pytest.mark.slow
async def test_e_reconnects_after_password_change(tmp_path, sandbox, recording_receiver):
    ledger_path, connection_id = live_ledger(tmp_path, sandbox, recording_receiver, "/ok")
    old_token = with_password_login(ledger_path, connection_id, sandbox.admin_password)
    sandbox.faults.change_password(sandbox.admin_login, NEW_PASSWORD)
    app = create_app(ledger_path, poll_interval=0.2)

    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: app.main_screen.overview is not None, "the first ledger read")
        await pilot.press("s")
        await wait_until(pilot, lambda: connection_status(ledger_path, connection_id) is ConnectionStatus.AUTH_FAILED,
                         "the sync to find the credentials rejected")
        table = app.main_screen.connections_table
        await wait_until(pilot, lambda: table.get_cell(str(connection_id), "next").plain == AUTH_FAILED_CELL,
                         "the row's hint")
        subtitle = app.main_screen.query_one("#connections-pane").border_subtitle

        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, EditCredentialsScreen), "the credentials editor")
        editor = app.screen
        await pilot.press(*NEW_PASSWORD, "enter")
        await wait_until(pilot, lambda: editor.result is not None, "the new credentials to be tested and saved")
        new_token = editor.result.token.value
        await pilot.press("enter")  # Done
        await wait_until(pilot, lambda: app.screen is app.main_screen, "the way back to the main screen")
        await wait_until(pilot, lambda: connection_status(ledger_path, connection_id) is ConnectionStatus.ACTIVE,
                         "the connection to sync again")

    assert AUTH_FAILED_HINT in str(subtitle)
    runs = read(ledger_path, "list_runs", connection_id).items
    assert [run.status for run in runs] == [SyncStatus.SUCCEEDED, SyncStatus.FAILED]
    from core.ledger import Ledger

    with Ledger.open(ledger_path) as ledger:
        assert authenticate_token(ledger, new_token).id == connection_id
        with pytest.raises(UnknownTokenError):
            authenticate_token(ledger, old_token)


async def test_details_e_opens_editor(sample_ledger):
    app = frozen_app(sample_ledger[0])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle_details(pilot)
        assert isinstance(app.screen, ConnectionDetailsScreen)
        connection_id = app.screen.connection_id
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EditCredentialsScreen)
        assert app.screen.connection.id == connection_id
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConnectionDetailsScreen)


async def test_palette_opens_credentials_editor(sample_ledger):
    app = frozen_app(sample_ledger[0])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"edit connection credentials")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, EditCredentialsScreen)
        assert app.screen.connection.id == app.main_screen.connection_id
