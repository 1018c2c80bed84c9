"""One HTTP attempt of a webhook delivery, with hard limits on time and memory.

Transport: aiohttp directly, not httpx. The dispatcher must reach half the
rate of the fastest bare client loop. In bench/dispatch.py runs on the
2-core development machine (64 requests in flight, minimal receiver in
another process), httpx with the httpx-aiohttp transport reached 0.1 to
0.35 of aiohttp alone, and httpx's default transport under 0.05. So the
httpx layer alone costs more than the half that the dispatcher may lose,
before any ledger work. The sender needs one POST and a bounded read,
so httpx's API would buy little here. Figures are in docs/benchmarks.md.
"""

from __future__ import annotations

import errno
import logging
import time
from dataclasses import dataclass
from datetime import datetime

import aiohttp

from core.clock import Clock
from core.ledger.models import AttemptRecord
from core.webhooks.deadlines import SharedDeadlines
from core.webhooks.message import WebhookRequest

log = logging.getLogger(__name__)

MAX_EXCERPT_BYTES = 4096
DEFAULT_ATTEMPT_TIMEOUT = 15.0
DEFAULT_CONNECT_TIMEOUT = 5.0


class ErrorClass:
    """Values of ``AttemptRecord.error_class``."""

    TIMEOUT = "timeout"
    CONNECTION_REFUSED = "connection_refused"
    DNS_FAILURE = "dns_failure"
    TLS_ERROR = "tls_error"
    REDIRECT = "redirect"
    HTTP_ERROR = "http_error"
    CONNECTION_ERROR = "connection_error"
    INVALID_URL = "invalid_url"


@dataclass(frozen=True, slots=True)
class AttemptResult:
    """The ledger record of an attempt plus the response facts the schedule needs."""

    record: AttemptRecord
    retry_after: str | None = None  # raw Retry-After header of a 429 or 503
    location: str | None = None  # Location header of a 3xx, which is not followed

    @property
    def succeeded(self) -> bool:
        status = self.record.status_code
        return self.record.error_class is None and status is not None and 200 <= status < 300

    @property
    def status_code(self) -> int | None:
        return self.record.status_code


class WebhookSender:
    """Send webhook POSTs over one pooled aiohttp session.

    Each attempt has a connect timeout and a hard total deadline that
    covers connecting, sending, the response headers and the body excerpt,
    so a receiver that trickles bytes cannot hold a worker. Redirects are
    not followed. Only the first 4 KB of a response body are read, and a
    connection with unread body left is closed rather than reused.
    """

    def __init__(
        self,
        clock: Clock,
        *,
        attempt_timeout: float = DEFAULT_ATTEMPT_TIMEOUT,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        max_connections: int = 256,
    ) -> None:
        if attempt_timeout <= 0 or connect_timeout <= 0:
            raise ValueError(f"timeouts must be positive, got attempt_timeout={attempt_timeout}, connect_timeout={connect_timeout}")
        self._clock = clock
        self._attempt_timeout = attempt_timeout
        self._connect_timeout = connect_timeout
        self._max_connections = max_connections
        self._deadlines = SharedDeadlines(attempt_timeout)
        self._session: aiohttp.ClientSession | None = None

    async def send(self, request: WebhookRequest) -> AttemptResult:
        """POST ``request`` once and return the result; network errors and timeouts become an error class."""
        session = self._ensure_session()
        started_at = self._clock.now()
        started = time.perf_counter()
        try:
            async with self._deadlines():
                status, excerpt, headers = await self._post(session, request)
        except (TimeoutError, aiohttp.ClientError, OSError, ValueError) as error:
            error_class, message = classify_error(error, self._attempt_timeout, self._connect_timeout)
            return AttemptResult(_record(request, started_at, started, None, error_class, message, None))

        location, retry_after = headers
        error_class, message = classify_status(status, location)
        return AttemptResult(
            record=_record(request, started_at, started, status, error_class, message, excerpt),
            retry_after=retry_after if status in (429, 503) else None,
            location=location if 300 <= status < 400 else None,
        )

    async def _post(
        self, session: aiohttp.ClientSession, request: WebhookRequest
    ) -> tuple[int, bytes, tuple[str | None, str | None]]:
        """POST once; return the status, the body excerpt and the (Location, Retry-After) headers."""
        async with session.post(request.url, data=request.body, headers=request.headers, allow_redirects=False) as response:
            excerpt = await _read_excerpt(response)
            if not response.content.at_eof():
                # Reusing this connection would mean reading the rest of the body first.
                response.close()
            # CIMultiDictProxy.get matches names case-insensitively, and two
            # lookups cost less than lowering every response header name.
            headers = response.headers
            return response.status, excerpt, (headers.get("Location"), headers.get("Retry-After"))

    def _ensure_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._max_connections, limit_per_host=0, enable_cleanup_closed=True)
            timeout = aiohttp.ClientTimeout(total=None, connect=self._connect_timeout, sock_connect=self._connect_timeout)
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=timeout,
                auto_decompress=False,  # the excerpt is raw bytes; no inflating of large bodies
                # No skip_auto_headers: every request names its own User-Agent
                # and Content-Type, which aiohttp then leaves alone, and a skip
                # list costs a sort and a header copy per request.
            )
        return self._session

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> WebhookSender:
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.aclose()


