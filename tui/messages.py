"""Messages of the live monitor, each named for what happened.

Workers post them from their threads (``post_message`` is thread-safe) and
the screens apply them on the UI path.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from core.ledger.models import Delivery, DeliveryFilter, Page, SyncRun
from tui.data import Overview


@dataclass
class OverviewLoaded(Message):
    """A refresh read the ledger; ``overview`` is what the main screen shows."""

    overview: Overview


@dataclass
class LedgerUnchanged(Message):
    """A refresh found the ledger's change counter where it was."""


@dataclass
class LedgerReadFailed(Message):
    """Reading the ledger failed; ``what`` names the read, ``error`` the cause."""

    what: str
    error: str


@dataclass
class DeliveriesPageLoaded(Message):
    """An older page of the webhook log arrived, for the filter it was read with."""

    page: Page[Delivery]
    delivery_filter: DeliveryFilter


@dataclass
class NewerDeliveriesLoaded(Message):
    """Rows of the webhook log dropped from the top of the window were read again."""

    page: Page[Delivery] | None
    delivery_filter: DeliveryFilter
    top_id: int
    count: int


@dataclass
class RunsPageLoaded(Message):
    """An older page of a connection's sync history arrived."""

    connection_id: int
    page: Page[SyncRun]


@dataclass
class FilterApplied(Message):
    """The user set a new webhook log filter (None fields mean "any")."""

    delivery_filter: DeliveryFilter


@dataclass
class ConnectionSelected(Message):
    """The cursor moved to another connection."""

    connection_id: int


@dataclass
class OlderRowsWanted(Message):
    """The cursor came near the last loaded row of a paged table."""

    table_id: str


@dataclass
class OperatorNotice(Message):
    """A command was queued, refused, finished or failed; tell the user."""

    text: str
    severity: str = "information"
    refresh: bool = False


@dataclass
class FailedDeliveriesCounted(Message):
    """The failed deliveries matching the filter were counted for a bulk retry."""

    delivery_ids: list[int]
    delivery_filter: DeliveryFilter
