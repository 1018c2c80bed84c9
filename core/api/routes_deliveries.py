"""``GET /v1/deliveries`` and ``POST /v1/deliveries/{id}/retry`` for the token's connection."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from core.api.auth import Caller, authenticated
from core.api.context import api_context
from core.api.errors import ApiError, bad_request, not_found
from core.api.paging import cursor_for, page_body, request_limit, request_position
from core.api.params import optional_bool, path_int
from core.api.routes_connection import engine_running
from core.api.views import ApiJSONResponse, delivery_view
from core.ledger import Ledger
from core.ledger.models import CommandKind, Delivery, DeliveryFilter, DeliveryState

DELIVERIES_CURSOR = "deliveries"
STATES = [state.value for state in DeliveryState]


def _state_filter(request: Request) -> DeliveryState | None:
    raw = request.query_params.get("state")
    if raw is None:
        return None
    if raw not in STATES:
        raise bad_request("invalid_parameter", f"state must be one of {', '.join(STATES)}, got {raw!r}")
    return DeliveryState(raw)


@authenticated
async def list_deliveries(request: Request, caller: Caller) -> ApiJSONResponse:
    """Return the connection's webhook deliveries, newest first, optionally by state."""
    context = api_context(request)
    limit = request_limit(request)
    state = _state_filter(request)
    # The state is part of the cursor so a page of failed deliveries never
    # continues into all of them.
    cursor_kind = f"{DELIVERIES_CURSOR}:{state or 'any'}"
    before = request_position(request, caller, cursor_kind)
    delivery_filter = DeliveryFilter(state=state, connection_id=caller.connection.id)

    page = await context.pool.read(lambda ledger: ledger.list_deliveries(delivery_filter, before=before, limit=limit), rows=limit)

    items = [delivery_view(delivery) for delivery in page.items]
    return ApiJSONResponse(page_body(items, cursor_for(request, caller, cursor_kind, page.next_key)))


def _check_retryable(delivery: Delivery | None, delivery_id: int, caller: Caller, force: bool) -> Delivery:
    # Another connection's delivery is "not found", so ids do not leak across tokens.
    if delivery is None or delivery.connection_id != caller.connection.id:
        raise not_found("delivery_not_found", f"no delivery {delivery_id} for connection {caller.connection.id}")
    if delivery.state == DeliveryState.IN_FLIGHT:
        raise ApiError(409, "delivery_in_flight", f"delivery {delivery_id} is being sent right now; retry once it has finished")
    if delivery.state == DeliveryState.SUCCEEDED and not force:
        raise ApiError(409, "already_succeeded", f"delivery {delivery_id} already succeeded; pass force=true to send it again")
    return delivery


@authenticated
async def retry_delivery(request: Request, caller: Caller) -> ApiJSONResponse:
    """Queue a new attempt of one delivery; the engine sends it within about a second."""
    context = api_context(request)
    delivery_id = path_int(request, "id")
    force = optional_bool(request, "force")

    def enqueue(ledger: Ledger):
        _check_retryable(ledger.get_delivery(delivery_id), delivery_id, caller, force)
        args = {"delivery_id": delivery_id, "force": force}
        return ledger.enqueue_command(CommandKind.RETRY_DELIVERY, args, context.clock.now()), engine_running(ledger, context)

    command, running = await context.pool.call(enqueue)
    body = {"command_id": command.id, "kind": command.kind.value, "status": command.status.value, "engine_running": running}
    return ApiJSONResponse(body, status_code=202)


routes = [
    Route("/v1/deliveries", list_deliveries, methods=["GET"]),
    Route("/v1/deliveries/{id}/retry", retry_delivery, methods=["POST"]),
]
