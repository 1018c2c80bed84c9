"""Pilot tests: the wizard against the sandbox, from pressing n to the first sync."""

import logging

import pytest
from textual.widgets import ContentSwitcher

from core.clock import SystemClock
from core.ledger.models import ConnectionStatus, Protocol, SyncStatus
from core.onboarding import authenticate_token
from tests.onboarding.wizard_host import KeyCounter, WizardHost
from tui.app import create_app
from tui.onboarding import OnboardingScreen
from tui.onboarding.steps_setup import FinishStep

SIZE = (110, 48)

# An estimate of a person's typing speed: 40 words a minute of five
# characters plus a space is about 3.3 keystrokes a second.
KEYSTROKES_PER_SECOND = 3.3


async def settle(app, pilot) -> None:
    """Wait until the wizard's network workers are done and the screen has caught up."""
    await app.workers.wait_for_complete()
    await pilot.pause()


def current_step(app) -> str:
    return app.screen.query_one(ContentSwitcher).current


def failure_text(app) -> str:
    return str(app.screen.current_step.failure.render())


async def wait_for_first_sync(app, pilot, timeout: float = 30.0) -> str:
    """Return the first-sync line once the run has ended."""
    text = ""
    for _ in range(int(timeout / 0.1)):
        text = str(app.screen.query_one("#first-sync").render())
        if "first sync succeeded" in text or "failed" in text:
            return text
        await pilot.pause(0.1)
    raise AssertionError(f"first sync did not end within {timeout} s; last line: {text!r}")


async def complete_wizard(keys: KeyCounter, app, url: str, login: str, secret: str, protocol_presses: int) -> None:
    """Type through all seven steps with the fewest keys a person needs."""
    pilot = keys.pilot
    await keys.press("n")
    await keys.type(url)
    await keys.press("enter")
    await settle(app, pilot)
    assert current_step(app) == "step-database"
    await keys.press("enter")  # the single database is filled in
    await keys.type(login)
    if protocol_presses:
        # tab to the kind, tab to the protocol, move right and select, tab to the secret
        await keys.press("tab", "tab", *["right"] * protocol_presses, "enter", "tab")
    else:
        await keys.press("enter")
    await keys.type(secret)
    await keys.press("enter")
    await settle(app, pilot)
    assert current_step(app) == "step-test", failure_text(app)
    await keys.press("enter")  # Continue
    await keys.press("tab", "enter")  # keep every stream and 15 minutes
    await keys.press("enter")  # empty endpoint URL skips the endpoint
    await keys.press("enter")  # Save
    await pilot.pause()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("version", "protocol", "use_api_key", "protocol_presses"),
    [("18.0", Protocol.XMLRPC, False, 1), ("18.0", Protocol.JSONRPC, False, 2), ("19.0", Protocol.JSON2, True, 0)],
)
async def test_wizard_completes_and_first_sync_lands(
    sandbox_factory, ledger, ledger_path, caplog, version, protocol, use_api_key, protocol_presses
):
    caplog.set_level(logging.DEBUG)
    server = sandbox_factory(version=version)
    # A password unlike any other value on screen or in logs, so a leak is found.
    server.faults.change_password("admin", "Xk8-onboarding-pass")
    secret = server.api_key.reveal() if use_api_key else "Xk8-onboarding-pass"
    # The live monitor itself, with its in-process engine: n is its key.
    app = create_app(ledger_path, clock=SystemClock())

    async with app.run_test(size=SIZE) as pilot:
        keys = KeyCounter(pilot)
        await complete_wizard(keys, app, server.url, server.admin_login, secret, protocol_presses)
        saved = app.screen.state.onboarded
        assert saved is not None
        first_sync = await wait_for_first_sync(app, pilot)
        token_screen = app.export_screenshot()
        await pilot.press("enter")  # Done
        await pilot.pause()
        after = app.export_screenshot()
        assert not isinstance(app.screen, OnboardingScreen)

    print(f"keystrokes from n to the first sync on {version} over {protocol}: {keys.count}")
    assert "first sync succeeded" in first_sync
    connection = ledger.get_connection(saved.connection.id)
    assert connection.detected_protocol is protocol
    assert connection.status is ConnectionStatus.ACTIVE
    assert ledger.list_runs(connection.id, limit=1).items[0].status is SyncStatus.SUCCEEDED
    assert authenticate_token(ledger, saved.token.value).id == connection.id
    assert saved.token.value in token_screen
    assert saved.token.value not in after
    assert keys.count / KEYSTROKES_PER_SECOND < 60
    for value in (secret, saved.token.value):
        assert value not in caplog.text


