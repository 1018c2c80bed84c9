"""The webhook log filter: state, event type, endpoint and free text."""

from __future__ import annotations

from textual import on
from textual.message import Message
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from core.ledger.errors import InvalidValueError
from core.ledger.events import validate_patterns
from core.ledger.models import DeliveryFilter, DeliveryState, Endpoint

STATE_CHOICES = [
    ("pending (waiting for an attempt or a retry)", DeliveryState.PENDING),
    ("in flight", DeliveryState.IN_FLIGHT),
    ("succeeded", DeliveryState.SUCCEEDED),
    ("failed (retries exhausted)", DeliveryState.FAILED),
]


class FormSelect(Select):
    """A Select for forms: enter on the closed dropdown submits the form.

    Space, up, down or a click open the dropdown, and enter in the open
    list picks an option, as in Textual's Select.
    """

    BINDINGS = [
        Binding("enter", "submit", "Apply", show=False),
        Binding("down,space,up", "show_overlay", "Show menu", show=False),
    ]

    class Submitted(Message):
        """Enter was pressed on the closed dropdown."""

    def action_submit(self) -> None:
        """Submit the form the dropdown is in."""
        self.post_message(self.Submitted())


class FilterScreen(ModalScreen[DeliveryFilter | None]):
    """Edit the webhook log filter; dismiss with the new filter, or None to keep the old one."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", tooltip="Keep the current filter"),
        Binding("ctrl+r", "clear", "Clear all", tooltip="Show every delivery"),
    ]

    def __init__(self, current: DeliveryFilter, endpoints: list[Endpoint]) -> None:
        super().__init__()
        self.current = current
        self.endpoints = endpoints

    def compose(self) -> ComposeResult:
        current = self.current
        with Vertical(id="filter", classes="dialog"):
            yield Label("State")
            yield FormSelect(STATE_CHOICES, prompt="any state", value=current.state or Select.NULL, id="filter-state")
            yield Label("Event type")
            yield Input(current.event_type or "", placeholder="e.g. record.* or sync.failed", id="filter-type")
            yield Label("Endpoint")
            yield FormSelect(_endpoint_choices(self.endpoints), prompt="any endpoint", value=_endpoint_value(current, self.endpoints), id="filter-endpoint")
            yield Label("Text in event id, type or endpoint URL")
            yield Input(current.text or "", placeholder="e.g. evt_01J or maintenance", id="filter-text")
            yield Static("", id="filter-error")
            with Horizontal(classes="dialog--buttons"):
                yield Button("Apply (enter)", variant="primary", id="filter-apply")
                yield Button("Clear all (ctrl+r)", id="filter-clear")
                yield Button("Cancel (esc)", id="filter-cancel")

    def on_mount(self) -> None:
        self.query_one("#filter", Vertical).border_title = "Filter the webhook log"

    @on(Input.Submitted)
    @on(FormSelect.Submitted)
    @on(Button.Pressed, "#filter-apply")
    def apply_filter(self) -> None:
        chosen = self._read_form()
        if chosen is not None:
            self.dismiss(chosen)

    @on(Button.Pressed, "#filter-clear")
    def action_clear(self) -> None:
        """Dismiss with an empty filter."""
        self.dismiss(DeliveryFilter(connection_id=self.current.connection_id))

    @on(Button.Pressed, "#filter-cancel")
    def action_cancel(self) -> None:
        """Dismiss without changing the filter."""
        self.dismiss(None)

    def _read_form(self) -> DeliveryFilter | None:
        event_type = self.query_one("#filter-type", Input).value.strip()
        problem = event_type_problem(event_type)
        if problem:
            self.query_one("#filter-error", Static).update(problem)
            self.query_one("#filter-type", Input).focus()
            return None
        state = self.query_one("#filter-state", Select).value
        endpoint = self.query_one("#filter-endpoint", Select).value
        text = self.query_one("#filter-text", Input).value.strip()
        return DeliveryFilter(
            state=None if state is Select.NULL else DeliveryState(state),
            event_type=event_type or None,
            endpoint_id=None if endpoint is Select.NULL else int(endpoint),
            connection_id=self.current.connection_id,
            text=text or None,
        )


def event_type_problem(value: str) -> str | None:
    """Return why ``value`` is not a valid event type pattern, or None."""
    if not value:
        return None
    try:
        validate_patterns([value])
    except InvalidValueError as error:
        return str(error).capitalize()
    return None


def _endpoint_choices(endpoints: list[Endpoint]) -> list[tuple[str, int]]:
    return [(f"#{endpoint.id} {endpoint.url}", endpoint.id) for endpoint in endpoints]


def _endpoint_value(current: DeliveryFilter, endpoints: list[Endpoint]):
    known = {endpoint.id for endpoint in endpoints}
    return current.endpoint_id if current.endpoint_id in known else Select.NULL
