"""The JSON-2 API of Odoo 19 (``POST /json/2/<model>/<method>``) and ``GET /web/version``.

On 16.0 to 18.0 the ``/json/2`` URLs respond as a real 18.0 server does: a
303 redirect to the login page. JSON-2 itself was not recorded; its status
codes and error shape follow Odoo 19's documentation.
"""

from __future__ import annotations

import json
import logging

from starlette.requests import Request
from starlette.responses import Response

from core.sandbox.errors import (
    AccessDenied,
    AccessError,
    MissingError,
    UserError,
    exception_message,
    exception_name,
    format_traceback,
)
from core.sandbox.jsonrpc import json_response
from core.sandbox.models import MODELS
from core.sandbox.orm import execute
from core.sandbox.pages import html_response, invalid_json, not_found, redirect_to_login
from core.sandbox.services import Backend

log = logging.getLogger(__name__)

# Methods whose first argument is the record ids (``ids`` in a JSON-2 body).
RECORD_METHODS = frozenset({"read", "write", "unlink", "archive_equipment_request"})
UNSUPPORTED_MEDIA_TYPE = (
    "<!doctype html>\n<html lang=en>\n<title>415 Unsupported Media Type</title>\n<h1>Unsupported Media Type</h1>\n"
    "<p>The request body must be sent as application/json.</p>\n"
)


class Unauthorized(Exception):
    """The bearer API key is missing or unknown."""

    __module__ = "werkzeug.exceptions"


class NotFound(Exception):
    """The model or method does not exist."""

    __module__ = "werkzeug.exceptions"


def status_for(error: BaseException) -> int:
    """Map an exception to the JSON-2 HTTP status."""
    if isinstance(error, (Unauthorized, AccessDenied)):
        return 401
    if isinstance(error, AccessError):
        return 403
    if isinstance(error, (MissingError, NotFound, AttributeError)):
        return 404
    if isinstance(error, (UserError, TypeError)):
        return 422
    return 500


def error_response(error: BaseException) -> Response:
    body = {
        "name": exception_name(error),
        "message": exception_message(error),
        "arguments": list(error.args),
        "context": {},
        "debug": format_traceback(error),
    }
    status = status_for(error)
    headers = {"www-authenticate": "bearer"} if status == 401 else None
    return json_response(body, status, headers)


def make_endpoint(backend: Backend):
    """Return the Starlette endpoint for ``/json/2/<model>/<method>``."""

    async def endpoint(request: Request) -> Response:
        if not backend.version.has_json2:
            return redirect_to_login(request.url.path, request.url.query)
        if request.method != "POST":
            return html_response("", 405, {"allow": "POST"})
        content_type = request.headers.get("content-type", "")
        if content_type.split(";")[0].strip().lower() != "application/json":
            return html_response(UNSUPPORTED_MEDIA_TYPE, 415)
        database = request.headers.get("x-odoo-database", backend.database)
        if database != backend.database:
            return not_found()
        try:
            arguments = json.loads(await request.body() or b"{}")
        except ValueError:
            return invalid_json()
        model, method = request.path_params["model"], request.path_params["method"]
        return handle_call(backend, request.headers.get("authorization", ""), model, method, arguments)

    return endpoint


def handle_call(backend: Backend, authorization: str, model: str, method: str, arguments) -> Response:
    try:
        result = call(backend, authorization, model, method, arguments)
    except Exception as error:  # noqa: BLE001 - every exception becomes a JSON error
        log.debug("json2 %s.%s failed: %s", model, method, type(error).__name__)
        return error_response(error)
    return json_response(result)


def call(backend: Backend, authorization: str, model: str, method: str, arguments) -> object:
    backend.check_database(backend.database)
    user = user_for(backend, authorization)
    if model not in MODELS:
        raise NotFound(f"Object {model} doesn't exist")
    if not isinstance(arguments, dict):
        raise TypeError(f"the JSON body must be an object of named arguments, got {type(arguments).__name__}")
    kwargs = dict(arguments)
    if method in RECORD_METHODS:
        args = [kwargs.pop("ids", [])]
    else:
        kwargs.pop("ids", None)
        args = []
    return execute(backend.store, user, model, method, args, kwargs)


def user_for(backend: Backend, authorization: str):
    scheme, _, key = authorization.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthorized("Missing or malformed Authorization header: send 'Authorization: bearer <API key>'")
    user = backend.users.user_for_api_key(key.strip())
    if user is None:
        raise Unauthorized("Invalid API key")
    return user


def make_version_endpoint(backend: Backend):
    """Return ``GET /web/version``: JSON on 19.0, the 404 page before it."""

    async def endpoint(request: Request) -> Response:
        if not backend.version.has_json2:
            # NOTE: not recorded on a real 16.0-18.0 server. The sandbox
            # returns 404 so clients exercise their common.version() fallback.
            return not_found()
        version = backend.version
        return json_response({"version_info": version.version_info, "version": version.serie})

    return endpoint
