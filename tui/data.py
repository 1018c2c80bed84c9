"""The TUI's data layer: every ledger read and write the monitor makes.

Widgets never touch the ledger. The app calls ``LedgerData`` from thread
workers, so SQLite work stays off the UI path, and posts the results back as
messages. ``LedgerData`` opens its own ``Ledger`` because one ``Ledger``
wraps one sqlite3 connection, and the engine running in this process has
its own.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from core.clock import Clock
from core.ledger import Ledger
from core.ledger.models import (
    ApiToken,
    Command,
    CommandKind,
    CommandStatus,
    Connection,
    Delivery,
    DeliveryAttempt,
    DeliveryFilter,
    DeliveryState,
    Endpoint,
    EngineInstance,
    Event,
    Page,
    Stream,
    StreamResult,
    SyncRun,
    Totals,
)
from core.tokens import generate_token

log = logging.getLogger(__name__)

# An engine whose heartbeat is older than this is taken as gone.
ENGINE_STALE_SECONDS = 15.0
# Upper bound on the ids one bulk retry sends, so a filter matching a
# million failed deliveries does not build a million-element command.
BULK_RETRY_LIMIT = 10_000
STATUS_EVENT = "connection.status_changed"


@dataclass(frozen=True, slots=True)
class ViewRequest:
    """The main screen's read request: selected connection, filter and page sizes."""

    connection_id: int | None
    delivery_filter: DeliveryFilter
    runs_limit: int = 50
    deliveries_limit: int = 50
    # Keyset of the webhook log rows on screen when they lie below the
    # refreshed head: read ``window_limit`` rows older than this id.
    window_before: int | None = None
    window_limit: int = 0


@dataclass(frozen=True, slots=True)
class Overview:
    """One consistent read of everything on the main screen."""

    version: int
    connections: list[Connection]
    failing: dict[int, int]
    totals: Totals
    engine: EngineInstance | None
    endpoints: list[Endpoint]
    connection_id: int | None
    runs: Page[SyncRun]
    deliveries: Page[Delivery]
    delivery_filter: DeliveryFilter
    window: Page[Delivery] | None = None
    window_before: int | None = None


@dataclass(frozen=True, slots=True)
class DeliveryDetails:
    """A delivery with its event, endpoint and every attempt, oldest first."""

    delivery: Delivery
    event: Event | None
    endpoint: Endpoint | None
    attempts: list[DeliveryAttempt]
    connection_label: str


@dataclass(frozen=True, slots=True)
class StatusHistoryEntry:
    """One ``connection.status_changed`` event."""

    at: datetime
    old: str
    new: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class ConnectionDetails:
    """A connection with its streams, status history and API tokens."""

    connection: Connection
    streams: list[Stream]
    history: list[StatusHistoryEntry]
    tokens: list[ApiToken]
    # Per-stream results of the newest finished sync run, by stream name.
    last_results: dict[str, StreamResult] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RetryRefused:
    """A retry that was not queued, with the reason in words the user can act on."""

    delivery_id: int
    reason: str


