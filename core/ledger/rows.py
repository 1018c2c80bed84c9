"""Turn sqlite3 rows into the dataclasses of models.py."""

from __future__ import annotations

import sqlite3

from core.ledger.codec import from_epoch, load_json
from core.ledger.models import (
    ApiToken,
    Command,
    CommandKind,
    CommandStatus,
    Connection,
    ConnectionStatus,
    CredentialKind,
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    Endpoint,
    EngineInstance,
    Event,
    Protocol,
    Stream,
    StreamResult,
    SyncedRecord,
    SyncRun,
    SyncStatus,
    SyncTrigger,
)
from core.secrets import Secret


def _optional_bool(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def connection(row: sqlite3.Row) -> Connection:
    detected = row["detected_protocol"]
    return Connection(
        id=row["id"],
        name=row["name"],
        url=row["url"],
        database=row["database"],
        login=row["login"],
        credential=Secret(row["credential"]),
        credential_kind=CredentialKind(row["credential_kind"]),
        protocol=Protocol(row["protocol"]),
        detected_protocol=Protocol(detected) if detected else None,
        server_version=row["server_version"],
        uid=row["uid"],
        status=ConnectionStatus(row["status"]),
        status_reason=row["status_reason"],
        status_changed_at=from_epoch(row["status_changed_at"]),
        interval_seconds=row["interval_seconds"],
        next_sync_at=from_epoch(row["next_sync_at"]),
        last_sync_at=from_epoch(row["last_sync_at"]),
        last_success_at=from_epoch(row["last_success_at"]),
        backoff_attempt=row["backoff_attempt"],
        created_at=from_epoch(row["created_at"]),
        updated_at=from_epoch(row["updated_at"]),
    )


def api_token(row: sqlite3.Row) -> ApiToken:
    return ApiToken(
        id=row["id"],
        connection_id=row["connection_id"],
        prefix=row["prefix"],
        created_at=from_epoch(row["created_at"]),
        revoked_at=from_epoch(row["revoked_at"]),
    )


def stream(row: sqlite3.Row) -> Stream:
    return Stream(
        id=row["id"],
        connection_id=row["connection_id"],
        name=row["name"],
        model=row["model"],
        domain=load_json(row["domain"]),
        fields=load_json(row["fields"]),
        enabled=bool(row["enabled"]),
        available=_optional_bool(row["available"]),
        unavailable_reason=row["unavailable_reason"],
        cursor_write_date=from_epoch(row["cursor_write_date"]),
        cursor_id=row["cursor_id"],
        runs_since_reconcile=row["runs_since_reconcile"],
        last_reconciled_at=from_epoch(row["last_reconciled_at"]),
        last_synced_at=from_epoch(row["last_synced_at"]),
    )


def sync_run(row: sqlite3.Row) -> SyncRun:
    return SyncRun(
        id=row["id"],
        connection_id=row["connection_id"],
        trigger=SyncTrigger(row["trigger"]),
        streams=load_json(row["streams"]),
        started_at=from_epoch(row["started_at"]),
        finished_at=from_epoch(row["finished_at"]),
        status=SyncStatus(row["status"]),
        created=row["created"],
        updated=row["updated"],
        deleted=row["deleted"],
        unchanged=row["unchanged"],
        pages=row["pages"],
        error_class=row["error_class"],
        error_message=row["error_message"],
        stream_results=[StreamResult(**item) for item in load_json(row["stream_results"])],
    )


def synced_record(row: sqlite3.Row) -> SyncedRecord:
    return SyncedRecord(
        connection_id=row["connection_id"],
        stream_id=row["stream_id"],
        odoo_id=row["odoo_id"],
        model=row["model"],
        content_hash=row["content_hash"],
        write_date=from_epoch(row["write_date"]),
        data=load_json(row["data"]),
        deleted_at=from_epoch(row["deleted_at"]),
        updated_at=from_epoch(row["updated_at"]),
        change_seq=row["change_seq"],
    )


def event(row: sqlite3.Row) -> Event:
    return Event(
        seq=row["seq"],
        id=row["id"],
        type=row["type"],
        connection_id=row["connection_id"],
        created_at=from_epoch(row["created_at"]),
        data=load_json(row["data"]),
    )


def endpoint(row: sqlite3.Row) -> Endpoint:
    previous = row["previous_secret"]
    return Endpoint(
        id=row["id"],
        url=row["url"],
        secret=Secret(row["secret"]),
        previous_secret=Secret(previous) if previous is not None else None,
        previous_secret_expires_at=from_epoch(row["previous_secret_expires_at"]),
        event_types=load_json(row["event_types"]),
        connection_id=row["connection_id"],
        description=row["description"],
        enabled=bool(row["enabled"]),
        disabled_reason=row["disabled_reason"],
        max_in_flight=row["max_in_flight"],
        created_at=from_epoch(row["created_at"]),
    )


def delivery(row: sqlite3.Row) -> Delivery:
    """Build a Delivery from a deliveries row joined with event_id and endpoint_url."""
    return Delivery(
        id=row["id"],
        event_id=row["event_id"],
        event_type=row["event_type"],
        connection_id=row["connection_id"],
        endpoint_id=row["endpoint_id"],
        endpoint_url=row["endpoint_url"],
        state=DeliveryState(row["state"]),
        attempts=row["attempts"],
        created_at=from_epoch(row["created_at"]),
        first_attempt_at=from_epoch(row["first_attempt_at"]),
        next_attempt_at=from_epoch(row["next_attempt_at"]),
        deadline_at=from_epoch(row["deadline_at"]),
        last_status_code=row["last_status_code"],
        last_error_class=row["last_error_class"],
        last_error=row["last_error"],
        succeeded_at=from_epoch(row["succeeded_at"]),
        updated_at=from_epoch(row["updated_at"]),
    )


def delivery_attempt(row: sqlite3.Row) -> DeliveryAttempt:
    return DeliveryAttempt(
        id=row["id"],
        delivery_id=row["delivery_id"],
        number=row["number"],
        started_at=from_epoch(row["started_at"]),
        duration_ms=row["duration_ms"],
        status_code=row["status_code"],
        error_class=row["error_class"],
        error_message=row["error_message"],
        response_excerpt=row["response_excerpt"],
        request_headers=load_json(row["request_headers"]),
        webhook_timestamp=row["webhook_timestamp"],
    )


def command(row: sqlite3.Row) -> Command:
    return Command(
        id=row["id"],
        kind=CommandKind(row["kind"]),
        args=load_json(row["args"]),
        status=CommandStatus(row["status"]),
        created_at=from_epoch(row["created_at"]),
        claimed_by=row["claimed_by"],
        finished_at=from_epoch(row["finished_at"]),
        result=load_json(row["result"]),
        error=row["error"],
    )


def engine(row: sqlite3.Row) -> EngineInstance:
    return EngineInstance(
        owner_id=row["owner_id"],
        pid=row["pid"],
        hostname=row["hostname"],
        kind=row["kind"],
        started_at=from_epoch(row["started_at"]),
        heartbeat_at=from_epoch(row["heartbeat_at"]),
    )
