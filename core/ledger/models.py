"""Typed rows that go into and come out of the ledger.

Times are aware UTC datetimes in these classes; the ledger stores them as
epoch seconds so comparisons and keyset pages stay cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, NamedTuple, TypeVar

from core.secrets import Secret

T = TypeVar("T")


class ConnectionStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    UNREACHABLE = "unreachable"
    AUTH_FAILED = "auth_failed"
    DISABLED = "disabled"


class CredentialKind(StrEnum):
    PASSWORD = "password"
    API_KEY = "api_key"


class Protocol(StrEnum):
    AUTO = "auto"
    XMLRPC = "xmlrpc"
    JSONRPC = "jsonrpc"
    JSON2 = "json2"


class SyncTrigger(StrEnum):
    SCHEDULE = "schedule"
    MANUAL = "manual"
    RETRY = "retry"


class SyncStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"
    FAILED = "failed"


class DeliveryState(StrEnum):
    PENDING = "pending"  # waiting for its first attempt or for a scheduled retry
    IN_FLIGHT = "in_flight"  # leased by a dispatcher
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # retries exhausted, endpoint gone, or retry window over


class CommandKind(StrEnum):
    SYNC = "sync"  # args: {"connection_id": int}
    RESYNC = "resync"  # args: {"connection_id": int}: reset cursors, read all
    DISABLE = "disable"  # args: {"connection_id": int}
    ENABLE = "enable"  # args: {"connection_id": int}
    # args: {"delivery_id": int, "force": bool}, or {"delivery_ids": [int], "force": bool} to retry each
    RETRY_DELIVERY = "retry_delivery"
    RETRY_FAILED = "retry_failed"  # args: {"endpoint_id": int|None, "since": iso|None, "ids": [int]|None}


class CommandStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


# --- connections and tokens -------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewConnection:
    name: str
    url: str
    database: str
    login: str
    credential: Secret
    credential_kind: CredentialKind
    protocol: Protocol = Protocol.AUTO
    interval_seconds: int = 900


@dataclass(frozen=True, slots=True)
class Connection:
    id: int
    name: str
    url: str
    database: str
    login: str
    credential: Secret
    credential_kind: CredentialKind
    protocol: Protocol  # what the user asked for; AUTO lets the client choose
    detected_protocol: Protocol | None
    server_version: str | None
    uid: int | None
    status: ConnectionStatus
    status_reason: str | None
    status_changed_at: datetime | None
    interval_seconds: int
    next_sync_at: datetime | None
    last_sync_at: datetime | None
    last_success_at: datetime | None
    backoff_attempt: int  # consecutive connectivity failures; 0 when healthy
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class StatusChange:
    connection_id: int
    old: ConnectionStatus
    new: ConnectionStatus
    reason: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class ApiToken:
    id: int
    connection_id: int
    prefix: str  # first characters of the token, for display only
    created_at: datetime
    revoked_at: datetime | None


# --- streams, runs and synced records --------------------------------------


@dataclass(frozen=True, slots=True)
class StreamSpec:
    name: str  # unified entity, e.g. "assets"
    model: str  # Odoo model, e.g. "maintenance.equipment"
    domain: list[Any] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class Stream:
    id: int
    connection_id: int
    name: str
    model: str
    domain: list[Any]
    fields: list[str]
    enabled: bool
    available: bool | None  # None until a connection test has checked it
    unavailable_reason: str | None
    cursor_write_date: datetime | None
    cursor_id: int | None
    runs_since_reconcile: int
    last_reconciled_at: datetime | None
    last_synced_at: datetime | None


@dataclass(frozen=True, slots=True)
class StreamResult:
    stream: str
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    pages: int = 0
    error_class: str | None = None
    error_message: str | None = None


@dataclass(frozen=True, slots=True)
class SyncRun:
    id: int
    connection_id: int
    trigger: SyncTrigger
    streams: list[str]
    started_at: datetime
    finished_at: datetime | None
    status: SyncStatus
    created: int
    updated: int
    deleted: int
    unchanged: int
    pages: int
    error_class: str | None
    error_message: str | None
    stream_results: list[StreamResult]


@dataclass(frozen=True, slots=True)
class SyncedRecord:
    connection_id: int
    stream_id: int
    odoo_id: int
    model: str
    content_hash: str
    write_date: datetime | None
    data: dict[str, Any]
    deleted_at: datetime | None
    updated_at: datetime  # when odoo-relay last saw it change
    change_seq: int  # increases with every change; the API's records cursor


@dataclass(frozen=True, slots=True)
class RecordUpsert:
    odoo_id: int
    content_hash: str
    write_date: datetime | None
    data: dict[str, Any]
    # The JSON text of ``data`` when the caller has encoded it already; the
    # ledger stores it as given instead of encoding ``data`` again.
    data_json: str | None = None


# --- events, endpoints, deliveries ------------------------------------------


@dataclass(frozen=True, slots=True)
class NewEvent:
    type: str  # e.g. "record.updated", "sync.completed", "connection.status_changed"
    connection_id: int | None
    data: dict[str, Any]
    id: str | None = None  # generated (evt_<ulid>) when None
    # The JSON text of ``data`` when the caller has encoded it already
    # (the sync builds it around the stored record's JSON); stored as given.
    data_json: str | None = None


@dataclass(frozen=True, slots=True)
class Event:
    seq: int  # insertion order; the polling cursor
    id: str
    type: str
    connection_id: int | None
    created_at: datetime
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class NewEndpoint:
    url: str
    secret: Secret
    event_types: list[str] = field(default_factory=lambda: ["*"])
    connection_id: int | None = None
    description: str = ""
    max_in_flight: int = 8


@dataclass(frozen=True, slots=True)
class Endpoint:
    id: int
    url: str
    secret: Secret
    previous_secret: Secret | None
    previous_secret_expires_at: datetime | None
    event_types: list[str]
    connection_id: int | None
    description: str
    enabled: bool
    disabled_reason: str | None
    max_in_flight: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    """A delivery leased to one dispatcher, with everything needed to send it."""

    delivery_id: int
    lease_token: str
    lease_expires_at: datetime
    attempt_number: int  # 1 for the first attempt
    first_attempt_at: datetime | None
    event: Event
    endpoint: Endpoint


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    started_at: datetime
    duration_ms: float
    status_code: int | None
    error_class: str | None  # timeout, connection_refused, dns_failure, tls_error, redirect, http_error, ...
    error_message: str | None
    response_excerpt: str | None  # at most 4 KB of the body, decoded leniently
    request_headers: dict[str, str]
    webhook_timestamp: int


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    """The dispatcher's decision after an attempt."""

    state: DeliveryState  # SUCCEEDED, PENDING (retry at next_attempt_at) or FAILED
    next_attempt_at: datetime | None = None
    disable_endpoint_reason: str | None = None  # set on 410 Gone


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    event_id: str
    event_type: str
    connection_id: int | None
    endpoint_id: int
    endpoint_url: str
    state: DeliveryState
    attempts: int
    created_at: datetime
    first_attempt_at: datetime | None
    next_attempt_at: datetime | None
    deadline_at: datetime | None  # end of the retry window
    last_status_code: int | None
    last_error_class: str | None
    last_error: str | None
    succeeded_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class DeliveryAttempt:
    id: int
    delivery_id: int
    number: int
    started_at: datetime
    duration_ms: float
    status_code: int | None
    error_class: str | None
    error_message: str | None
    response_excerpt: str | None
    request_headers: dict[str, str]
    webhook_timestamp: int


