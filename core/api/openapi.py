"""The OpenAPI 3.1 document served at ``/openapi.json``, written by hand.

It describes exactly what the handlers and ``core.api.views`` return. A
property-based test checks every response to generated requests against
it, so a change to a view must change its schema here too.
"""

from __future__ import annotations

from typing import Any

from core.api.params import DEFAULT_LIMIT, MAX_LIMIT
from core.ledger.models import CommandKind, CommandStatus, ConnectionStatus, DeliveryState, SyncStatus, SyncTrigger


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema["type"]
    return {**schema, "type": [kind, "null"]}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict[str, Any], additional: bool = False) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": additional,
    }


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}
BOOLEAN = {"type": "boolean"}
TIME = {"type": "string", "format": "date-time"}
NULLABLE_STRING = _nullable(STRING)
NULLABLE_INTEGER = _nullable(INTEGER)
NULLABLE_TIME = _nullable(TIME)

FRESHNESS = {
    "connection_status": {"type": "string", "enum": [status.value for status in ConnectionStatus]},
    "last_success_at": NULLABLE_TIME,
    "data_age_seconds": {
        **_nullable(NUMBER),
        "minimum": 0,
        "description": "Seconds since the last successful sync; null before the first one.",
    },
}


def _page(item: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    properties = {
        "data": {"type": "array", "items": _ref(item)},
        "next_cursor": {**NULLABLE_STRING, "description": "Pass as the cursor parameter for the next page; null on the last page."},
        "has_more": BOOLEAN,
        **(extra or {}),
    }
    return _object(properties)


def _schemas() -> dict[str, Any]:
    return {
        "Error": _object({"error": _object({"code": STRING, "message": STRING, "request_id": STRING})}),
        "Stream": _object(
            {
                "entity": STRING,
                "model": STRING,
                "enabled": BOOLEAN,
                "available": {**_nullable(BOOLEAN), "description": "null until a connection test has checked the model."},
                "unavailable_reason": NULLABLE_STRING,
                "last_synced_at": NULLABLE_TIME,
            }
        ),
        "Connection": _object(
            {
                "id": INTEGER,
                "name": STRING,
                "url": STRING,
                "database": STRING,
                "status": {"type": "string", "enum": [status.value for status in ConnectionStatus]},
                "status_reason": NULLABLE_STRING,
                "status_changed_at": NULLABLE_TIME,
                "server_version": NULLABLE_STRING,
                "protocol": NULLABLE_STRING,
                "interval_seconds": INTEGER,
                "last_sync_at": NULLABLE_TIME,
                "next_sync_at": NULLABLE_TIME,
                **FRESHNESS,
                "engine_running": {**BOOLEAN, "description": "Whether an engine runs on the ledger to carry out queued syncs and retries."},
                "streams": {"type": "array", "items": _ref("Stream")},
            }
        ),
        "StreamResult": _object(
            {
                "entity": STRING,
                "created": INTEGER,
                "updated": INTEGER,
                "deleted": INTEGER,
                "unchanged": INTEGER,
                "pages": INTEGER,
                "error_class": NULLABLE_STRING,
                "error_message": NULLABLE_STRING,
            }
        ),
        "SyncRun": _object(
            {
                "id": INTEGER,
                "trigger": {"type": "string", "enum": [trigger.value for trigger in SyncTrigger]},
                "status": {"type": "string", "enum": [status.value for status in SyncStatus]},
                "streams": {"type": "array", "items": STRING},
                "started_at": TIME,
                "finished_at": NULLABLE_TIME,
                "created": INTEGER,
                "updated": INTEGER,
                "deleted": INTEGER,
                "unchanged": INTEGER,
                "pages": INTEGER,
                "error_class": NULLABLE_STRING,
                "error_message": NULLABLE_STRING,
                "stream_results": {"type": "array", "items": _ref("StreamResult")},
            }
        ),
        "Event": _object(
            {
                "id": {**STRING, "description": "The event id; also the webhook-id header of its webhooks."},
                "seq": INTEGER,
                "type": STRING,
                "timestamp": TIME,
                "connection_id": NULLABLE_INTEGER,
                "data": {"type": "object"},
            }
        ),
        "Record": _object(
            {
                "entity": STRING,
                "model": {**STRING, "description": "The Odoo model, e.g. maintenance.equipment."},
                "id": {**INTEGER, "description": "The Odoo record id."},
                "fields": {"type": "object", "description": "The record's fields as Odoo returned them."},
                "write_date": NULLABLE_TIME,
                "deleted": BOOLEAN,
                "deleted_at": NULLABLE_TIME,
                "updated_at": {**TIME, "description": "When odoo-relay last saw the record change."},
            }
        ),
        "Delivery": _object(
            {
                "id": INTEGER,
                "event_id": STRING,
                "event_type": STRING,
                "endpoint_id": INTEGER,
                "endpoint_url": STRING,
                "state": {"type": "string", "enum": [state.value for state in DeliveryState]},
                "attempts": INTEGER,
                "created_at": TIME,
                "first_attempt_at": NULLABLE_TIME,
                "next_attempt_at": NULLABLE_TIME,
                "deadline_at": NULLABLE_TIME,
                "last_status_code": NULLABLE_INTEGER,
                "last_error_class": NULLABLE_STRING,
                "last_error": NULLABLE_STRING,
                "succeeded_at": NULLABLE_TIME,
            }
        ),
        "CommandAccepted": _object(
            {
                "command_id": INTEGER,
                "kind": {"type": "string", "enum": [kind.value for kind in CommandKind]},
                "status": {"type": "string", "enum": [status.value for status in CommandStatus]},
                "engine_running": BOOLEAN,
            }
        ),
        "EventPage": _object(
            {
                "data": {"type": "array", "items": _ref("Event")},
                "next_cursor": {**STRING, "description": "Pass as after on the next poll; returned even on an empty page."},
                "has_more": BOOLEAN,
            }
        ),
        "SyncRunPage": _page("SyncRun"),
        "RecordPage": _page("Record", FRESHNESS),
        "RecordResponse": _object({"data": _ref("Record"), **FRESHNESS}),
        "DeliveryPage": _page("Delivery"),
    }


_REQUEST_ID = {"X-Request-Id": {"description": "The request id, also in error bodies and the server log.", "schema": STRING}}
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again.", "schema": STRING}}


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {**_REQUEST_ID, **(headers or {})},
        "content": {"application/json": {"schema": _ref("Error")}},
    }


