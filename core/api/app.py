"""The API's app factory: ``create_api_app(ledger_path, clock)``."""

from __future__ import annotations

import contextlib
import functools
import logging
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.api import routes_connection, routes_deliveries, routes_events, routes_records
from core.api.context import ApiContext, ApiSettings
from core.api.cursors import CursorCodec
from core.api.errors import ApiError, code_for_status, error_response
from core.api.keys import cursor_key
from core.api.ledger_pool import LedgerPool
from core.api.middleware import RequestMiddleware
from core.api.openapi import build_openapi, query_parameters
from core.api.params import reject_unknown_query
from core.api.ratelimit import TokenBuckets
from core.api.views import ApiJSONResponse
from core.clock import Clock
from core.ledger import LedgerBusyError

log = logging.getLogger(__name__)


def _package_version() -> str:
    try:
        return version("odoo-relay")
    except PackageNotFoundError:
        return "0.0.0"


def _request_id(request: Request) -> str:
    return getattr(request.state, "request_id", "unknown")


async def _api_error(request: Request, error: ApiError):
    return error_response(error.status, error.code, error.message, _request_id(request), error.headers)


async def _ledger_busy(request: Request, error: LedgerBusyError):
    # Another process held the ledger's write lock past the busy timeout,
    # which heavy sync pages can do; the request may simply be sent again.
    log.warning("ledger busy during %s %s (request %s): %s", request.method, request.url.path, _request_id(request), error)
    message = "the ledger is busy with other writes; retry after the Retry-After delay"
    return error_response(503, "ledger_busy", message, _request_id(request), {"Retry-After": "1"})


async def _http_error(request: Request, error: HTTPException):
    # Starlette raises these for an unknown path or a wrong method.
    message = error.detail if isinstance(error.detail, str) else "request failed"
    if error.status_code == 404:
        message = f"no API route {request.method} {request.url.path}; see /openapi.json"
    return error_response(error.status_code, code_for_status(error.status_code), message, _request_id(request), error.headers)


def _openapi_route(document: dict) -> Route:
    # The document never changes while the app runs, so it is rendered once.
    body = ApiJSONResponse(document).body

    async def openapi(request: Request) -> Response:
        return Response(body, media_type="application/json")

    return Route("/openapi.json", openapi, methods=["GET"], include_in_schema=False)


def _check_query_names(routes: list[Route], accepted: dict[tuple[str, str], frozenset[str]]) -> list[Route]:
    # Wrap each handler so a query parameter missing from its OpenAPI
    # operation is a 400. A route absent from the document raises KeyError
    # here, when the app is built, not on a request.
    checked = []
    for route in routes:
        for method in route.methods - {"HEAD"}:
            names = accepted[(method, route.path)]
            checked.append(Route(route.path, _rejecting_unknown_query(route.endpoint, names), methods=[method]))
    return checked


def _rejecting_unknown_query(endpoint, names: frozenset[str]):
    @functools.wraps(endpoint)
    async def handler(request: Request) -> Response:
        reject_unknown_query(request, names)
        return await endpoint(request)

    return handler


def create_api_app(ledger_path: Path, clock: Clock, *, settings: ApiSettings | None = None) -> Starlette:
    """Build the API app on the ledger at ``ledger_path``.

    The app opens ``settings.ledger_connections`` ledger connections now and
    closes them when the server shuts down (ASGI lifespan).
    """
    settings = settings or ApiSettings()
    pool = LedgerPool(ledger_path, size=settings.ledger_connections)
    context = ApiContext(
        settings=settings,
        clock=clock,
        pool=pool,
        cursors=CursorCodec(pool.call_sync(cursor_key)),
        buckets=TokenBuckets(settings.rate_limit),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        log.info("API ready on ledger %s", pool.ledger_path)
        yield
        pool.close()

    document = build_openapi(_package_version())
    api_routes = [*routes_connection.routes, *routes_events.routes, *routes_records.routes, *routes_deliveries.routes]
    routes = [_openapi_route(document), *_check_query_names(api_routes, query_parameters(document))]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(RequestMiddleware)],
        exception_handlers={ApiError: _api_error, LedgerBusyError: _ledger_busy, HTTPException: _http_error},
        lifespan=lifespan,
    )
    app.state.api = context
    return app
