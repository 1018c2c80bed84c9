"""A titled pane: a table, plus a note shown in place of rows when it has none."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tui.widgets.live_table import LiveTable


class Pane(Vertical):
    """A bordered pane with a title, one ``LiveTable`` and a note line.

    The note carries the empty, loading and error states; the border turns
    to the accent colour while the table inside has focus.
    """

    DEFAULT_CSS = """
    Pane {
        border: round $foreground 25%;
        border-title-color: $text-muted;
        border-title-style: bold;
        height: 1fr;
        padding: 0;
    }
    Pane:focus-within {
        border: round $accent;
        border-title-color: $accent;
    }
    Pane > .pane--note {
        display: none;
        height: 1fr;
        content-align: center middle;
        color: $text-muted;
    }
    Pane.-note > .pane--note {
        display: block;
    }
    Pane.-note > LiveTable {
        height: auto;
    }
    Pane.-error > .pane--note {
        color: $text-error;
    }
    """

    def __init__(self, title: str, table: LiveTable, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = title
        self.table = table
        self._note = Static("", classes="pane--note")

    def compose(self) -> ComposeResult:
        yield self.table
        yield self._note

    def show_note(self, text: str, *, error: bool = False) -> None:
        """Show ``text`` under the column headings (an empty, loading or error state)."""
        self._note.update(text)
        self.set_class(True, "-note")
        self.set_class(error, "-error")

    def hide_note(self) -> None:
        """Hide the note once the table has rows."""
        self.set_class(False, "-note")
        self.set_class(False, "-error")

    def set_subtitle(self, text: str) -> None:
        """Show ``text`` on the bottom border (counts, filter, paging)."""
        self.border_subtitle = text
