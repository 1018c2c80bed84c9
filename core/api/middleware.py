"""Request ids, the access log and the last-resort 500 response, as ASGI middleware."""

from __future__ import annotations

import logging
import time

from core.api.errors import REQUEST_ID_HEADER, error_response
from core.ids import new_ulid

log = logging.getLogger("core.api.access")


def new_request_id() -> str:
    return "req_" + new_ulid()


class RequestMiddleware:
    """Give every request an id, log it once, and return 500 on an unexpected error.

    The id is generated here rather than taken from the client, so log lines
    cannot be forged. The access line carries the connection id that auth
    stored in ``scope["state"]`` and never any request header, so the bearer
    token stays out of the log.
    """

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        state = scope.setdefault("state", {})
        request_id = new_request_id()
        state["request_id"] = request_id
        started = time.perf_counter()
        response = {"status": None}

        async def send_with_id(message) -> None:
            if message["type"] == "http.response.start":
                response["status"] = message["status"]
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"x-request-id" for name, _ in headers):
                    headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error in %s %s (request %s)", scope["method"], scope["path"], request_id)
            if response["status"] is None:
                reply = error_response(500, "internal_error", "internal error; the server log has the details", request_id)
                await reply(scope, receive, send_with_id)
        finally:
            _log_access(scope, state, response["status"], time.perf_counter() - started)


def _log_access(scope, state: dict, status: int | None, seconds: float) -> None:
    request_id = state.get("request_id")
    connection_id = state.get("connection_id")
    log.info(
        "%s %s -> %s in %.1f ms (request %s, connection %s)",
        scope["method"],
        scope["path"],
        status,
        seconds * 1000,
        request_id,
        connection_id,
        extra={
            "request_id": request_id,
            "connection_id": connection_id,
            "method": scope["method"],
            "path": scope["path"],
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
        },
    )


__all__ = ["RequestMiddleware", "REQUEST_ID_HEADER", "new_request_id"]
