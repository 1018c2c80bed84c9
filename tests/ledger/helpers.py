"""Builders shared by the ledger tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.ledger import (
    AttemptRecord,
    CredentialKind,
    DeliveryOutcome,
    DeliveryState,
    Endpoint,
    Ledger,
    NewConnection,
    NewEndpoint,
    NewEvent,
)
from core.secrets import Secret

T0 = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    """Return T0 plus ``seconds``."""
    return T0 + timedelta(seconds=seconds)


def new_connection(name: str = "acme") -> NewConnection:
    return NewConnection(
        name=name,
        url="http://127.0.0.1:8069",
        database="acme",
        login="admin",
        credential=Secret("s3cret-password"),
        credential_kind=CredentialKind.PASSWORD,
    )


def add_endpoint(ledger: Ledger, event_types: list[str] | None = None, **options) -> Endpoint:
    endpoint = NewEndpoint(
        url="http://127.0.0.1:9/hook",
        secret=Secret("whsec_dGVzdA=="),
        event_types=["*"] if event_types is None else event_types,
        **options,
    )
    return ledger.add_endpoint(endpoint, T0)


def record_events(count: int, connection_id: int | None = None, kind: str = "record.updated") -> list[NewEvent]:
    return [NewEvent(kind, connection_id, {"odoo_id": index}) for index in range(count)]


def attempt(started: datetime, status_code: int | None = 200, error_class: str | None = None) -> AttemptRecord:
    return AttemptRecord(
        started_at=started,
        duration_ms=12.5,
        status_code=status_code,
        error_class=error_class,
        error_message=None if error_class is None else f"{error_class} while sending",
        response_excerpt="ok",
        request_headers={"webhook-id": "evt_test"},
        webhook_timestamp=int(started.timestamp()),
    )


SUCCEEDED = DeliveryOutcome(DeliveryState.SUCCEEDED)
FAILED = DeliveryOutcome(DeliveryState.FAILED)


def retry_at(when: datetime) -> DeliveryOutcome:
    return DeliveryOutcome(DeliveryState.PENDING, next_attempt_at=when)
