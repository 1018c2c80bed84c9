"""Details of one delivery: summary, every attempt, the headers sent and the payload."""

from __future__ import annotations

import json

from rich.json import JSON
from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.widget import Widget

from core.ledger.models import DeliveryAttempt
from core.webhooks.message import encode_payload
from tui import format as fmt
from tui.data import DeliveryDetails, LedgerData, retry_refusal
from tui.screens.details import DetailsScreen, facts, section
from tui.widgets.webhook_log import last_result

# Long header values (the signature) are cut to this many characters.
HEADER_WIDTH = 60


class DeliveryDetailsScreen(DetailsScreen):
    """A delivery's attempts, headers and pretty-printed payload."""

    BINDINGS = [Binding("r", "retry", "Retry", tooltip="Retry this delivery now")]

    def __init__(self, data: LedgerData, delivery_id: int) -> None:
        super().__init__(data)
        self.delivery_id = delivery_id
        self.title = f"Delivery #{delivery_id}"

    def read(self, data: LedgerData) -> DeliveryDetails:
        return data.load_delivery_details(self.delivery_id)

    def build(self, details: DeliveryDetails) -> list[Widget]:
        widgets: list[Widget] = [
            section("Summary", self._summary(details)),
            section(f"Attempts ({len(details.attempts)})", self._attempts(details.attempts)),
        ]
        if details.attempts:
            last = details.attempts[-1]
            widgets.append(section(f"Headers sent (attempt {last.number})", _headers(last)))
        widgets.append(section("Payload", _payload(details), id="payload"))
        return widgets

    def _summary(self, details: DeliveryDetails) -> Table:
        delivery = details.delivery
        now = self.app.clock.now()
        tone = fmt.DELIVERY_TONE.get(delivery.state, "muted")
        endpoint = details.endpoint.url if details.endpoint else delivery.endpoint_url
        rows: list[tuple[str, Text | str]] = [
            ("State", self.palette.badge(delivery.state.value.replace("_", " "), tone)),
            ("Event", f"{delivery.event_type}  {delivery.event_id}"),
            ("Endpoint", f"#{delivery.endpoint_id} {endpoint}"),
            ("Connection", details.connection_label),
            ("Attempts", str(delivery.attempts)),
            ("Last result", _last_result_text(delivery) or fmt.DASH),
            ("Created", fmt.full_time(delivery.created_at)),
            ("First attempt", fmt.full_time(delivery.first_attempt_at)),
            ("Next attempt", _next_attempt(delivery, now)),
            ("Retries until", fmt.full_time(delivery.deadline_at)),
        ]
        if delivery.succeeded_at is not None:
            rows.append(("Succeeded", fmt.full_time(delivery.succeeded_at)))
        return facts(rows)

    def _attempts(self, attempts: list[DeliveryAttempt]) -> Table | str:
        if not attempts:
            return "No attempt yet; the dispatcher sends it when it is due."
        table = Table(expand=True, box=None, header_style="bold", pad_edge=False)
        for heading in ("#", "Started", "Status", "Latency", "Error class", "Response excerpt"):
            table.add_column(heading, no_wrap=heading != "Response excerpt", overflow="fold")
        for attempt in attempts:
            table.add_row(
                str(attempt.number),
                fmt.full_time(attempt.started_at),
                self._status_cell(attempt),
                fmt.milliseconds(attempt.duration_ms),
                attempt.error_class or fmt.DASH,
                fmt.shorten(attempt.response_excerpt or attempt.error_message, 120) or fmt.DASH,
            )
        return table

    def _status_cell(self, attempt: DeliveryAttempt) -> Text:
        code = attempt.status_code
        if code is None:
            return self.palette.text("no response", "error")
        return self.palette.text(f"HTTP {code}", "success" if 200 <= code < 300 else "error")

    def action_retry(self) -> None:
        """Queue a retry of this delivery, as r does on the main screen; the view stays open to show the new attempt."""
        if self.details is None:
            return
        refusal = retry_refusal(self.details.delivery)
        if refusal is not None:
            self.notify(f"Not retried: {refusal}.", severity="warning")
            return
        self.app.retry_delivery(self.delivery_id)


def _headers(attempt: DeliveryAttempt) -> Table:
    rows = [(name, fmt.shorten(value, HEADER_WIDTH)) for name, value in sorted(attempt.request_headers.items())]
    return facts(rows)


def _payload(details: DeliveryDetails) -> JSON | str:
    if details.event is None:
        return "The event of this delivery is no longer in the ledger."
    body = encode_payload(details.event)
    return JSON(json.dumps(json.loads(body), indent=2, ensure_ascii=False))


def _last_result_text(delivery) -> str:
    result = last_result(delivery)
    # The dispatcher's error message for a bad status is often just "HTTP 500" again.
    if delivery.last_error and delivery.last_error_class and delivery.last_error.strip() != result:
        return f"{result}: {fmt.shorten(delivery.last_error, 80)}"
    return result


def _next_attempt(delivery, now) -> str:
    if delivery.next_attempt_at is None or delivery.state.value != "pending":
        return fmt.DASH
    return f"{fmt.full_time(delivery.next_attempt_at)} ({fmt.until(delivery.next_attempt_at, now)})"
