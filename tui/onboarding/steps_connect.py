"""Steps 1 to 4: server URL, database, login, connection test."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.markup import escape
from textual.widgets import Button, Input, Label, OptionList, RadioButton, RadioSet, Static

from core.ledger.models import CredentialKind, Protocol
from core.onboarding import ConnectionTest, ServerFacts
from core.secrets import Secret
from tui.onboarding.common import WizardStep
from tui.onboarding.messages import ContinueRequested, CredentialsEntered, DatabaseChosen, StepBackRequested, UrlEntered

TWO_FACTOR_NOTE = (
    "Users with two-factor login cannot use their password here: create an API key in Odoo "
    "(avatar > My Preferences > Account Security > New API Key) and choose API key."
)


class UrlStep(WizardStep):
    """Step 1: the address of the Odoo server."""

    def compose(self) -> ComposeResult:
        yield Label("Address of the Odoo server, as you open it in a browser")
        yield Input(placeholder="https://odoo.example.com", id="url")
        yield Static("", id="url-warning", classes="warning")
        yield from self.compose_busy_and_failure()

    @on(Input.Submitted, "#url")
    def submit_url(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(UrlEntered(event.value))

    def show_warnings(self, warnings: list[str]) -> None:
        """Display URL warnings (cleartext http, dropped path); press enter again to accept."""
        text = "\n".join(f"⚠ {warning}" for warning in warnings)
        if warnings:
            text += "\nPress enter again to continue with this URL."
        self.query_one("#url-warning", Static).update(escape(text))


class DatabaseStep(WizardStep):
    """Step 2: pick a database from the server's list, or type its name."""

    def compose(self) -> ComposeResult:
        yield Label("Database", id="database-label")
        yield Static("", id="server-facts", classes="muted")
        yield OptionList(id="database-list")
        yield Input(placeholder="database name", id="database")
        yield from self.compose_busy_and_failure()

    def show_facts(self, facts: ServerFacts, current: str) -> None:
        """List the server's databases, or ask for a name when the server hides them."""
        listing = self.query_one("#database-list", OptionList)
        typed = self.query_one("#database", Input)
        listing.clear_options()
        several = bool(facts.databases) and len(facts.databases) > 1
        self.query_one("#server-facts", Static).update(escape(_facts_line(facts)))
        if several:
            listing.add_options(facts.databases)
            if current in facts.databases:
                listing.highlighted = facts.databases.index(current)
        typed.value = current or facts.suggested_database or ""
        listing.display = several
        typed.display = not several

    @on(OptionList.OptionSelected, "#database-list")
    def pick(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(DatabaseChosen(str(event.option.prompt)))

    @on(Input.Submitted, "#database")
    def type_name(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(DatabaseChosen(event.value.strip()))


def _facts_line(facts: ServerFacts) -> str:
    if facts.databases is None:
        listing = "the server does not list its databases: type the name"
    elif len(facts.databases) == 1:
        listing = "one database on this server: press enter to use it"
    else:
        listing = f"{len(facts.databases)} databases on this server"
    return f"Odoo {facts.version} at {facts.url}; {listing}"


class LoginStep(WizardStep):
    """Step 3: login and a masked password or API key."""

    def compose(self) -> ComposeResult:
        yield Label("Login (often the email address)")
        yield Input(placeholder="admin", id="login")
        with RadioSet(id="credential-kind"):
            yield RadioButton("Password", id="kind-password", value=True)
            yield RadioButton("API key", id="kind-api-key")
        yield Static(TWO_FACTOR_NOTE, classes="muted")
        with Horizontal(classes="field"):
            yield Label("Protocol")
            with RadioSet(id="protocol"):
                for protocol in Protocol:
                    yield RadioButton(protocol.value, id=f"protocol-{protocol.value}", value=protocol is Protocol.AUTO)
        yield Label("Password or API key (hidden; enter tests the login)", id="secret-label")
        yield Input(placeholder="password", password=True, id="secret")
        yield from self.compose_busy_and_failure()

    def set_kind(self, kind: CredentialKind) -> None:
        """Pre-select the kind of credential (API key on servers that offer JSON-2)."""
        button = "#kind-api-key" if kind is CredentialKind.API_KEY else "#kind-password"
        self.query_one(button, RadioButton).value = True
        self._placeholder(kind)

    @property
    def kind(self) -> CredentialKind:
        """The kind of credential currently selected."""
        if self.query_one("#kind-api-key", RadioButton).value:
            return CredentialKind.API_KEY
        return CredentialKind.PASSWORD

    @property
    def protocol(self) -> Protocol:
        """The protocol currently selected."""
        for protocol in Protocol:
            if self.query_one(f"#protocol-{protocol.value}", RadioButton).value:
                return protocol
        return Protocol.AUTO

    @on(RadioSet.Changed, "#credential-kind")
    def kind_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        self._placeholder(self.kind)

    @on(Input.Submitted, "#login")
    def login_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#secret", Input).focus()

    @on(Input.Submitted, "#secret")
    def secret_entered(self, event: Input.Submitted) -> None:
        event.stop()
        login = self.query_one("#login", Input).value.strip()
        self.post_message(CredentialsEntered(login, Secret(event.value), self.kind, self.protocol))

    def clear_secret(self) -> None:
        """Empty the secret input, so a rejected value is typed again."""
        self.query_one("#secret", Input).value = ""

    def _placeholder(self, kind: CredentialKind) -> None:
        self.query_one("#secret", Input).placeholder = "API key" if kind is CredentialKind.API_KEY else "password"


class TestStep(WizardStep):
    """Step 4: log in, detect version and protocol, and check each stream."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._lines: list[str] = []  # one tick or cross per stream checked so far

    def compose(self) -> ComposeResult:
        yield Static("", id="test-summary")
        yield Static("", id="stream-checks")
        yield from self.compose_busy_and_failure()
        with Horizontal(classes="buttons"):
            yield Button("Back", id="test-back")
            yield Button("Continue", id="test-continue", variant="primary", disabled=True)

    def show_test(self, test: ConnectionTest) -> None:
        """Show ticks and crosses per stream and enable Continue when any stream passed."""
        self.query_one("#test-summary", Static).update(
            f"✓ logged in as uid {test.uid} on Odoo {test.version} over {test.protocol.value}"
        )
        self.query_one("#stream-checks", Static).update("\n".join(_check_line(check) for check in test.streams))
        go_on = self.query_one("#test-continue", Button)
        go_on.disabled = not test.available_streams
        if not go_on.disabled:
            go_on.focus()

    def add_check(self, check) -> None:
        """Append one stream's tick or cross while the test is still running."""
        checks = self.query_one("#stream-checks", Static)
        self._lines.append(_check_line(check))
        checks.update("\n".join(self._lines))

    def reset(self) -> None:
        """Clear the previous result before a new test."""
        self._lines = []
        self.query_one("#test-summary", Static).update("")
        self.query_one("#stream-checks", Static).update("")
        self.query_one("#test-continue", Button).disabled = True

    def focus_first(self) -> None:
        self.query_one("#test-back", Button).focus()

    @on(Button.Pressed, "#test-back")
    def back(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(StepBackRequested())

    @on(Button.Pressed, "#test-continue")
    def go_on(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(ContinueRequested())


def _check_line(check) -> str:
    if check.available:
        return f"[$success]✓[/] {check.spec.name:<16} {check.spec.model} ({check.record_count} records)"
    failure = check.failure
    return f"[$error]✗[/] {check.spec.name:<16} {check.spec.model}: {escape(failure.message)}. Fix: {escape(failure.fix)}"
