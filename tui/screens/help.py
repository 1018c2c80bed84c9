"""The key reference, built from the bindings themselves so it cannot drift."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

# Keys Textual provides itself, described in our words.
BUILT_IN = [
    ("tab / shift+tab", "Move between panes"),
    ("↑ ↓ pgup pgdn home end", "Move the cursor; rows load as you scroll, and far-off log rows are read again"),
    ("ctrl+p", "Command palette: every action by name"),
]


class HelpScreen(ModalScreen[None]):
    """Every key of the monitor, grouped by where it works."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", tooltip="Back to the monitor")]

    def __init__(self, groups: list[tuple[str, list[Binding]]]) -> None:
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        with Vertical(id="help", classes="dialog"):
            with VerticalScroll():
                yield Static(key_table(self.groups), id="help-keys")

    def on_mount(self) -> None:
        help_box = self.query_one("#help", Vertical)
        help_box.border_title = "Keys"
        help_box.border_subtitle = "esc to close"

    def action_close(self) -> None:
        """Close the key reference."""
        self.dismiss(None)


def key_table(groups: list[tuple[str, list[Binding]]]) -> Table:
    """Return a table of every key, its action and a longer description."""
    table = Table(box=None, expand=True, show_header=False, pad_edge=False)
    table.add_column("key", style="bold", no_wrap=True, width=18)
    table.add_column("action", no_wrap=True, width=16)
    table.add_column("what it does")
    for title, bindings in groups:
        table.add_row(Text(title, style="bold underline"), "", "")
        for binding in bindings:
            table.add_row(_key_label(binding.key), binding.description, binding.tooltip or "")
        table.add_row("", "", "")
    table.add_row(Text("Everywhere (Textual)", style="bold underline"), "", "")
    for key, text in BUILT_IN:
        table.add_row(key, "", text)
    return table


def _key_label(key: str) -> str:
    names = {"question_mark": "?", "slash": "/", "space": "space", "escape": "esc"}
    return " / ".join(names.get(part, part) for part in key.split(","))
