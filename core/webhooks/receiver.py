"""A demo webhook receiver: verifies signatures, dedupes, and can misbehave on purpose.

``odoo-relay listen`` serves it, and tests use it as a real endpoint. It
responds 401 to a message whose signature does not verify and 200 to a
verified one. A repeated ``webhook-id`` is reported as a duplicate and still
gets 200, as a receiver that already processed the message should respond.
``failure_rate`` responds 500 to a fraction of messages and ``timeout_rate``
sleeps ``timeout_seconds`` before responding (or until the sender
disconnects), so a sender's retries and deadlines can be watched live.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from core.clock import Clock, SystemClock
from core.logs import RateLimitedLog
from core.secrets import Secret
from core.webhooks.signing import DEFAULT_TOLERANCE_SECONDS, WebhookVerificationError, decode_secret, verify

log = logging.getLogger(__name__)

# Ids remembered for deduplication; the oldest are forgotten first.
MAX_REMEMBERED_IDS = 100_000

# Per-request warnings (a sender with the wrong secret retries hundreds of
# times a minute) are logged at most once per kind in this many seconds.
REQUEST_LOG_INTERVAL_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class ReceivedEvent:
    """A verified webhook as the receiver saw it."""

    webhook_id: str
    webhook_timestamp: int
    type: str | None
    data: Any
    payload: Any
    duplicate: bool
    received_at: datetime


@dataclass
class ReceiverStats:
    """Response counters of one receiver, exposed as ``app.state.stats``."""

    verified: int = 0
    duplicates: int = 0
    rejected: int = 0
    failed_on_purpose: int = 0
    delayed_on_purpose: int = 0
    seen_ids: OrderedDict[str, None] = field(default_factory=OrderedDict, repr=False)

    def remember(self, webhook_id: str) -> bool:
        """Record ``webhook_id`` and return True if it was seen before."""
        if webhook_id in self.seen_ids:
            self.seen_ids.move_to_end(webhook_id)
            return True
        self.seen_ids[webhook_id] = None
        if len(self.seen_ids) > MAX_REMEMBERED_IDS:
            self.seen_ids.popitem(last=False)
        return False


def create_receiver_app(
    secret: Secret | str | Iterable[Secret | str],
    *,
    failure_rate: float = 0.0,
    timeout_rate: float = 0.0,
    timeout_seconds: float = 30.0,
    on_event: Callable[[ReceivedEvent], None] | None = None,
    rng: random.Random | None = None,
    clock: Clock | None = None,
    tolerance: float = DEFAULT_TOLERANCE_SECONDS,
) -> Starlette:
    """Build the receiver app; it accepts POST on any path.

    ``clock`` sets the time that ``webhook-timestamp`` is checked against, so
    tests on a FakeClock can use the receiver too.
    """
    secrets = [secret] if isinstance(secret, (Secret, str)) else list(secret)
    for value in secrets:
        decode_secret(value)  # reject an invalid secret at start, not on the first request
    _check_rate("failure_rate", failure_rate)
    _check_rate("timeout_rate", timeout_rate)

    stats = ReceiverStats()
    chooser = rng or random.Random()
    time_source = clock or SystemClock()
    request_log = RateLimitedLog(log, interval=REQUEST_LOG_INTERVAL_SECONDS)

    async def receive(request: Request) -> JSONResponse:
        body = await request.body()
        try:
            webhook_id = verify(secrets, request.headers, body, tolerance=tolerance, now=time_source.now().timestamp())
        except WebhookVerificationError as error:
            stats.rejected += 1
            request_log.warning("rejected_signature", "rejected webhook on %s: %s", request.url.path, error)
            return JSONResponse({"error": str(error)}, status_code=401)

        if chooser.random() < failure_rate:
            stats.failed_on_purpose += 1
            return JSONResponse({"error": "simulated failure"}, status_code=500)
        if chooser.random() < timeout_rate:
            stats.delayed_on_purpose += 1
            if await _sender_left_during(request, timeout_seconds):
                # The sender no longer reads the response, and ending now
                # lets the server stop without waiting for this handler.
                request_log.info("sender_left", "sender of %s closed the connection during the delayed response",
                                 webhook_id)
                return JSONResponse({"error": "sender disconnected"}, status_code=499)

        event = _received_event(webhook_id, request, body, stats, time_source)
        if on_event is not None:
            on_event(event)
        return JSONResponse({"received": webhook_id, "duplicate": event.duplicate})

    app = Starlette(routes=[Route("/{path:path}", receive, methods=["POST"])])
    app.state.stats = stats
    return app


async def _sender_left_during(request: Request, seconds: float) -> bool:
    """Wait ``seconds``; return True early when the sender closes the connection."""
    # The body was read in full, so the next ASGI message is http.disconnect.
    try:
        message = await asyncio.wait_for(request.receive(), seconds)
    except TimeoutError:
        return False
    return message["type"] == "http.disconnect"


def _received_event(webhook_id: str, request: Request, body: bytes, stats: ReceiverStats, clock: Clock) -> ReceivedEvent:
    duplicate = stats.remember(webhook_id)
    stats.verified += 1
    if duplicate:
        stats.duplicates += 1

    payload = _parse_json(body)
    fields = payload if isinstance(payload, dict) else {}
    return ReceivedEvent(
        webhook_id=webhook_id,
        webhook_timestamp=int(request.headers["webhook-timestamp"]),
        type=fields.get("type"),
        data=fields.get("data"),
        payload=payload,
        duplicate=duplicate,
        received_at=clock.now(),
    )


def _parse_json(body: bytes) -> Any:
    # A verified body that is not JSON is still delivered; the printer shows it raw.
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", errors="replace")


def _check_rate(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1, got {value}")