def _ok(description: str, schema: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": _REQUEST_ID,
        "content": {"application/json": {"schema": _ref(schema)}},
    }


def _responses(ok_status: str, ok: dict[str, Any], *extra: str) -> dict[str, Any]:
    """Return an operation's responses: its success, the errors every operation can return, and ``extra``."""
    known = {
        "400": _error(
            "A parameter or cursor is invalid, or a query parameter is not listed for the operation "
            "(code invalid_parameter); the message names it."
        ),
        "401": _error(
            "Missing or unknown token (code missing_token or unknown_token), or the connection's Odoo "
            "credentials were rejected (code reconnect_required).",
            {"WWW-Authenticate": {"schema": STRING}},
        ),
        "403": _error("The token's connection is disabled (code connection_disabled)."),
        "404": _error("No such resource for this token's connection."),
        "409": _error("The delivery is in flight, or already succeeded and force was not set."),
        "429": _error("The token's rate limit is spent.", _RETRY_AFTER),
        "503": _error(
            "Odoo is unreachable (code system_unreachable), or the ledger stayed locked by other writes (code ledger_busy).",
            _RETRY_AFTER,
        ),
    }
    responses = {ok_status: ok}
    for status in ("400", "401", "403", "429", "503", *extra):
        responses[status] = known[status]
    return responses


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _path(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": description}


LIMIT = _query(
    "limit",
    {"type": "integer", "minimum": 1, "default": DEFAULT_LIMIT},
    f"Page size; values above {MAX_LIMIT} are clamped to {MAX_LIMIT}.",
)
CURSOR = _query("cursor", STRING, "The next_cursor of the previous page; omit it for the first page.")
ENTITY = _path("entity", STRING, "A stream name of the connection, e.g. assets.")


def _paths() -> dict[str, Any]:
    return {
        "/v1/connection": {
            "get": {
                "operationId": "getConnection",
                "summary": "The token's connection: status, sync times, streams and data age.",
                "responses": _responses("200", _ok("The connection.", "Connection")),
            }
        },
        "/v1/sync-runs": {
            "get": {
                "operationId": "listSyncRuns",
                "summary": "Sync runs of the connection, newest first.",
                "parameters": [CURSOR, LIMIT],
                "responses": _responses("200", _ok("One page of sync runs.", "SyncRunPage")),
            }
        },
        "/v1/syncs": {
            "post": {
                "operationId": "startSync",
                "summary": "Queue a sync of the connection for the engine.",
                "parameters": [_query("full", BOOLEAN, "true resets the stream cursors and reads every record again.")],
                "responses": _responses("202", _ok("The sync command is queued.", "CommandAccepted")),
            }
        },
        "/v1/events": {
            "get": {
                "operationId": "listEvents",
                "summary": "The connection's events in commit order: the polling backup for webhooks.",
                "parameters": [
                    _query("after", STRING, "The next_cursor of the previous poll; omit it to start from the first event."),
                    LIMIT,
                ],
                "responses": _responses("200", _ok("Events after the cursor.", "EventPage")),
            }
        },
        "/v1/records/{entity}": {
            "get": {
                "operationId": "listRecords",
                "summary": "Synced records of one entity in change order, deleted ones included.",
                "parameters": [
                    ENTITY,
                    _query("updated_after", TIME, "Only records that changed after this time (ISO 8601; no zone means UTC)."),
                    CURSOR,
                    LIMIT,
                ],
                "responses": _responses("200", _ok("One page of records.", "RecordPage"), "404"),
            }
        },
        "/v1/records/{entity}/{id}": {
            "get": {
                "operationId": "getRecord",
                "summary": "One synced record by its Odoo id.",
                "parameters": [ENTITY, _path("id", {"type": "integer", "minimum": 0}, "The Odoo record id.")],
                "responses": _responses("200", _ok("The record.", "RecordResponse"), "404"),
            }
        },
        "/v1/deliveries": {
            "get": {
                "operationId": "listDeliveries",
                "summary": "Webhook deliveries of the connection's events, newest first.",
                "parameters": [
                    _query("state", {"type": "string", "enum": [state.value for state in DeliveryState]}, "Only deliveries in this state."),
                    CURSOR,
                    LIMIT,
                ],
                "responses": _responses("200", _ok("One page of deliveries.", "DeliveryPage")),
            }
        },
        "/v1/deliveries/{id}/retry": {
            "post": {
                "operationId": "retryDelivery",
                "summary": "Queue a new attempt of one delivery for the engine.",
                "parameters": [
                    _path("id", {"type": "integer", "minimum": 0}, "The delivery id."),
                    _query("force", BOOLEAN, "true sends a delivery again even if it already succeeded."),
                ],
                "responses": _responses("202", _ok("The retry command is queued.", "CommandAccepted"), "404", "409"),
            }
        },
    }


def build_openapi(version: str) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document of the API."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "odoo-relay API",
            "version": version,
            "description": "Read sync status, poll events and read synced records of one Odoo connection.",
        },
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearerAuth": []}],
        "paths": _paths(),
    }


def query_parameters(document: dict[str, Any]) -> dict[tuple[str, str], frozenset[str]]:
    """Return the documented query parameter names of each (METHOD, path) in ``document``.

    The app rejects any other query parameter, so the document is the one
    list of what each route accepts.
    """
    accepted: dict[tuple[str, str], frozenset[str]] = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            names = {parameter["name"] for parameter in operation.get("parameters", []) if parameter["in"] == "query"}
            accepted[(method.upper(), path)] = frozenset(names)
    return accepted