async def test_password_is_masked_on_screen(sandbox, ledger):
    app = WizardHost(ledger, SystemClock())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", *sandbox.url, "enter")
        await settle(app, pilot)
        await pilot.press("enter", *"admin", "enter", *"hunter2-secret")
        await pilot.pause()
        screenshot = app.export_screenshot()
    assert "hunter2-secret" not in screenshot
    assert "••••" in screenshot


async def fill(app, pilot, selector: str, value: str) -> None:
    """Set an input's value and press enter in it (faster than typing each key)."""
    app.screen.query_one(selector).value = value
    app.screen.query_one(selector).focus()
    await pilot.press("enter")


async def drive_to_step(app, pilot, sandbox, step: int) -> None:
    """Open the wizard and go forward until ``step`` (0-based) is on screen."""
    await pilot.press("n")
    await pilot.pause()
    moves = [
        lambda: fill(app, pilot, "#url", sandbox.url),
        lambda: pilot.press("enter"),
        lambda: fill(app, pilot, "#secret", "admin"),
        lambda: pilot.press("enter"),
        lambda: pilot.press("tab", "enter"),
        lambda: pilot.press("enter"),
    ]
    for move in moves[:step]:
        if move is moves[2]:
            app.screen.query_one("#login").value = "admin"
        await move()
        await settle(app, pilot)
    assert current_step(app) == OnboardingScreen.STEP_IDS[step]


def assert_nothing_saved(ledger) -> None:
    assert ledger.list_connections() == []
    assert ledger.list_endpoints() == []
    assert ledger.get_command(1) is None


@pytest.mark.slow
async def test_leaving_at_each_step_saves_nothing(sandbox, ledger, recording_receiver):
    app = WizardHost(ledger, SystemClock())
    async with app.run_test(size=SIZE) as pilot:
        for step in range(4):
            await drive_to_step(app, pilot, sandbox, step)
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, OnboardingScreen)
            assert_nothing_saved(ledger)

        # Steps 5 to 7 reuse the values a real pass collected, with an
        # endpoint entered, instead of testing the login three more times.
        await drive_to_step(app, pilot, sandbox, 5)
        await fill(app, pilot, "#endpoint-url", f"{recording_receiver.url}/ok")
        await pilot.press("enter")
        await pilot.pause()
        state = app.screen.state
        assert state.endpoint is not None
        for step in (4, 5, 6):
            app.push_screen(OnboardingScreen(ledger, app.clock, state=state, step=step), app.results.append)
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
            assert_nothing_saved(ledger)
        await pilot.press("escape")
    assert app.results == [None] * 8


async def test_back_keeps_typed_values(sandbox, ledger):
    app = WizardHost(ledger, SystemClock())
    async with app.run_test(size=SIZE) as pilot:
        await drive_to_step(app, pilot, sandbox, 2)
        await pilot.press(*"demo")
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert current_step(app) == "step-database"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one("#login").value == "demo"


async def test_endpoint_test_event_shows_response(sandbox, ledger, recording_receiver, caplog):
    caplog.set_level(logging.DEBUG)
    app = WizardHost(ledger, SystemClock())
    async with app.run_test(size=SIZE) as pilot:
        await drive_to_step(app, pilot, sandbox, 5)
        recording_receiver.secrets.append(app.screen.state.endpoint_secret.reveal())
        await pilot.press(*f"{recording_receiver.url}/status/202", "enter", "enter")
        await pilot.pause()
        assert current_step(app) == "step-finish"
        await pilot.press("ctrl+b")
        await pilot.pause()
        app.screen.query_one("#send-test-event").press()
        await settle(app, pilot)
        shown = str(app.screen.query_one("#test-event-result").render())
        await pilot.press("escape")
    assert "HTTP 202" in shown
    assert recording_receiver.secrets[0] not in caplog.text
    assert len(recording_receiver.requests) == 1
    assert recording_receiver.requests[0].signature_valid
    assert ledger.list_endpoints() == []


