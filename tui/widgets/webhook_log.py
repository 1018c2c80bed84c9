"""The Webhook log pane: deliveries newest first, with tags for bulk retries."""

from __future__ import annotations

from datetime import datetime

from textual.binding import Binding
from textual.message import Message

from core.ledger.models import Delivery, DeliveryState
from tui import format as fmt
from tui.palette import Palette
from tui.widgets.live_table import Column, LiveTable, TableRow

COLUMNS = (
    Column("id", "Delivery", 9),
    Column("time", "Created", 8),
    Column("type", "Event type", 24),
    Column("endpoint", "Endpoint", 15),
    Column("state", "State", 11),
    Column("attempts", "Tries", 5),
    Column("last", "Last result", 17),
    Column("next", "Retry in", 9),
)

EMPTY_TEXT = "No webhook deliveries yet. They appear here as soon as a sync finds changes."
EMPTY_FILTERED_TEXT = "No delivery matches this filter. Press esc to clear it."
TAG_MARK = "▶"


class WebhookLogTable(LiveTable):
    """Deliveries of every endpoint; ``space`` tags rows for a bulk retry."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Details", tooltip="Payload, headers and every attempt"),
        Binding("r", "screen.retry_selected", "Retry", tooltip="Retry the selected delivery now"),
        Binding("R", "screen.retry_failed", "Retry failed", tooltip="Retry tagged rows, or every failed delivery in the filter"),
        Binding("space", "toggle_tag", "Tag", tooltip="Tag the row for a bulk retry"),
        Binding("slash", "screen.filter", "Filter", tooltip="Filter by state, event type, endpoint or text"),
    ]

    def __init__(self) -> None:
        super().__init__(COLUMNS, id="webhook-log")
        self.tagged: set[int] = set()

    def action_toggle_tag(self) -> None:
        """Tag or untag the row under the cursor."""
        key = self.selected_key
        if key is None:
            return
        delivery_id = int(key)
        if delivery_id in self.tagged:
            self.tagged.discard(delivery_id)
        else:
            self.tagged.add(delivery_id)
        self.post_message(self.TagsChanged(self, delivery_id))

    class TagsChanged(Message):
        """The set of tagged rows changed; ``delivery_id`` was toggled."""

        def __init__(self, table: WebhookLogTable, delivery_id: int) -> None:
            super().__init__()
            self.table = table
            self.delivery_id = delivery_id


def delivery_row(delivery: Delivery, now: datetime, palette: Palette, tagged: bool) -> TableRow:
    """Build one Webhook log row."""
    state = delivery.state
    mark = f"{TAG_MARK} " if tagged else ""
    cells = (
        palette.right(f"{mark}#{delivery.id}", "accent" if tagged else "muted"),
        palette.plain(fmt.clock_time(delivery.created_at, now)),
        palette.plain(delivery.event_type),
        palette.plain(_endpoint(delivery.endpoint_url)),
        palette.badge(_state_label(state), fmt.DELIVERY_TONE.get(state, "muted")),
        palette.right(str(delivery.attempts)),
        palette.text(last_result(delivery), _result_tone(delivery)),
        palette.plain(_next_retry(delivery, now)),
    )
    return TableRow(key=str(delivery.id), order=delivery.id, cells=cells)


def last_result(delivery: Delivery) -> str:
    """Return the last attempt's HTTP status or error class, e.g. ``"HTTP 500"``."""
    if delivery.last_status_code is not None:
        return f"HTTP {delivery.last_status_code}"
    if delivery.last_error_class:
        return delivery.last_error_class.replace("_", " ")
    if delivery.last_error:
        return fmt.shorten(delivery.last_error, 20)
    return ""


def _result_tone(delivery: Delivery) -> str | None:
    code = delivery.last_status_code
    if code is not None and 200 <= code < 300:
        return "success"
    if code is not None or delivery.last_error_class or delivery.last_error:
        return "error"
    return None


def _endpoint(url: str) -> str:
    return url.removeprefix("https://").removeprefix("http://")


def _state_label(state: DeliveryState) -> str:
    return state.value.replace("_", " ")


def _next_retry(delivery: Delivery, now: datetime) -> str:
    if delivery.state is not DeliveryState.PENDING or delivery.attempts == 0:
        return fmt.DASH
    return fmt.until(delivery.next_attempt_at, now)
