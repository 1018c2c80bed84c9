"""API errors: one JSON shape, ``{"error": {"code", "message", "request_id"}}``.

Handlers raise ``ApiError``; the request middleware turns it (and any
unexpected exception) into that shape with the request's ``X-Request-Id``.
"""

from __future__ import annotations

from starlette.responses import JSONResponse

REQUEST_ID_HEADER = "X-Request-Id"

# Codes for Starlette's own HTTP errors (unknown path, wrong method).
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    503: "service_unavailable",
}


class ApiError(Exception):
    """An error sent to the client with HTTP ``status`` and a stable ``code``."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def code_for_status(status: int) -> str:
    """Return the error code used for a bare HTTP status (no ApiError raised)."""
    return _HTTP_CODES.get(status, "internal_error" if status >= 500 else "http_error")


def error_response(
    status: int,
    code: str,
    message: str,
    request_id: str,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """Build the JSON error response, with the request id in body and header."""
    all_headers = {REQUEST_ID_HEADER: request_id, **(headers or {})}
    body = {"error": {"code": code, "message": message, "request_id": request_id}}
    return JSONResponse(body, status_code=status, headers=all_headers)


def bad_request(code: str, message: str) -> ApiError:
    """Return a 400 error; ``message`` names the value and how to fix it."""
    return ApiError(400, code, message)


def not_found(code: str, message: str) -> ApiError:
    return ApiError(404, code, message)
