"""A yes/no question before a command that touches many rows."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmScreen(ModalScreen[bool]):
    """Ask ``question``; dismiss with True on confirm, False on cancel."""

    BINDINGS = [
        Binding("y", "confirm", "Yes", tooltip="Confirm"),
        Binding("n,escape", "cancel", "No", tooltip="Cancel"),
    ]

    def __init__(self, question: str, *, confirm_label: str = "Confirm", detail: str = "") -> None:
        super().__init__()
        self.question = question
        self.confirm_label = confirm_label
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm", classes="dialog"):
            yield Static(self.question, id="confirm-question")
            if self.detail:
                yield Static(self.detail, id="confirm-detail")
            with Horizontal(classes="dialog--buttons"):
                yield Button(f"{self.confirm_label} (y)", variant="warning", id="confirm-yes")
                yield Button("Cancel (n)", id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm", Vertical).border_title = "Please confirm"
        self.query_one("#confirm-no", Button).focus()

    @on(Button.Pressed, "#confirm-yes")
    def action_confirm(self) -> None:
        """Answer yes."""
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def action_cancel(self) -> None:
        """Answer no."""
        self.dismiss(False)
