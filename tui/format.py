"""Plain-text formatting of times, durations and counts for the panes.

Every function takes ``now`` from the app's clock instead of reading the
system time, so snapshots with a frozen clock render the same text each run.
"""

from __future__ import annotations

from datetime import datetime

from core.ledger.models import ConnectionStatus, DeliveryState, SyncStatus

DASH = "–"


def age(moment: datetime | None, now: datetime) -> str:
    """Return how long ago ``moment`` was, e.g. ``"42s ago"`` or ``"3h ago"``."""
    if moment is None:
        return "never"
    seconds = (now - moment).total_seconds()
    if seconds < 1:
        return "just now"
    return f"{span(seconds)} ago"


def until(moment: datetime | None, now: datetime) -> str:
    """Return how long until ``moment``, e.g. ``"in 25s"``; ``"due"`` once passed."""
    if moment is None:
        return DASH
    seconds = (moment - now).total_seconds()
    if seconds <= 0:
        return "due"
    return f"in {span(seconds)}"


def span(seconds: float) -> str:
    """Return a compact span with at most two units: ``"45s"``, ``"3m 05s"``, ``"2h 10m"``."""
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours:02d}h"


def duration(started: datetime, finished: datetime | None, now: datetime) -> str:
    """Return a run's duration; a running run counts up to ``now``."""
    end = finished or now
    seconds = max(0.0, (end - started).total_seconds())
    if seconds < 10:
        return f"{seconds:.1f}s"
    return span(seconds)


def clock_time(moment: datetime | None, now: datetime) -> str:
    """Return ``HH:MM:SS`` for today (UTC), else ``MM-DD HH:MM``."""
    if moment is None:
        return DASH
    if moment.date() == now.date():
        return moment.strftime("%H:%M:%S")
    return moment.strftime("%m-%d %H:%M")


def full_time(moment: datetime | None) -> str:
    """Return an ISO-like UTC timestamp for the details views."""
    if moment is None:
        return DASH
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def milliseconds(value: float | None) -> str:
    """Return a latency such as ``"87 ms"`` or ``"1.2 s"``."""
    if value is None:
        return DASH
    if value < 1000:
        return f"{value:.0f} ms"
    return f"{value / 1000:.1f} s"


def shorten(text: str | None, width: int) -> str:
    """Return ``text`` on one line, cut to ``width`` characters with an ellipsis."""
    if not text:
        return ""
    line = " ".join(text.split())
    if len(line) <= width:
        return line
    return line[: max(0, width - 1)] + "…"


def count(value: int) -> str:
    """Return an integer with thousands separators."""
    return f"{value:,}"


def counted(value: int, singular: str, plural: str | None = None) -> str:
    """Return ``value`` with thousands separators and the noun in singular or plural, e.g. "1 connection"."""
    noun = singular if value == 1 else (plural or f"{singular}s")
    return f"{value:,} {noun}"


# Theme-variable names used as Rich styles would not follow the theme, so the
# badges carry CSS class names instead; the .tcss files colour them.
CONNECTION_TONE = {
    ConnectionStatus.ACTIVE: "success",
    ConnectionStatus.PENDING: "warning",
    ConnectionStatus.UNREACHABLE: "error",
    ConnectionStatus.AUTH_FAILED: "error",
    ConnectionStatus.DISABLED: "muted",
}

DELIVERY_TONE = {
    DeliveryState.SUCCEEDED: "success",
    DeliveryState.PENDING: "warning",
    DeliveryState.IN_FLIGHT: "accent",
    DeliveryState.FAILED: "error",
}

RUN_TONE = {
    SyncStatus.SUCCEEDED: "success",
    SyncStatus.RUNNING: "accent",
    SyncStatus.PARTIAL: "warning",
    SyncStatus.FAILED: "error",
}
