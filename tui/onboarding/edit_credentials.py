"""Change a connection's credentials: the way out of ``auth_failed``.

The new credentials are tested before anything is saved. On success the
connection gets a new API token, shown once, and the old token stops working.
"""

from __future__ import annotations

import logging
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, RadioButton, RadioSet, Static

from core.clock import Clock
from core.ledger.models import Connection, CredentialKind
from core.onboarding import CredentialsChanged, OnboardingError, change_credentials
from core.secrets import Secret
from tui.onboarding.common import FailurePanel
from tui.onboarding.steps_connect import TWO_FACTOR_NOTE
from tui.onboarding.steps_setup import TOKEN_NOTE

log = logging.getLogger(__name__)


class EditCredentialsScreen(Screen[CredentialsChanged | None]):
    """Enter, test and save new credentials for one connection."""

    CSS_PATH = Path(__file__).with_name("onboarding.tcss")
    BINDINGS = [Binding("escape", "leave", "Leave", tooltip="Close; nothing is saved unless the test passed")]

    def __init__(self, ledger, clock: Clock, connection: Connection) -> None:
        super().__init__()
        self.ledger = ledger
        self.clock = clock
        self.connection = connection
        self.result: CredentialsChanged | None = None

    def compose(self) -> ComposeResult:
        connection = self.connection
        with Vertical(id="wizard"):
            yield Static(escape(f"New credentials for {connection.name} ({connection.url}, database "
                                f"{connection.database}), status {connection.status.value}"), id="step-title")
            yield Label("Login")
            yield Input(connection.login, id="login")
            with RadioSet(id="credential-kind"):
                yield RadioButton("Password", id="kind-password",
                                  value=connection.credential_kind is CredentialKind.PASSWORD)
                yield RadioButton("API key", id="kind-api-key",
                                  value=connection.credential_kind is CredentialKind.API_KEY)
            yield Static(TWO_FACTOR_NOTE, classes="muted")
            yield Label("Password or API key (hidden; enter tests and saves)")
            yield Input(password=True, id="secret")
            yield Static("", id="busy-text", classes="muted")
            yield FailurePanel(classes="failure")
            yield Static("", id="token", classes="secret")
            with Horizontal(classes="buttons"):
                yield Button("Done", id="done", variant="success", disabled=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#secret", Input).focus()

    @property
    def kind(self) -> CredentialKind:
        """The kind of credential selected."""
        if self.query_one("#kind-api-key", RadioButton).value:
            return CredentialKind.API_KEY
        return CredentialKind.PASSWORD

    @on(Input.Submitted, "#login")
    def login_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#secret", Input).focus()

    @on(Input.Submitted, "#secret")
    def secret_entered(self, event: Input.Submitted) -> None:
        event.stop()
        login = self.query_one("#login", Input).value.strip()
        if not login or not event.value:
            self.query_one(FailurePanel).show_text("missing login or secret: type both, then press enter")
            return
        self.save_credentials(login, Secret(event.value), self.kind)

    @work(exclusive=True, group="onboarding-network")
    async def save_credentials(self, login: str, credential: Secret, kind: CredentialKind) -> None:
        """Test the credentials and, when they work, store them with a new token."""
        failure = self.query_one(FailurePanel)
        failure.clear()
        self.query_one("#busy-text", Static).update(escape(f"Testing login {login} on {self.connection.url}…"))
        try:
            changed = await change_credentials(self.ledger, self.connection.id, login, credential, kind, self.clock)
        except OnboardingError as error:
            # A rejected secret is typed again from scratch.
            self.query_one("#secret", Input).value = ""
            failure.show(error.failure)
            return
        finally:
            self.query_one("#busy-text", Static).update("")
        self.result = changed
        self.query_one("#secret", Input).value = ""
        self.query_one("#token", Static).update(
            f"✓ saved; connection {escape(changed.connection.name)} is {changed.connection.status.value}.\n"
            f"New API token (the old one no longer works):\n[b]{changed.token.value}[/b]\n{TOKEN_NOTE}"
        )
        done = self.query_one("#done", Button)
        done.disabled = False
        done.focus()

    @on(Button.Pressed, "#done")
    def done(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_leave()

    def action_leave(self) -> None:
        """Close the screen and drop the token from it."""
        self.query_one("#token", Static).update("")
        self.dismiss(self.result)


def open_credentials_editor(app, connection_id: int, ledger=None, clock: Clock | None = None, callback=None):
    """Push the credentials editor for a connection, e.g. from its details view.

    ``ledger`` and ``clock`` default as in ``open_wizard``; ``callback``
    receives CredentialsChanged, or None when nothing was saved.
    """
    from tui.onboarding import _app_clock, _app_ledger

    ledger = _app_ledger(app, ledger)
    screen = EditCredentialsScreen(ledger, _app_clock(app, clock), ledger.get_connection(connection_id))
    app.push_screen(screen, callback)
    return screen
