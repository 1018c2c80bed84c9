"""The status line under the panes: live or paused, engine state and totals."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from core.ledger.models import DeliveryFilter, DeliveryState, Totals
from tui import format as fmt
from tui.palette import Palette

STATE_ORDER = (
    (DeliveryState.PENDING, "pending", "warning"),
    (DeliveryState.IN_FLIGHT, "in flight", "accent"),
    (DeliveryState.SUCCEEDED, "succeeded", "success"),
    (DeliveryState.FAILED, "failed", "error"),
)


class StatusLine(Static):
    """One line: live/paused, the engine, and ledger totals."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }
    """


def status_text(
    *, paused: bool, engine_label: str, totals: Totals | None, delivery_filter: DeliveryFilter, palette: Palette
) -> Text:
    """Compose the status line from the monitor's state."""
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append("❚❚ paused" if paused else "● live", style=palette.styles.get("warning" if paused else "success", ""))
    line.append(" │ ")
    line.append(engine_label)
    if totals is not None:
        line.append(" │ ")
        line.append_text(_deliveries_text(totals, palette))
        line.append(" │ ")
        counts = (fmt.counted(totals.connections, "connection"), fmt.counted(totals.sync_runs, "run"),
                  fmt.counted(totals.events, "event"))
        line.append(" · ".join(counts))
    described = describe_filter(delivery_filter)
    if described:
        line.append(" │ ")
        line.append(f"filter: {described}", style=palette.styles.get("accent", ""))
    return line


def _deliveries_text(totals: Totals, palette: Palette) -> Text:
    text = Text(no_wrap=True)
    for index, (state, label, tone) in enumerate(STATE_ORDER):
        value = totals.deliveries_by_state.get(state, 0)
        if index:
            text.append(" · ")
        text.append(f"{fmt.count(value)} {label}", style=palette.styles.get(tone, "") if value else "")
    return text


def describe_filter(delivery_filter: DeliveryFilter) -> str:
    """Return the filter as ``state=failed type=record.*`` text, empty when unset."""
    parts = []
    if delivery_filter.state is not None:
        parts.append(f"state={delivery_filter.state.value}")
    if delivery_filter.event_type:
        parts.append(f"type={delivery_filter.event_type}")
    if delivery_filter.endpoint_id is not None:
        parts.append(f"endpoint=#{delivery_filter.endpoint_id}")
    if delivery_filter.connection_id is not None:
        parts.append(f"connection=#{delivery_filter.connection_id}")
    if delivery_filter.text:
        parts.append(f'text="{delivery_filter.text}"')
    return " ".join(parts)
