"""``GET /v1/connection``, ``GET /v1/sync-runs`` and ``POST /v1/syncs``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from core.api.auth import Caller, authenticated
from core.api.context import ApiContext, api_context
from core.api.errors import ApiError
from core.api.paging import cursor_for, page_body, request_limit, request_position
from core.api.params import optional_bool
from core.api.ratelimit import retry_after_header
from core.api.views import ApiJSONResponse, connection_view, freshness, run_view
from core.ledger import Ledger
from core.ledger.models import CommandKind, ConnectionStatus

RUNS_CURSOR = "sync-runs"
_UNKNOWN_RETRY_SECONDS = 60


def engine_running(ledger: Ledger, context: ApiContext) -> bool:
    """Return True if an engine (``serve`` or a TUI) is alive on this ledger to run commands."""
    now = context.clock.now()
    return ledger.active_engine(now, context.settings.engine_stale_after_seconds) is not None


@authenticated
async def get_connection(request: Request, caller: Caller) -> ApiJSONResponse:
    """Return the token's connection with its streams and how old its data is."""
    context = api_context(request)
    connection_id = caller.connection.id

    def load(ledger: Ledger):
        return ledger.list_streams(connection_id), engine_running(ledger, context)

    # A connection has a handful of streams and one presence row.
    streams, running = await context.pool.read(load, rows=1)
    return ApiJSONResponse(connection_view(caller.connection, streams, running, context.clock.now()))


@authenticated
async def list_sync_runs(request: Request, caller: Caller) -> ApiJSONResponse:
    """Return the connection's sync runs, newest first."""
    context = api_context(request)
    limit = request_limit(request)
    before = request_position(request, caller, RUNS_CURSOR)
    connection_id = caller.connection.id

    page = await context.pool.read(lambda ledger: ledger.list_runs(connection_id, before=before, limit=limit), rows=limit)

    items = [run_view(run) for run in page.items]
    return ApiJSONResponse(page_body(items, cursor_for(request, caller, RUNS_CURSOR, page.next_key)))


def _require_reachable(caller: Caller, context: ApiContext) -> None:
    connection = caller.connection
    if connection.status != ConnectionStatus.UNREACHABLE:
        return
    age = freshness(connection, context.clock.now())["data_age_seconds"]
    cached = "no data synced yet" if age is None else f"cached reads still work, with data {age:.0f} s old"
    raise ApiError(
        503,
        "system_unreachable",
        f"Odoo at {connection.url} is unreachable ({connection.status_reason or 'no reason recorded'}); "
        f"odoo-relay retries on its schedule and {cached}",
        headers={"Retry-After": _seconds_until_next_sync(connection, context)},
    )


def _seconds_until_next_sync(connection, context: ApiContext) -> str:
    # The scheduler probes an unreachable connection again at next_sync_at.
    if connection.next_sync_at is None:
        return retry_after_header(_UNKNOWN_RETRY_SECONDS)
    return retry_after_header((connection.next_sync_at - context.clock.now()).total_seconds())


@authenticated
async def start_sync(request: Request, caller: Caller) -> ApiJSONResponse:
    """Queue a sync of the connection; ``full=true`` resets the stream cursors first."""
    context = api_context(request)
    full = optional_bool(request, "full")
    _require_reachable(caller, context)
    kind = CommandKind.RESYNC if full else CommandKind.SYNC
    args = {"connection_id": caller.connection.id}

    def enqueue(ledger: Ledger):
        return ledger.enqueue_command(kind, args, context.clock.now()), engine_running(ledger, context)

    command, running = await context.pool.call(enqueue)
    body = {"command_id": command.id, "kind": command.kind.value, "status": command.status.value, "engine_running": running}
    return ApiJSONResponse(body, status_code=202)


routes = [
    Route("/v1/connection", get_connection, methods=["GET"]),
    Route("/v1/sync-runs", list_sync_runs, methods=["GET"]),
    Route("/v1/syncs", start_sync, methods=["POST"]),
]
