"""Show a freshly issued API token once."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static


class TokenScreen(ModalScreen[None]):
    """The new token in a read-only field the user can select and copy.

    The value lives only in this screen; closing it drops the last reference.
    """

    BINDINGS = [
        Binding("escape", "close", "Close", tooltip="The token cannot be shown again"),
        Binding("c", "copy", "Copy", tooltip="Copy the token to the clipboard (OSC 52)"),
    ]

    def __init__(self, value: str, prefix: str) -> None:
        super().__init__()
        self._value = value
        self.prefix = prefix

    def compose(self) -> ComposeResult:
        with Vertical(id="token", classes="dialog"):
            yield Static("Copy this API token now. It is shown only once; odoo-relay keeps only its hash.", id="token-warning")
            yield Input(self._value, id="token-value", disabled=False)
            yield Static("Clients send it as: Authorization: Bearer <token>", id="token-usage")
            with Horizontal(classes="dialog--buttons"):
                yield Button("Copy (c)", id="token-copy")
                yield Button("I stored it (esc)", variant="primary", id="token-close")

    def on_mount(self) -> None:
        self.query_one("#token", Vertical).border_title = f"New API token {self.prefix}…"
        self.query_one("#token-close", Button).focus()

    @on(Button.Pressed, "#token-copy")
    def action_copy(self) -> None:
        """Copy the token with the terminal's clipboard escape."""
        self.app.copy_to_clipboard(self._value)
        self.notify("Token copied to the clipboard (if your terminal allows it).")

    @on(Button.Pressed, "#token-close")
    def action_close(self) -> None:
        """Close; the token cannot be shown again."""
        self._value = ""
        self.dismiss(None)
