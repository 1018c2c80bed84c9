"""The onboarding wizard: seven steps from a URL to a syncing connection.

Steps post messages; this screen checks input, runs the network work of
core.onboarding in workers, and moves between steps. Nothing is written to
the ledger before the last step, so leaving with escape leaves nothing behind.
"""

from __future__ import annotations

import logging
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Static

from core.clock import Clock
from core.ledger.models import CredentialKind, SyncStatus
from core.onboarding import (
    Cause,
    EndpointDraft,
    InvalidUrlError,
    Onboarded,
    OnboardingError,
    check_endpoint_url,
    check_interval,
    check_url,
    default_name,
    discover_server,
    finish_onboarding,
    parse_event_filter,
    send_test_event,
    test_connection,
)
from core.sync.streams import DEFAULT_STREAMS
from core.webhooks.signing import generate_secret
from tui.onboarding import messages as msg
from tui.onboarding.common import WizardStep
from tui.onboarding.state import STEP_TITLES, WizardState
from tui.onboarding.steps_connect import DatabaseStep, LoginStep, TestStep, UrlStep
from tui.onboarding.steps_setup import EndpointStep, FinishStep, StreamsStep

log = logging.getLogger(__name__)

STEP_IDS = ("step-url", "step-database", "step-login", "step-test", "step-streams", "step-endpoint", "step-finish")