async def _read_excerpt(response: aiohttp.ClientResponse) -> bytes:
    # StreamReader.read(n) returns what has arrived, up to n bytes, so this
    # loops until 4 KB or the end of the body. aiohttp stops reading from the
    # socket once its buffer passes twice read_bufsize (64 KiB by default),
    # so the rest of a large body is never buffered.
    chunks: list[bytes] = []
    remaining = MAX_EXCERPT_BYTES
    while remaining > 0:
        chunk = await response.content.read(remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
        if response.content.at_eof():
            break  # saves a read that would only return b""
    return b"".join(chunks)


def classify_status(status: int, location: str | None) -> tuple[str | None, str | None]:
    """Return ``(error_class, message)`` for a response status; ``(None, None)`` on 2xx."""
    if 200 <= status < 300:
        return None, None
    if 300 <= status < 400:
        return ErrorClass.REDIRECT, f"HTTP {status} redirect to {location or '(no Location header)'} not followed; update the endpoint URL"
    return ErrorClass.HTTP_ERROR, f"HTTP {status}"


def classify_error(error: BaseException, attempt_timeout: float, connect_timeout: float) -> tuple[str, str]:
    """Map an exception from one attempt to ``(error_class, message)``."""
    if isinstance(error, aiohttp.ConnectionTimeoutError):
        return ErrorClass.TIMEOUT, f"connect timed out after {connect_timeout:g} s"
    if isinstance(error, TimeoutError):
        return ErrorClass.TIMEOUT, f"timed out after {attempt_timeout:g} s"
    if isinstance(error, aiohttp.ClientConnectorDNSError):
        return ErrorClass.DNS_FAILURE, f"DNS lookup failed: {error.os_error}"
    if isinstance(error, (aiohttp.ClientConnectorCertificateError, aiohttp.ClientSSLError)):
        return ErrorClass.TLS_ERROR, f"TLS error: {error}"
    if isinstance(error, aiohttp.ClientConnectorError):
        if error.os_error.errno == errno.ECONNREFUSED:
            return ErrorClass.CONNECTION_REFUSED, f"connection refused by {error.host}:{error.port}"
        return ErrorClass.CONNECTION_ERROR, f"cannot connect to {error.host}:{error.port}: {error.os_error.strerror or error.os_error}"
    if isinstance(error, (aiohttp.InvalidURL, aiohttp.NonHttpUrlClientError, ValueError)):
        return ErrorClass.INVALID_URL, f"invalid URL: {error}"
    return ErrorClass.CONNECTION_ERROR, f"{type(error).__name__}: {error}"


def _record(
    request: WebhookRequest,
    started_at: datetime,
    started: float,
    status: int | None,
    error_class: str | None,
    message: str | None,
    excerpt: bytes | None,
) -> AttemptRecord:
    return AttemptRecord(
        started_at=started_at,
        duration_ms=(time.perf_counter() - started) * 1000.0,
        status_code=status,
        error_class=error_class,
        error_message=message,
        response_excerpt=excerpt.decode("utf-8", errors="replace") if excerpt else None,
        request_headers=request.headers,
        webhook_timestamp=request.webhook_timestamp,
    )
