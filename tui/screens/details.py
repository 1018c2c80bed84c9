"""The shared frame of the details views: load in a worker, then show sections."""

from __future__ import annotations

import logging
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Static

from tui.data import LedgerData
from tui.palette import Palette

log = logging.getLogger(__name__)


class DetailsScreen(ModalScreen[None]):
    """A modal that reads one row's details off the UI path and shows them.

    Subclasses set ``title``, implement ``read`` (runs on a worker thread)
    and ``build`` (returns the widgets for what ``read`` returned).
    """

    BINDINGS = [Binding("escape,q", "close", "Close", tooltip="Back to the main screen")]

    title = "Details"

    class Loaded(Message):
        """The worker read the details at ledger data version ``version``."""

        def __init__(self, details: Any, version: int | None = None) -> None:
            super().__init__()
            self.details = details
            self.version = version

    class ReadFailed(Message):
        """The worker could not read the details."""

        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self, data: LedgerData) -> None:
        super().__init__()
        self.data = data
        self.details: Any = None
        self.palette = Palette({})
        self._version: int | None = None
        self._poll_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="details", classes="dialog"):
            yield Static(f"Reading {self.title.lower()}…", id="details-note")
            yield VerticalScroll(id="details-body")
        yield Footer()

    def on_mount(self) -> None:
        self.palette = Palette.from_variables(self.app.theme_variables)
        self.query_one("#details", Vertical).border_title = self.title
        self.reload()

    def reload(self) -> None:
        """Read the details again (after a command changed them)."""
        self._read_details(None)

    def _schedule_poll(self) -> None:
        # A one-shot timer re-armed after each read, so reads never overlap.
        if self._poll_timer is not None:
            self._poll_timer.stop()
        self._poll_timer = self.set_timer(getattr(self.app, "poll_interval", 1.0), self._poll)

    def _poll(self) -> None:
        self._poll_timer = None
        if self.is_current:
            self._read_details(self._version)
        else:
            self._schedule_poll()

    @work(thread=True, exclusive=True, group="details", exit_on_error=False)
    def _read_details(self, unless_version: int | None) -> None:
        """Read the details, or only re-arm the poll when the ledger's data version is ``unless_version``."""
        try:
            version = self.data.data_version()
            if version == unless_version:
                self.app.call_from_thread(self._schedule_poll)
                return
            self.post_message(self.Loaded(self.read(self.data), version))
        except Exception as error:  # noqa: BLE001 - shown in the view and logged
            log.exception("reading %s failed", self.title.lower())
            self.post_message(self.ReadFailed(f"{type(error).__name__}: {error}"))

    @on(Loaded)
    async def show_details(self, message: Loaded) -> None:
        self.details = message.details
        self._version = message.version
        note = self.query_one("#details-note", Static)
        note.display = False
        await self._show_sections(self.build(message.details))
        self._schedule_poll()

    async def _show_sections(self, sections: list[Widget]) -> None:
        """Update the sections in place when their layout is unchanged, so a live refresh keeps the scroll position."""
        body = self.query_one("#details-body", VerticalScroll)
        shown = list(body.children)
        same_layout = len(shown) == len(sections) and all(
            isinstance(old, Static) and isinstance(new, Static) and old.id == new.id for old, new in zip(shown, sections)
        )
        if not same_layout:
            await body.remove_children()
            await body.mount_all(sections)
            return
        for old, new in zip(shown, sections):
            old.update(new.content)
            old.border_title = new.border_title

    @on(ReadFailed)
    def show_failure(self, message: ReadFailed) -> None:
        note = self.query_one("#details-note", Static)
        note.update(f"Could not read {self.title.lower()}: {message.error}\nPress esc to go back.")
        note.add_class("-error")

    def action_close(self) -> None:
        """Go back to the main screen."""
        self.dismiss(None)

    def read(self, data: LedgerData) -> Any:
        """Read the details; runs on a worker thread."""
        raise NotImplementedError

    def build(self, details: Any) -> list[Widget]:
        """Return the widgets that show ``details``."""
        raise NotImplementedError


def section(title: str, body: Any, *, id: str | None = None) -> Static:
    """Return a titled block for a details view."""
    block = Static(body, classes="details--section", id=id)
    block.border_title = title
    return block


def facts(rows: list[tuple[str, Text | str]]) -> Table:
    """Return a two-column grid of label and value."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, value in rows:
        grid.add_row(label, value)
    return grid
