"""``GET /v1/records/{entity}`` and ``GET /v1/records/{entity}/{id}``: synced records.

Records are served from the ledger, never fetched from Odoo, so they work
while Odoo is unreachable, and every response includes the age of the data.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from core.api.auth import Caller, authenticated
from core.api.context import api_context
from core.api.errors import not_found
from core.api.paging import cursor_for, page_body, request_limit, request_position
from core.api.params import optional_datetime, path_int
from core.api.views import ApiJSONResponse, freshness, record_view
from core.ledger import Ledger

RECORDS_CURSOR = "records"


def _require_entity(ledger: Ledger, connection_id: int, entity: str) -> None:
    names = sorted(stream.name for stream in ledger.list_streams(connection_id))
    if entity not in names:
        known = ", ".join(names) or "none yet; run a sync first"
        raise not_found("unknown_entity", f"unknown entity {entity!r}; this connection syncs: {known}")


@authenticated
async def list_records(request: Request, caller: Caller) -> ApiJSONResponse:
    """Return synced records of one entity in change order, deleted ones included."""
    context = api_context(request)
    entity = request.path_params["entity"]
    limit = request_limit(request)
    updated_after = optional_datetime(request, "updated_after")
    # The cursor is bound to the entity too, so it cannot page another one.
    cursor_kind = f"{RECORDS_CURSOR}:{entity}"
    after_key = request_position(request, caller, cursor_kind)
    connection_id = caller.connection.id

    def load(ledger: Ledger):
        _require_entity(ledger, connection_id, entity)
        return ledger.list_records(connection_id, entity, updated_after, after_key, limit)

    page = await context.pool.read(load, rows=limit)

    items = [record_view(entity, record) for record in page.items]
    next_cursor = cursor_for(request, caller, cursor_kind, page.next_key)
    return ApiJSONResponse(page_body(items, next_cursor, **freshness(caller.connection, context.clock.now())))


@authenticated
async def get_record(request: Request, caller: Caller) -> ApiJSONResponse:
    """Return one synced record by its Odoo id."""
    context = api_context(request)
    entity = request.path_params["entity"]
    odoo_id = path_int(request, "id")
    connection_id = caller.connection.id

    def load(ledger: Ledger):
        _require_entity(ledger, connection_id, entity)
        return ledger.get_record(connection_id, entity, odoo_id)

    record = await context.pool.read(load, rows=1)
    if record is None:
        raise not_found("record_not_found", f"no synced {entity} record with id {odoo_id} on connection {connection_id}")

    body = {"data": record_view(entity, record), **freshness(caller.connection, context.clock.now())}
    return ApiJSONResponse(body)


routes = [
    Route("/v1/records/{entity}", list_records, methods=["GET"]),
    Route("/v1/records/{entity}/{id}", get_record, methods=["GET"]),
]
