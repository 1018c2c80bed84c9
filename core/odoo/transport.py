"""HTTP layer of the Odoo client: one pooled httpx.AsyncClient, no redirects.

Network failures and the status codes every protocol shares (3xx, 429,
502/503/504) become typed errors here; each protocol module reads the rest
of the reply.
"""

from __future__ import annotations

import email.utils
import json
import logging
import socket
import time
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import orjson

from core.odoo import errors
from core.odoo.classify import Location

log = logging.getLogger(__name__)

#: Defaults when the caller passes no timeout: a dead host fails fast, a
#: slow search_read of a few thousand records still completes.
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=60.0, write=30.0, pool=10.0)

_UNREACHABLE_STATUS = {502, 503, 504}


def normalise_base_url(url: str) -> str:
    """Return ``url`` without a trailing slash, after checking its scheme and host."""
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise errors.InvalidValueError(
            f"invalid Odoo URL {url!r}",
            hint="give the full base URL with its scheme, e.g. https://odoo.example.com or http://127.0.0.1:8069",
        )
    if parts.query or parts.fragment:
        raise errors.InvalidValueError(f"invalid Odoo URL {url!r}: it has a query or fragment", hint="give the base URL only")
    return text.rstrip("/")


class Transport:
    """One pooled HTTP connection set to one Odoo base URL."""

    def __init__(self, base_url: str, timeout: httpx.Timeout | None = None, headers: dict | None = None) -> None:
        self.base_url = normalise_base_url(base_url)
        self.timeout = timeout or DEFAULT_TIMEOUT
        self._client = httpx.AsyncClient(
            timeout=self.timeout,
            follow_redirects=False,
            headers=headers,
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=20),
        )

    def url(self, path: str) -> str:
        return self.base_url + path

    async def post(self, where: Location, content: bytes, content_type: str, headers: dict | None = None) -> httpx.Response:
        """POST ``content`` to ``where.url``; raise ServerUnreachableError on network failures."""
        request_headers = {"Content-Type": content_type}
        if headers:
            request_headers.update(headers)
        try:
            return _without_cycle(await self._client.post(where.url, content=content, headers=request_headers))
        except httpx.TransportError as error:
            raise network_error(error, where, self.timeout) from error
        except httpx.DecodingError as error:
            raise errors.ProtocolError(f"the response body could not be decoded: {error}", **where.fields()) from error

    async def get(self, where: Location) -> httpx.Response:
        """GET ``where.url``; raise ServerUnreachableError on network failures."""
        try:
            return _without_cycle(await self._client.get(where.url))
        except httpx.TransportError as error:
            raise network_error(error, where, self.timeout) from error
        except httpx.DecodingError as error:
            raise errors.ProtocolError(f"the response body could not be decoded: {error}", **where.fields()) from error

    async def aclose(self) -> None:
        await self._client.aclose()

    def __repr__(self) -> str:
        return f"Transport({self.base_url!r})"


def _without_cycle(response: httpx.Response) -> httpx.Response:
    """Replace the read and closed body stream of ``response``, which refers back to it.

    httpx binds each response's stream to the response, so every response
    is a reference cycle that only the garbage collector frees. The engine
    runs the collector's older generations rarely (``core.runtime``), and a
    sync's replies of about 250 KB then piled up: peak RSS grew from 65 to
    93 MB over a sync of 200,000 records. Once ``post`` or ``get`` returns,
    the body is in ``response.content``, so an empty stream can stand in.
    """
    response.stream = httpx.ByteStream(b"")
    return response


def network_error(error: httpx.TransportError, where: Location, timeout: httpx.Timeout) -> errors.OdooError:
    """Build the typed error for an httpx network failure."""
    host = urlsplit(where.url).netloc
    if isinstance(error, httpx.ConnectTimeout):
        detail = f"connecting to {host} timed out after {timeout.connect} s"
    elif isinstance(error, httpx.ConnectError) and _is_dns_failure(error):
        detail = f"cannot resolve the host name {urlsplit(where.url).hostname!r}"
    elif isinstance(error, httpx.ConnectError):
        detail = f"cannot connect to {host}: {error}"
    elif isinstance(error, httpx.ReadTimeout):
        detail = f"no reply from {host} within {timeout.read} s"
    elif isinstance(error, httpx.TimeoutException):
        detail = f"the request to {host} timed out"
    elif isinstance(error, httpx.UnsupportedProtocol):
        return errors.ProtocolError(f"unsupported URL: {error}", **where.fields())
    else:
        detail = f"the connection to {host} failed: {type(error).__name__}: {error}"
    return errors.ServerUnreachableError(detail, **where.fields())


def _is_dns_failure(error: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, socket.gaierror):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return "Name or service not known" in str(error) or "nodename nor servname" in str(error)


def check_shared_status(response: httpx.Response, where: Location) -> None:
    """Raise for the statuses every protocol treats alike: 3xx, 429, 502/503/504."""
    status = response.status_code
    if 300 <= status < 400:
        location = response.headers.get("location")
        target = urljoin(where.url, location) if location else None
        raise errors.RedirectError(f"the server responded with a redirect, {status} {response.reason_phrase}", location=target, **where.fields())
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        wait = f"; Retry-After is {retry_after:g} s" if retry_after is not None else ""
        raise errors.RateLimitedError(f"the server responded 429 Too Many Requests{wait}", retry_after=retry_after, **where.fields())
    if status in _UNREACHABLE_STATUS:
        raise errors.ServerUnreachableError(
            f"the server or a proxy in front of it responded {status} {response.reason_phrase}", **where.fields()
        )


def parse_retry_after(value: str | None) -> float | None:
    """Return the Retry-After header in seconds (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def load_json(body: bytes) -> Any:
    """Parse a JSON reply body; raise ValueError when it is not JSON.

    orjson parsed a 247 KB page of 500 maintenance requests in 0.57 ms
    against 1.19 ms for the json module (``bench/micro.py``). It
    rejects two things that Odoo's encoder, Python's json module, writes:
    NaN or infinite floats and integers beyond 64 bits. Such a body is
    parsed again with the json module.
    """
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)


def is_html(response: httpx.Response) -> bool:
    return response.headers.get("content-type", "").lower().startswith("text/html")


def unexpected_reply(response: httpx.Response, where: Location, expected: str) -> errors.OdooError:
    """Build the error for a reply that is not the ``expected`` RPC format."""
    status = response.status_code
    path = urlsplit(where.url).path
    if status == 404:
        return errors.NotOdooError(f"{path} was not found (404), so this is not an Odoo RPC endpoint", **where.fields())
    if status in (400, 405, 415):
        return errors.ProtocolError(f"the server rejected a {expected} request with {status} {response.reason_phrase}", **where.fields())
    if status >= 500:
        return errors.ServerError(f"the server failed with {status} {response.reason_phrase}", last_line=_first_text(response), **where.fields())
    if status == 200 and is_html(response):
        return errors.UnexpectedHtmlError(
            f"an HTML page came back where {expected} was expected (often a proxy error or maintenance page)", **where.fields()
        )
    return errors.ProtocolError(f"the server responded {status} {response.reason_phrase}, which is not a {expected} response", **where.fields())


def _first_text(response: httpx.Response) -> str:
    text = response.text.strip()
    return text.splitlines()[0][:200] if text else ""
