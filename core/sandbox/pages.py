"""Small HTML and plain responses that Odoo (werkzeug) or a proxy in front sends."""

from __future__ import annotations

import math
from urllib.parse import quote

from starlette.responses import Response

HTML = "text/html; charset=utf-8"

METHOD_NOT_ALLOWED = (
    "<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n"
    "<p>The method is not allowed for the requested URL.</p>\n"
)
NOT_FOUND = (
    "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
    "<p>The requested URL was not found on the server.</p>\n"
)
BAD_GATEWAY = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
TOO_MANY_REQUESTS = (
    "<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n<body>\r\n"
    "<center><h1>429 Too Many Requests</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


def html_response(body: str, status: int, headers: dict[str, str] | None = None) -> Response:
    """Return an HTML response with the Content-Type header first, as werkzeug orders it."""
    return Response(body.encode(), status_code=status, headers={"content-type": HTML, **(headers or {})})


def method_not_allowed(allowed: str = "OPTIONS, POST") -> Response:
    return html_response(METHOD_NOT_ALLOWED, 405, {"allow": allowed})


def options_allowed(allowed: str = "OPTIONS, POST") -> Response:
    """Return werkzeug's automatic response to OPTIONS: an empty 200 naming the methods."""
    return html_response("", 200, {"allow": allowed})


def not_found() -> Response:
    return html_response(NOT_FOUND, 404)


def redirect_to_login(path: str, query: str) -> Response:
    """Return the 303 an Odoo 18 server sends for a route that needs a web session."""
    location = "/web/login?redirect=" + quote(f"{path}?{query}", safe="")
    body = (
        "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n"
        f'<p>You should be redirected automatically to the target URL: <a href="{location}">{location}</a>. '
        "If not, click the link.\n"
    )
    return html_response(body, 303, {"location": location})


def bad_gateway() -> Response:
    return html_response(BAD_GATEWAY, 502)


def too_many_requests(retry_after: float) -> Response:
    # Retry-After takes whole seconds; rounding up never invites an early retry.
    seconds = max(0, math.ceil(retry_after))
    return html_response(TOO_MANY_REQUESTS, 429, {"retry-after": str(seconds)})


def invalid_json() -> Response:
    """Return Odoo's response to a JSON-RPC body that is not JSON."""
    return html_response("Invalid JSON data", 400)