@dataclass(frozen=True, slots=True)
class DeliveryFilter:
    state: DeliveryState | None = None
    event_type: str | None = None  # exact type or a "record.*" pattern
    endpoint_id: int | None = None
    connection_id: int | None = None
    text: str | None = None  # substring of event id, type or endpoint URL


@dataclass(frozen=True, slots=True)
class RetryResult:
    delivery_id: int
    retried: bool
    reason: str | None  # why not, e.g. "in flight" or "already succeeded"


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One keyset page; pass ``next_key`` back to get the next one."""

    items: list[T]
    next_key: Any | None  # None when there is no further page


# --- operator commands and engine presence -----------------------------------


@dataclass(frozen=True, slots=True)
class Command:
    id: int
    kind: CommandKind
    args: dict[str, Any]
    status: CommandStatus
    created_at: datetime
    claimed_by: str | None
    finished_at: datetime | None
    result: dict[str, Any] | None
    error: str | None


@dataclass(frozen=True, slots=True)
class EngineInstance:
    owner_id: str
    pid: int
    hostname: str
    kind: str  # "serve" or "tui"
    started_at: datetime
    heartbeat_at: datetime


@dataclass(frozen=True, slots=True)
class Totals:
    """Counts for the TUI's status line."""

    connections: int
    deliveries_by_state: dict[DeliveryState, int]
    events: int
    sync_runs: int


class CompletedAttempt(NamedTuple):
    """One finished attempt for ``Ledger.complete_many``; a plain 4-tuple works too."""

    delivery_id: int
    lease_token: str
    attempt: AttemptRecord
    outcome: DeliveryOutcome
