"""Control routes under ``/__sandbox__``: switch faults and change data over HTTP.

They let a test or the demo drive a sandbox running in another process
(``odoo-relay sandbox``). The routes are never slowed or failed by faults.
"""

from __future__ import annotations

import json
import logging

from starlette.requests import Request
from starlette.responses import Response

from core.sandbox.jsonrpc import json_response

log = logging.getLogger(__name__)

STORE_OPERATIONS = ("create", "write", "unlink", "archive", "unarchive")


async def _json_body(request: Request) -> dict:
    body = json.loads(await request.body() or b"{}")
    if not isinstance(body, dict):
        raise ValueError("the request body must be a JSON object")
    return body


def make_faults_endpoint(server):
    """GET returns the fault switches; POST applies the given ones and returns them."""

    async def endpoint(request: Request) -> Response:
        if request.method == "POST":
            try:
                settings = await _json_body(request)
                server.faults.apply(settings)
            except (ValueError, TypeError) as error:
                return json_response({"error": str(error)}, 400)
            log.info("sandbox faults changed over HTTP: %s", sorted(settings))
        return json_response(server.faults.state())

    return endpoint


def make_store_endpoint(server):
    """POST ``{"op": "create"|"write"|"unlink"|"archive"|"unarchive", "model", ...}``."""

    async def endpoint(request: Request) -> Response:
        try:
            body = await _json_body(request)
            result = run_store_operation(server.store, body)
        except Exception as error:  # noqa: BLE001 - reported to the caller as a 400
            return json_response({"error": f"{type(error).__name__}: {error}"}, 400)
        return json_response({"result": result})

    return endpoint


def run_store_operation(store, body: dict) -> object:
    operation = body.get("op")
    if operation not in STORE_OPERATIONS:
        raise ValueError(f"unknown store operation {operation!r}; use one of: {', '.join(STORE_OPERATIONS)}")
    model = body.get("model")
    if model not in store.tables:
        raise ValueError(f"unknown model {model!r}; use one of: {', '.join(store.tables)}")
    if operation == "create":
        return store.create(model, body.get("values") or {})
    if operation == "write":
        return store.write(model, body["ids"], body.get("values") or {})
    return getattr(store, operation)(model, body["ids"])