class LedgerData:
    """Reads and writes the ledger for the TUI; call it from worker threads.

    The ledger is opened on first use. Its connection is guarded by the
    ``Ledger``'s own lock, so workers on different threads may share it.
    """

    def __init__(self, ledger_path: Path, clock: Clock) -> None:
        self.ledger_path = Path(ledger_path)
        self.clock = clock
        self._ledger: Ledger | None = None
        self._open_lock = threading.Lock()
        self._closing = threading.Event()

    @property
    def ledger(self) -> Ledger:
        """The TUI's own ``Ledger``, opened on first use."""
        with self._open_lock:
            if self._closing.is_set():
                raise RuntimeError(f"the monitor closed its ledger {self.ledger_path}")
            if self._ledger is None:
                self._ledger = Ledger.open(self.ledger_path)
            return self._ledger

    def close(self) -> None:
        """Close the ledger connection if it was opened, and end waits for commands."""
        self._closing.set()
        with self._open_lock:
            if self._ledger is not None:
                self._ledger.close()
                self._ledger = None

    # --- reads for the main screen ------------------------------------------

    def data_version(self) -> int:
        """Return the ledger's change counter."""
        return self.ledger.data_version()

    def load_overview(self, view: ViewRequest) -> Overview:
        """Read the connections, totals, engine, and the first page of each list."""
        ledger = self.ledger
        version = ledger.data_version()
        connections = ledger.list_connections()
        connection_id = _pick_connection(connections, view.connection_id)
        return Overview(
            version=version,
            connections=connections,
            failing=ledger.failing_deliveries_by_connection(),
            totals=ledger.totals(),
            engine=self.find_engine(),
            endpoints=ledger.list_endpoints(),
            connection_id=connection_id,
            runs=self.load_runs(connection_id, None, view.runs_limit),
            deliveries=self.load_deliveries(view.delivery_filter, None, view.deliveries_limit),
            delivery_filter=view.delivery_filter,
            window=self._load_window(view),
            window_before=view.window_before,
        )

    def _load_window(self, view: ViewRequest) -> Page[Delivery] | None:
        if view.window_before is None:
            return None
        return self.load_deliveries(view.delivery_filter, view.window_before, view.window_limit)

    def find_engine(self) -> EngineInstance | None:
        """Return the engine whose heartbeat is fresh, if any."""
        return self.ledger.active_engine(self.clock.now(), ENGINE_STALE_SECONDS)

    def load_runs(self, connection_id: int | None, before, limit: int) -> Page[SyncRun]:
        """Return one keyset page of a connection's sync runs, newest first."""
        if connection_id is None:
            return Page(items=[], next_key=None)
        return self.ledger.list_runs(connection_id, before=before, limit=limit)

    def load_deliveries(self, delivery_filter: DeliveryFilter, before, limit: int) -> Page[Delivery]:
        """Return one keyset page of deliveries matching the filter, newest first."""
        return self.ledger.list_deliveries(delivery_filter, before=before, limit=limit)

    # --- reads for the details screens --------------------------------------

    def load_delivery_details(self, delivery_id: int) -> DeliveryDetails:
        """Read a delivery, its event, endpoint and attempts."""
        ledger = self.ledger
        delivery = ledger.get_delivery(delivery_id)
        if delivery is None:
            raise LookupError(f"delivery #{delivery_id} no longer exists")
        return DeliveryDetails(
            delivery=delivery,
            event=ledger.get_event(delivery.event_id),
            endpoint=ledger.get_endpoint(delivery.endpoint_id),
            attempts=ledger.list_attempts(delivery_id),
            connection_label=self.connection_label(delivery.connection_id),
        )

    def connection_label(self, connection_id: int | None) -> str:
        """Return ``"name (#id)"`` for a connection; removed ones keep their id."""
        if connection_id is None:
            return "none"
        connection = self.ledger.get_connection(connection_id)
        if connection is None:
            return f"#{connection_id} (removed)"
        return f"{connection.name} (#{connection_id})"

    def load_run(self, run_id: int) -> SyncRun:
        """Read one sync run with its per-stream results."""
        run = self.ledger.get_run(run_id)
        if run is None:
            raise LookupError(f"sync run #{run_id} no longer exists")
        return run

    def load_connection_details(self, connection_id: int) -> ConnectionDetails:
        """Read a connection, its streams, status history and tokens."""
        ledger = self.ledger
        connection = ledger.get_connection(connection_id)
        if connection is None:
            raise LookupError(f"connection #{connection_id} no longer exists")
        return ConnectionDetails(
            connection=connection,
            streams=ledger.list_streams(connection_id),
            history=self._status_history(connection_id),
            tokens=ledger.list_tokens(connection_id),
            last_results=self._last_stream_results(connection_id),
        )

    def _last_stream_results(self, connection_id: int) -> dict[str, StreamResult]:
        # The newest run may still be running, with no stream results yet.
        for run in self.ledger.list_runs(connection_id, limit=5).items:
            if run.finished_at is not None:
                return {result.stream: result for result in run.stream_results}
        return {}

    def _status_history(self, connection_id: int, keep: int = 50) -> list[StatusHistoryEntry]:
        """Return the newest ``keep`` status changes, newest first."""
        newest: list[Event] = []
        after = None
        while True:
            page = self.ledger.list_events(connection_id, after_seq=after, limit=500, types=[STATUS_EVENT])
            newest = (newest + page.items)[-keep:]
            if page.next_key is None:
                break
            after = page.next_key
        return [_history_entry(event) for event in reversed(newest)]

    # --- operator commands --------------------------------------------------

    def request_retry(self, delivery_id: int) -> Command | RetryRefused:
        """Queue a retry of one delivery, or return why it cannot be retried now."""
        delivery = self.ledger.get_delivery(delivery_id)
        if delivery is None:
            return RetryRefused(delivery_id, f"delivery #{delivery_id} no longer exists")
        refusal = retry_refusal(delivery)
        if refusal is not None:
            return RetryRefused(delivery_id, refusal)
        args = {"delivery_id": delivery_id, "force": False}
        return self.ledger.enqueue_command(CommandKind.RETRY_DELIVERY, args, self.clock.now())

    def failed_ids(self, delivery_filter: DeliveryFilter) -> list[int]:
        """Return the ids of failed deliveries matching the filter, newest first.

        Stops at ``BULK_RETRY_LIMIT`` ids; the caller says so when it is hit.
        """
        only_failed = replace(delivery_filter, state=DeliveryState.FAILED)
        ids: list[int] = []
        before = None
        while len(ids) < BULK_RETRY_LIMIT:
            page = self.ledger.list_deliveries(only_failed, before=before, limit=1000)
            ids.extend(delivery.id for delivery in page.items)
            if page.next_key is None:
                break
            before = page.next_key
        return ids[:BULK_RETRY_LIMIT]

    def request_bulk_retry(self, delivery_ids: list[int]) -> Command:
        """Queue one retry command for the given deliveries."""
        args = {"endpoint_id": None, "since": None, "ids": list(delivery_ids)}
        return self.ledger.enqueue_command(CommandKind.RETRY_FAILED, args, self.clock.now())

    def request_tagged_retry(self, delivery_ids: list[int]) -> Command:
        """Queue one command that retries each delivery as ``r`` would; the engine rejects those in flight or already succeeded."""
        args = {"delivery_ids": list(delivery_ids), "force": False}
        return self.ledger.enqueue_command(CommandKind.RETRY_DELIVERY, args, self.clock.now())

    def request_sync(self, connection_id: int) -> Command:
        """Queue a sync of one connection now."""
        args = {"connection_id": connection_id}
        return self.ledger.enqueue_command(CommandKind.SYNC, args, self.clock.now())

    def wait_for_command(self, command_id: int, timeout: float, poll: float = 0.2) -> Command | None:
        """Poll until the command is done or failed; None if it is still waiting.

        Uses the monotonic clock on purpose: a test's frozen clock must not
        stop this wait from ending. ``close`` ends the wait early, so quitting
        the monitor does not wait for an engine that is not there.
        """
        deadline = time.monotonic() + timeout
        while not self._closing.is_set():
            command = self.ledger.get_command(command_id)
            if command is not None and command.status in (CommandStatus.DONE, CommandStatus.FAILED):
                return command
            if time.monotonic() >= deadline:
                return None
            self._closing.wait(poll)
        return None

    def rotate_token(self, connection_id: int) -> tuple[ApiToken, str]:
        """Issue a new API token (revoking the old one) and return it with its value.

        The value is returned once for display and is not kept anywhere.
        """
        issued = generate_token()
        token = self.ledger.issue_token(connection_id, issued.hash, issued.prefix, self.clock.now())
        log.info("rotated the API token of connection %s (new prefix %s)", connection_id, issued.prefix)
        return token, issued.value


def retry_refusal(delivery: Delivery) -> str | None:
    """Return why ``delivery`` cannot be retried now, or None if it can."""
    if delivery.state is DeliveryState.IN_FLIGHT:
        return f"delivery #{delivery.id} is in flight; wait for its attempt to finish"
    if delivery.state is DeliveryState.SUCCEEDED:
        return f"delivery #{delivery.id} already succeeded"
    return None


def connection_name(overview: Overview | None, connection_id: int | None) -> str | None:
    """Return the name of connection ``connection_id`` in ``overview``, if it is there."""
    if overview is None or connection_id is None:
        return None
    for connection in overview.connections:
        if connection.id == connection_id:
            return connection.name
    return None


def _pick_connection(connections: list[Connection], wanted: int | None) -> int | None:
    # The Connections pane lists connections by id, so the lowest id is the
    # row its cursor starts on.
    ids = [connection.id for connection in connections]
    if wanted in ids:
        return wanted
    return min(ids) if ids else None


def _history_entry(event: Event) -> StatusHistoryEntry:
    data = event.data
    return StatusHistoryEntry(
        at=event.created_at,
        old=str(data.get("old", "")),
        new=str(data.get("new", "")),
        reason=data.get("reason"),
    )
