"""Pieces every wizard step uses: the failure panel and the step base class."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.markup import escape
from textual.widget import Widget
from textual.widgets import LoadingIndicator, Static

from core.onboarding import Failure


class FailurePanel(Static):
    """A failure's cause, what happened and the fix; hidden while there is none."""

    def show(self, failure: Failure) -> None:
        """Display ``failure`` and make the panel visible."""
        self.update(f"[b]✗ {escape(failure.title)}[/b]\n{escape(failure.message)}\n[b]Fix:[/b] {escape(failure.fix)}")
        self.add_class("-visible")

    def show_text(self, message: str) -> None:
        """Display a plain input error, e.g. an invalid URL."""
        self.update(f"[b]✗[/b] {escape(message)}")
        self.add_class("-visible")

    def clear(self) -> None:
        """Hide the panel."""
        self.update("")
        self.remove_class("-visible")


class WizardStep(Vertical):
    """One step of the wizard: its own widgets, a busy indicator and a failure panel."""

    def compose_busy_and_failure(self) -> ComposeResult:
        """Yield the busy line and the failure panel every step ends with."""
        with Vertical(classes="busy"):
            yield LoadingIndicator()
            yield Static("", classes="busy-text")
        yield FailurePanel(classes="failure")

    def set_busy(self, text: str | None) -> None:
        """Show a spinner with ``text``, or hide it when ``text`` is None."""
        busy = self.query_one(".busy")
        busy.set_class(text is not None, "-visible")
        self.query_one(".busy-text", Static).update(escape(text or ""))
        if text is not None:
            self.failure.clear()

    @property
    def failure(self) -> FailurePanel:
        """The panel that names the cause and the fix of the last failure."""
        return self.query_one(FailurePanel)

    def focus_first(self) -> None:
        """Move focus to the step's first input."""
        for widget in self.query("*"):
            if isinstance(widget, Widget) and widget.focusable and widget.display:
                widget.focus()
                return
