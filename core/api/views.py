"""JSON shapes of the API's resources, built from ledger rows.

Times are ISO 8601 in UTC with a ``Z`` suffix. The OpenAPI schemas in
``core.api.openapi`` describe exactly these dictionaries; change both together.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from starlette.responses import JSONResponse

from core.ledger.models import (
    Connection,
    Delivery,
    Event,
    Stream,
    StreamResult,
    SyncedRecord,
    SyncRun,
)


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _json_default(value: Any) -> Any:
    # Record data comes from Odoo through the ledger; anything that is not
    # plain JSON there (dates, many2one pairs) is written the way Odoo users expect.
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


class ApiJSONResponse(JSONResponse):
    """A JSON response that also encodes datetimes, dates and dataclasses."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":"), default=_json_default).encode("utf-8")


def data_age_seconds(connection: Connection, now: datetime) -> float | None:
    """Return seconds since the last successful sync, or None if there was none."""
    if connection.last_success_at is None:
        return None
    return round(max(0.0, (now - connection.last_success_at).total_seconds()), 3)


def freshness(connection: Connection, now: datetime) -> dict[str, Any]:
    """Return how old the cached data is; cached reads include this."""
    return {
        "connection_status": connection.status.value,
        "last_success_at": iso(connection.last_success_at),
        "data_age_seconds": data_age_seconds(connection, now),
    }


def stream_view(stream: Stream) -> dict[str, Any]:
    return {
        "entity": stream.name,
        "model": stream.model,
        "enabled": stream.enabled,
        "available": stream.available,
        "unavailable_reason": stream.unavailable_reason,
        "last_synced_at": iso(stream.last_synced_at),
    }


def connection_view(connection: Connection, streams: list[Stream], engine_running: bool, now: datetime) -> dict[str, Any]:
    return {
        "id": connection.id,
        "name": connection.name,
        "url": connection.url,
        "database": connection.database,
        "status": connection.status.value,
        "status_reason": connection.status_reason,
        "status_changed_at": iso(connection.status_changed_at),
        "server_version": connection.server_version,
        "protocol": connection.detected_protocol.value if connection.detected_protocol else None,
        "interval_seconds": connection.interval_seconds,
        "last_sync_at": iso(connection.last_sync_at),
        "next_sync_at": iso(connection.next_sync_at),
        **freshness(connection, now),
        "engine_running": engine_running,
        "streams": [stream_view(stream) for stream in streams],
    }


def stream_result_view(result: StreamResult) -> dict[str, Any]:
    return {
        "entity": result.stream,
        "created": result.created,
        "updated": result.updated,
        "deleted": result.deleted,
        "unchanged": result.unchanged,
        "pages": result.pages,
        "error_class": result.error_class,
        "error_message": result.error_message,
    }


def run_view(run: SyncRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "trigger": run.trigger.value,
        "status": run.status.value,
        "streams": list(run.streams),
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
        "created": run.created,
        "updated": run.updated,
        "deleted": run.deleted,
        "unchanged": run.unchanged,
        "pages": run.pages,
        "error_class": run.error_class,
        "error_message": run.error_message,
        "stream_results": [stream_result_view(result) for result in run.stream_results],
    }


def event_view(event: Event) -> dict[str, Any]:
    """Return the event as the webhook payload carries it, plus its ``seq``."""
    return {
        "id": event.id,
        "seq": event.seq,
        "type": event.type,
        "timestamp": iso(event.created_at),
        "connection_id": event.connection_id,
        "data": event.data,
    }


def record_view(entity: str, record: SyncedRecord) -> dict[str, Any]:
    return {
        "entity": entity,
        "model": record.model,
        "id": record.odoo_id,
        "fields": record.data,
        "write_date": iso(record.write_date),
        "deleted": record.deleted_at is not None,
        "deleted_at": iso(record.deleted_at),
        "updated_at": iso(record.updated_at),
    }


def delivery_view(delivery: Delivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "endpoint_id": delivery.endpoint_id,
        "endpoint_url": delivery.endpoint_url,
        "state": delivery.state.value,
        "attempts": delivery.attempts,
        "created_at": iso(delivery.created_at),
        "first_attempt_at": iso(delivery.first_attempt_at),
        "next_attempt_at": iso(delivery.next_attempt_at),
        "deadline_at": iso(delivery.deadline_at),
        "last_status_code": delivery.last_status_code,
        "last_error_class": delivery.last_error_class,
        "last_error": delivery.last_error,
        "succeeded_at": iso(delivery.succeeded_at),
    }
