"""``GET /v1/events``: the polling backup for webhooks.

Events come in ``seq`` order, the order the ledger committed them. SQLite
commits one writer at a time and ``seq`` is assigned inside the writing
transaction, so a reader never sees seq N+1 without seq N: paging with
``after`` has no gaps and no duplicates while new events keep arriving.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from core.api.auth import Caller, authenticated
from core.api.context import api_context
from core.api.errors import ApiError
from core.api.paging import cursor_for, request_limit, request_position
from core.api.views import ApiJSONResponse, event_view

EVENTS_CURSOR = "events"


def _after_seq(request: Request, caller: Caller) -> int:
    position = request_position(request, caller, EVENTS_CURSOR, param="after")
    if position is None:
        return 0
    if not isinstance(position, int) or position < 0:
        raise ApiError(400, "invalid_cursor", "invalid cursor: it does not hold an event position; omit after to start from the beginning")
    return position


@authenticated
async def list_events(request: Request, caller: Caller) -> ApiJSONResponse:
    """Return the connection's events after the ``after`` cursor, oldest first."""
    context = api_context(request)
    limit = request_limit(request)
    after_seq = _after_seq(request, caller)
    connection_id = caller.connection.id

    page = await context.pool.read(lambda ledger: ledger.list_events(connection_id, after_seq, limit), rows=limit)

    # The cursor is returned even on an empty page, so a poller keeps its
    # place and requests again later with the same value.
    last_seq = page.items[-1].seq if page.items else after_seq
    body = {
        "data": [event_view(event) for event in page.items],
        "next_cursor": cursor_for(request, caller, EVENTS_CURSOR, last_seq),
        "has_more": page.next_key is not None,
    }
    return ApiJSONResponse(body)


routes = [Route("/v1/events", list_events, methods=["GET"])]