async def test_failed_test_event_warns_on_finish(sandbox, ledger, recording_receiver):
    app = WizardHost(ledger, SystemClock())
    async with app.run_test(size=SIZE) as pilot:
        await drive_to_step(app, pilot, sandbox, 5)
        recording_receiver.secrets.append(app.screen.state.endpoint_secret.reveal())
        await pilot.press(*f"{recording_receiver.url}/status/401")
        app.screen.query_one("#send-test-event").press()
        await settle(app, pilot)
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert current_step(app) == "step-finish"
        summary = str(app.screen.query_one("#summary").render())
        saved_button = app.screen.query_one("#finish")
        await pilot.press("escape")

    assert "The test event to this endpoint failed (HTTP 401" in summary
    assert "you can still save now" in summary
    assert not saved_button.disabled


async def test_second_connection_name(sandbox, ledger):
    app = WizardHost(ledger, SystemClock())
    async with app.run_test(size=SIZE) as pilot:
        await drive_to_step(app, pilot, sandbox, 6)
        await pilot.press("enter")  # Save
        await pilot.pause()
        assert app.screen.query_one(FinishStep).has_class("-saved")
        await pilot.press("enter")  # Done
        await pilot.pause()

        await drive_to_step(app, pilot, sandbox, 6)
        suggested = app.screen.query_one("#name").value
        await fill(app, pilot, "#name", "sandbox")
        await pilot.pause()
        rejected = failure_text(app)
        await fill(app, pilot, "#name", suggested)
        await pilot.pause()
    assert suggested == "sandbox-2"
    assert "'sandbox' is taken" in rejected
    assert sorted(c.name for c in ledger.list_connections()) == ["sandbox", "sandbox-2"]


async def test_edit_credentials_after_auth_failed(sandbox, ledger, caplog):
    from core.onboarding import ReconnectRequiredError, UnknownTokenError
    from tui.onboarding import open_credentials_editor

    caplog.set_level(logging.DEBUG)
    app = WizardHost(ledger, SystemClock())
    async with app.run_test(size=SIZE) as pilot:
        await drive_to_step(app, pilot, sandbox, 6)
        await pilot.press("enter")
        await pilot.pause()
        old = app.screen.state.onboarded
        await pilot.press("enter")
        await pilot.pause()
        ledger.set_status(old.connection.id, ConnectionStatus.AUTH_FAILED, "AccessDenied", SystemClock().now())
        with pytest.raises(ReconnectRequiredError):
            authenticate_token(ledger, old.token.value)
        sandbox.faults.change_password("admin", "Fresh-pass-31")

        open_credentials_editor(app, old.connection.id, callback=app.results.append)
        await pilot.pause()
        await pilot.press(*"admin", "enter")  # the old password is rejected
        await settle(app, pilot)
        rejected = str(app.screen.query_one(".failure").render())
        await pilot.press(*"Fresh-pass-31", "enter")
        await settle(app, pilot)
        shown = app.export_screenshot()
        await pilot.press("enter")  # Done
        await pilot.pause()
        after = app.export_screenshot()

    changed = app.results[-1]
    assert "two-factor logins need an API key" in rejected
    assert changed.token.value in shown
    assert changed.token.value not in after
    assert "Fresh-pass-31" not in shown
    assert "Fresh-pass-31" not in caplog.text
    assert changed.token.value not in caplog.text
    assert ledger.get_connection(old.connection.id).status is ConnectionStatus.PENDING
    with pytest.raises(UnknownTokenError):
        authenticate_token(ledger, old.token.value)
    assert authenticate_token(ledger, changed.token.value).id == old.connection.id