class OnboardingScreen(Screen[Onboarded | None]):
    """Add an Odoo connection step by step; dismisses with the result, or None when abandoned."""

    CSS_PATH = Path(__file__).with_name("onboarding.tcss")
    STEP_IDS = STEP_IDS
    BINDINGS = [
        Binding("escape", "leave", "Leave", tooltip="Close the wizard; nothing is saved before the last step"),
        Binding("ctrl+b", "back", "Back", tooltip="Return to the previous step"),
    ]

    def __init__(self, ledger, clock: Clock, state: WizardState | None = None, step: int = 0) -> None:
        super().__init__()
        self.ledger = ledger
        self.clock = clock
        self.state = state or WizardState()
        self.step = step
        self._warned_url: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="wizard"):
            yield Static("", id="step-title")
            with ContentSwitcher(initial=STEP_IDS[self.step], id="steps"):
                yield UrlStep(id="step-url")
                yield DatabaseStep(id="step-database")
                yield LoginStep(id="step-login")
                yield TestStep(id="step-test")
                yield StreamsStep(id="step-streams")
                yield EndpointStep(id="step-endpoint")
                yield FinishStep(id="step-finish")
        yield Footer()

    def on_mount(self) -> None:
        self._show_step(self.step)

    # --- moving between steps ------------------------------------------------

    def _show_step(self, index: int) -> None:
        self.step = index
        self.query_one("#step-title", Static).update(f"New Odoo connection · step {index + 1} of 7 · {STEP_TITLES[index]}")
        self.query_one(ContentSwitcher).current = STEP_IDS[index]
        self._prepare_step(index)
        self.current_step.focus_first()

    def _prepare_step(self, index: int) -> None:
        # Each step shows what earlier steps found; values typed stay in place.
        state = self.state
        if index == 1 and state.facts is not None:
            self.query_one(DatabaseStep).show_facts(state.facts, state.database)
        elif index == 2:
            self.query_one(LoginStep).set_kind(state.credential_kind)
        elif index == 4 and state.test is not None:
            self.query_one(StreamsStep).show_streams(state.test, state.stream_names)
        elif index == 5:
            if state.endpoint_secret is None:
                state.endpoint_secret = generate_secret()
            self.query_one(EndpointStep).show_secret(state.endpoint_secret)
        elif index == 6 and state.test is not None and state.onboarded is None:
            if not state.name:
                state.name = default_name(state.database, {c.name for c in self.ledger.list_connections()})
            self.query_one(FinishStep).show_summary(state)

    @property
    def current_step(self) -> WizardStep:
        """The step widget on screen."""
        return self.query_one(f"#{STEP_IDS[self.step]}", WizardStep)

    def action_back(self) -> None:
        """Return to the previous step, keeping what was typed."""
        if self.state.onboarded is None and self.step > 0:
            self._show_step(self.step - 1)

    def action_leave(self) -> None:
        """Close the wizard; before the last step nothing was saved."""
        if self.state.onboarded is None:
            log.info("onboarding wizard left at step %d; nothing saved", self.step + 1)
        self._forget_secrets()
        self.dismiss(self.state.onboarded)

    def _forget_secrets(self) -> None:
        self.query_one(FinishStep).forget_token()
        self.state.credential = None
        self.state.endpoint_secret = None

    # --- step 1: URL -----------------------------------------------------------

    @on(msg.UrlEntered)
    def check_server_url(self, message: msg.UrlEntered) -> None:
        step = self.query_one(UrlStep)
        try:
            checked = check_url(message.text)
        except InvalidUrlError as error:
            step.failure.show_text(str(error))
            return
        if checked.warnings and self._warned_url != checked.url:
            self._warned_url = checked.url
            step.show_warnings(checked.warnings)
            return
        self.probe_server(checked.url)

    @work(exclusive=True, group="onboarding-network")
    async def probe_server(self, url: str) -> None:
        """Ask the server for its version and databases, then open the database step."""
        step = self.query_one(UrlStep)
        step.set_busy(f"Contacting {url}…")
        try:
            facts = await discover_server(url)
        except OnboardingError as error:
            step.failure.show(error.failure)
            return
        finally:
            step.set_busy(None)
        if url != self.state.url:
            # Another server: what was chosen for the previous one no longer applies.
            self.state.database = ""
            self.state.test = None
        self.state.url = url
        self.state.facts = facts
        self.state.database = self.state.database or facts.suggested_database or ""
        if facts.json2:
            self.state.credential_kind = CredentialKind.API_KEY
        self._show_step(1)

    # --- steps 2 and 3: database and login ---------------------------------------

    @on(msg.DatabaseChosen)
    def choose_database(self, message: msg.DatabaseChosen) -> None:
        if not message.name:
            self.query_one(DatabaseStep).failure.show_text("missing database name: type the name of the Odoo database")
            return
        self.state.database = message.name
        self._show_step(2)

    @on(msg.CredentialsEntered)
    def take_credentials(self, message: msg.CredentialsEntered) -> None:
        step = self.query_one(LoginStep)
        if not message.login:
            step.failure.show_text("missing login: type the Odoo login, often the email address")
            return
        if not message.credential:
            step.failure.show_text(f"missing {message.credential_kind.value.replace('_', ' ')}: type it in the masked field")
            return
        self.state.login = message.login
        self.state.credential = message.credential
        self.state.credential_kind = message.credential_kind
        self.state.protocol = message.protocol
        self._show_step(3)
        self.run_connection_test()

    # --- step 4: test ------------------------------------------------------------------

    @work(exclusive=True, group="onboarding-network")
    async def run_connection_test(self) -> None:
        """Log in and check every default stream."""
        step = self.query_one(TestStep)
        step.reset()
        step.set_busy(f"Logging in to {self.state.database} as {self.state.login} and checking streams…")
        try:
            test = await test_connection(self.state.credentials(), list(DEFAULT_STREAMS), on_check=step.add_check)
        except OnboardingError as error:
            step.failure.show(error.failure)
            if error.failure.cause in (Cause.TWO_FACTOR, Cause.WRONG_CREDENTIALS):
                # Back on the login step, the rejected secret is typed again.
                self.query_one(LoginStep).clear_secret()
            return
        finally:
            step.set_busy(None)
        self.state.test = test
        self.state.stream_names = [spec.name for spec in test.available_streams]
        step.show_test(test)

    @on(msg.StepBackRequested)
    def go_back(self) -> None:
        self.action_back()

    @on(msg.ContinueRequested)
    def go_on(self) -> None:
        if self.step == 3 and self.state.test is not None:
            self._show_step(4)
        elif self.step == 6 and self.state.onboarded is not None:
            self.action_leave()

    # --- steps 5 and 6: streams and endpoint ----------------------------------------------

    @on(msg.StreamsChosen)
    def choose_streams(self, message: msg.StreamsChosen) -> None:
        step = self.query_one(StreamsStep)
        if not message.names:
            step.failure.show_text("no stream selected: select at least one with space")
            return
        try:
            self.state.interval_seconds = check_interval(int(message.interval_text or "0") * 60)
        except ValueError:
            step.failure.show_text(f"invalid interval {message.interval_text!r} minutes: use 1 minute or more")
            return
        self.state.stream_names = message.names
        self._show_step(5)

    @on(msg.TestEventRequested)
    def request_test_event(self, message: msg.TestEventRequested) -> None:
        try:
            url = check_endpoint_url(message.url).url
        except InvalidUrlError as error:
            self.query_one(EndpointStep).failure.show_text(str(error))
            return
        self.deliver_test_event(url)

    @work(exclusive=True, group="onboarding-network")
    async def deliver_test_event(self, url: str) -> None:
        """Send one signed test event and show the receiver's response."""
        step = self.query_one(EndpointStep)
        step.set_busy(f"Sending a test event to {url}…")
        try:
            result = await send_test_event(url, self.state.endpoint_secret, self.clock)
        finally:
            step.set_busy(None)
        self.state.test_event = result
        self.state.test_event_url = url
        step.show_test_event(result)

    @on(msg.EndpointEntered)
    def choose_endpoint(self, message: msg.EndpointEntered) -> None:
        step = self.query_one(EndpointStep)
        if not message.url:
            self.state.endpoint = None
            self._show_step(6)
            return
        try:
            url = check_endpoint_url(message.url).url
            event_types = parse_event_filter(message.event_filter)
        except ValueError as error:
            step.failure.show_text(str(error))
            return
        self.state.endpoint = EndpointDraft(url=url, secret=self.state.endpoint_secret, event_types=event_types)
        self._show_step(6)

    # --- step 7: finish ---------------------------------------------------------------------

    @on(msg.FinishRequested)
    def finish(self, message: msg.FinishRequested) -> None:
        step = self.query_one(FinishStep)
        if self.state.onboarded is not None:
            return
        if not message.name:
            step.failure.show_text("missing connection name: type a name")
            return
        if self.ledger.get_connection_by_name(message.name) is not None:
            step.failure.show_text(f"connection name {message.name!r} is taken: type another name")
            return
        self.state.name = message.name
        try:
            onboarded = finish_onboarding(self.ledger, self.state.draft(), self.state.test, self.clock)
        except Exception as error:  # noqa: BLE001 - shown to the person and logged; nothing was saved
            log.exception("saving connection %s failed", message.name)
            step.failure.show_text(f"saving failed, nothing was saved: {type(error).__name__}: {error}")
            return
        self.state.onboarded = onboarded
        self.state.credential = None
        step.show_saved(onboarded)
        step.show_first_sync(f"First sync queued (command {onboarded.first_sync.id}); waiting for the engine…")
        self.set_interval(0.5, self.follow_first_sync)

    def follow_first_sync(self) -> None:
        """Show the first sync's progress until it ends."""
        onboarded = self.state.onboarded
        runs = self.ledger.list_runs(onboarded.connection.id, limit=1).items
        if not runs:
            return
        run = runs[0]
        step = self.query_one(FinishStep)
        if run.status is SyncStatus.RUNNING:
            step.show_first_sync(f"First sync running (run {run.id})…")
        elif run.status is SyncStatus.FAILED:
            step.show_first_sync(f"✗ first sync failed (run {run.id}): {run.error_message}")
        else:
            step.show_first_sync(f"✓ first sync {run.status.value} (run {run.id}): {run.created} records created")
