"""The JSON-RPC endpoint ``/jsonrpc``, responding like Odoo 18.

Every application error is HTTP 200 with ``error.code`` 200 and
``error.message`` "Odoo Server Error"; the exception class is in
``error.data.name``. A result of None leaves the ``result`` member out.
"""

from __future__ import annotations

import json
import logging

from starlette.requests import Request
from starlette.responses import Response

from core.sandbox.errors import exception_message, exception_name, format_traceback
from core.sandbox.pages import invalid_json, method_not_allowed, options_allowed
from core.sandbox.services import Backend, dispatch

log = logging.getLogger(__name__)

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def json_response(payload: object, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Serialise with Odoo's separators and raw UTF-8; Content-Length comes first."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    return Response(body, status_code=status, headers=headers, media_type=JSON_CONTENT_TYPE)


def error_data(error: BaseException) -> dict:
    """Return ``error.data`` as Odoo 18 serialises an exception."""
    return {
        "name": exception_name(error),
        "debug": format_traceback(error),
        "message": exception_message(error),
        "arguments": list(error.args),
        "context": {},
    }


def make_endpoint(backend: Backend):
    """Return the Starlette endpoint for ``/jsonrpc``."""

    async def endpoint(request: Request) -> Response:
        if request.method == "OPTIONS":
            return options_allowed()
        if request.method != "POST":
            return method_not_allowed()
        try:
            call = json.loads(await request.body())
        except ValueError:
            return invalid_json()
        if not isinstance(call, dict):
            return invalid_json()
        return json_response(handle_call(backend, call))

    return endpoint


def handle_call(backend: Backend, call: dict) -> dict:
    """Run one JSON-RPC call and return the response object."""
    response: dict = {"jsonrpc": "2.0", "id": call.get("id")}
    try:
        params = call.get("params") or {}
        result = dispatch(backend, params.get("service"), params.get("method"), params.get("args") or [])
    except Exception as error:  # noqa: BLE001 - Odoo turns every exception into an error member
        log.debug("jsonrpc call failed: %s", type(error).__name__)
        response["error"] = {"code": 200, "message": "Odoo Server Error", "data": error_data(error)}
        return response
    if result is not None:
        response["result"] = result
    return response
