"""Send one signed test event to a webhook endpoint and return the receiver's response."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from core.clock import Clock
from core.ids import new_event_id
from core.ledger.models import Endpoint, Event
from core.secrets import Secret
from core.webhooks.attempt import WebhookSender
from core.webhooks.message import build_request

log = logging.getLogger(__name__)

TEST_EVENT_TYPE = "endpoint.test"
EXCERPT_CHARS = 200


@dataclass(frozen=True, slots=True)
class TestEventResult:
    """The receiver's response (status and body excerpt), or the error that stopped the attempt."""

    __test__ = False  # not a pytest test class, despite the name

    event_id: str
    ok: bool
    status_code: int | None
    excerpt: str | None
    error: str | None

    def summary(self) -> str:
        """Return one line such as ``HTTP 204`` or ``failed: connection refused ...``."""
        if self.status_code is not None:
            body = f": {self.excerpt}" if self.excerpt else ""
            return f"HTTP {self.status_code}{body}"
        return f"failed: {self.error}"


async def send_test_event(url: str, secret: Secret, clock: Clock, connection_id: int | None = None) -> TestEventResult:
    """POST a signed ``endpoint.test`` event to ``url`` once, without a retry.

    The event is not written to the ledger: the endpoint may not exist yet,
    and a test message must not reach other endpoints.
    """
    now = clock.now()
    event = Event(seq=0, id=new_event_id(), type=TEST_EVENT_TYPE, connection_id=connection_id, created_at=now,
                  data={"message": "test event from odoo-relay"})
    request = build_request(event, _unsaved_endpoint(url, secret, now), now)
    async with WebhookSender(clock, attempt_timeout=10.0) as sender:
        result = await sender.send(request)

    record = result.record
    log.info("test event %s to %s: status %s, error %s", event.id, url, record.status_code, record.error_class)
    return TestEventResult(
        event_id=event.id,
        ok=result.succeeded,
        status_code=record.status_code,
        excerpt=_shorten(record.response_excerpt),
        error=record.error_message,
    )


def _unsaved_endpoint(url: str, secret: Secret, now) -> Endpoint:
    # build_request signs for an Endpoint row; id 0 marks one not in the ledger.
    return Endpoint(id=0, url=url, secret=secret, previous_secret=None, previous_secret_expires_at=None,
                    event_types=["*"], connection_id=None, description="", enabled=True, disabled_reason=None,
                    max_in_flight=1, created_at=now)


def _shorten(text: str | None) -> str | None:
    if not text:
        return None
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"
