"""Steps 5 to 7: streams and interval, webhook endpoint, finish."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.markup import escape
from textual.widgets import Button, Input, Label, SelectionList, Static

from core.onboarding import ConnectionTest, Onboarded, TestEventResult
from core.secrets import Secret
from tui.onboarding.common import WizardStep
from tui.onboarding.messages import (
    ContinueRequested,
    EndpointEntered,
    FinishRequested,
    StreamsChosen,
    TestEventRequested,
)
from tui.onboarding.state import WizardState

TOKEN_NOTE = "This token is shown once and cannot be shown again: copy it now. [b]odoo-relay tokens rotate[/b] issues a new one."
SECRET_NOTE = "Signing secret, shown once: store it in your receiver now."


class StreamsStep(WizardStep):
    """Step 5: which available streams to sync, and how often."""

    def compose(self) -> ComposeResult:
        yield Label("Streams to sync (space toggles)")
        yield SelectionList[str](id="streams")
        yield Static("", id="unavailable", classes="muted")
        with Horizontal(classes="field"):
            yield Label("Sync every (minutes)")
            yield Input("15", id="interval", restrict=r"[0-9]*")
        yield from self.compose_busy_and_failure()
        with Horizontal(classes="buttons"):
            yield Button("Continue", id="streams-continue", variant="primary")

    def show_streams(self, test: ConnectionTest, chosen: list[str]) -> None:
        """List available streams (chosen ones selected) and why the others are left out."""
        selection = self.query_one("#streams", SelectionList)
        selection.clear_options()
        for check in test.streams:
            if check.available:
                label = f"{check.spec.name} ({check.spec.model})"
                selection.add_option((label, check.spec.name, check.spec.name in chosen))
        crosses = [f"✗ {check.spec.name}: {escape(check.failure.message)}" for check in test.streams if not check.available]
        self.query_one("#unavailable", Static).update("\n".join(crosses))

    def focus_first(self) -> None:
        self.query_one("#streams", SelectionList).focus()

    @on(Input.Submitted, "#interval")
    @on(Button.Pressed, "#streams-continue")
    def confirm(self, event) -> None:
        event.stop()
        names = list(self.query_one("#streams", SelectionList).selected)
        self.post_message(StreamsChosen(names, self.query_one("#interval", Input).value))


class EndpointStep(WizardStep):
    """Step 6: an optional webhook endpoint with a generated secret and a test event."""

    def compose(self) -> ComposeResult:
        yield Label("Webhook endpoint URL (leave empty to skip)")
        yield Input(placeholder="https://receiver.example.com/odoo-events", id="endpoint-url")
        with Horizontal(classes="field"):
            yield Label("Event types")
            yield Input("*", id="event-filter", placeholder="record.*, sync.failed")
        yield Static("", id="endpoint-secret", classes="secret")
        yield Static("", id="test-event-result")
        yield from self.compose_busy_and_failure()
        with Horizontal(classes="buttons"):
            yield Button("Send test event", id="send-test-event")
            yield Button("Skip", id="endpoint-skip")
            yield Button("Continue", id="endpoint-continue", variant="primary")

    def show_secret(self, secret: Secret) -> None:
        """Display the generated signing secret; the screen drops it after finishing."""
        self.query_one("#endpoint-secret", Static).update(f"{SECRET_NOTE}\n[b]{secret.reveal()}[/b]")

    def show_test_event(self, result: TestEventResult) -> None:
        """Display the receiver's response to the test event."""
        mark = "[$success]✓[/]" if result.ok else "[$error]✗[/]"
        self.query_one("#test-event-result", Static).update(f"{mark} test event {result.event_id}: {escape(result.summary())}")

    @on(Button.Pressed, "#send-test-event")
    def send_test(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(TestEventRequested(self.query_one("#endpoint-url", Input).value.strip()))

    @on(Button.Pressed, "#endpoint-skip")
    def skip(self, event: Button.Pressed) -> None:
        event.stop()
        self.query_one("#endpoint-url", Input).value = ""
        self.post_message(EndpointEntered("", ""))

    @on(Input.Submitted, "#endpoint-url")
    def url_entered(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            self.post_message(EndpointEntered("", ""))
            return
        self.query_one("#event-filter", Input).focus()

    @on(Input.Submitted, "#event-filter")
    @on(Button.Pressed, "#endpoint-continue")
    def confirm(self, event) -> None:
        event.stop()
        url = self.query_one("#endpoint-url", Input).value.strip()
        self.post_message(EndpointEntered(url, self.query_one("#event-filter", Input).value))


class FinishStep(WizardStep):
    """Step 7: a summary, the name, and after saving the token (shown once) and first sync."""

    def compose(self) -> ComposeResult:
        yield Static("", id="summary")
        with Horizontal(classes="field"):
            yield Label("Connection name")
            yield Input(id="name")
        yield Static("", id="token", classes="secret")
        yield Static("", id="first-sync")
        yield from self.compose_busy_and_failure()
        with Horizontal(classes="buttons"):
            yield Button("Save and start syncing", id="finish", variant="primary")
            yield Button("Done", id="done", variant="success")

    def show_summary(self, state: WizardState) -> None:
        """Show what will be saved, with nothing saved yet."""
        endpoint = state.endpoint.url if state.endpoint else "none"
        lines = [
            f"Server    {state.url} (Odoo {state.test.version}, {state.test.protocol.value})",
            f"Database  {state.database}",
            f"Login     {state.login} ({state.credential_kind.value.replace('_', ' ')})",
            f"Streams   {', '.join(state.stream_names)}",
            f"Interval  every {state.interval_seconds // 60} min",
            f"Endpoint  {endpoint}",
            "Nothing is saved until you press Save.",
        ]
        summary = escape("\n".join(lines))
        warning = _failed_test_event_warning(state)
        if warning:
            summary += f"\n[$warning]{escape(warning)}[/]"
        self.query_one("#summary", Static).update(summary)
        self.query_one("#name", Input).value = state.name
        self.set_class(False, "-saved")

    def show_saved(self, onboarded: Onboarded) -> None:
        """Show the token once, with the note that it cannot be shown again."""
        self.query_one("#token", Static).update(f"API token for {escape(onboarded.connection.name)}:\n"
                                                f"[b]{onboarded.token.value}[/b]\n{TOKEN_NOTE}")
        self.query_one("#summary", Static).update(f"✓ saved connection {escape(onboarded.connection.name)}")
        self.set_class(True, "-saved")
        self.query_one("#done", Button).focus()

    def show_first_sync(self, text: str) -> None:
        """Update the line that follows the first sync."""
        self.query_one("#first-sync", Static).update(escape(text))

    def forget_token(self) -> None:
        """Remove the token from the screen."""
        self.query_one("#token", Static).update("")

    def focus_first(self) -> None:
        self.query_one("#finish", Button).focus()

    @on(Input.Submitted, "#name")
    @on(Button.Pressed, "#finish")
    def save(self, event) -> None:
        event.stop()
        self.post_message(FinishRequested(self.query_one("#name", Input).value.strip()))

    @on(Button.Pressed, "#done")
    def done(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(ContinueRequested())


def _failed_test_event_warning(state: WizardState) -> str:
    """Return a warning when the last test event to the chosen endpoint failed, else an empty string."""
    result = state.test_event
    if state.endpoint is None or result is None or result.ok or state.test_event_url != state.endpoint.url:
        return ""
    # Saving stays allowed: the receiver may be fixed later, and deliveries are retried for 24 hours.
    return (f"⚠ The test event to this endpoint failed ({result.summary()}). "
            "Check the receiver and its signing secret; you can still save now.")

