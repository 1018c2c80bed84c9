"""One webhook attempt against real loopback receivers: statuses, deadlines, body limits."""

import asyncio
import errno
import socket
import tracemalloc
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from standardwebhooks import Webhook

from core.clock import SystemClock
from core.ledger.models import Endpoint, Event
from core.secrets import Secret
from core.webhooks.attempt import MAX_EXCERPT_BYTES, ErrorClass, WebhookSender, classify_error
from core.webhooks.message import build_request, encode_payload
from core.webhooks.signing import generate_secret

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def make_event(event_id: str = "evt_01TEST") -> Event:
    return Event(seq=1, id=event_id, type="record.created", connection_id=3, created_at=NOW, data={"odoo_id": 7})


def make_endpoint(url: str, secret: Secret, previous: Secret | None = None, previous_until: datetime | None = None) -> Endpoint:
    return Endpoint(
        id=1,
        url=url,
        secret=secret,
        previous_secret=previous,
        previous_secret_expires_at=previous_until,
        event_types=["*"],
        connection_id=None,
        description="",
        enabled=True,
        disabled_reason=None,
        max_in_flight=8,
        created_at=NOW,
    )


@pytest.fixture
async def sender():
    async with WebhookSender(SystemClock(), attempt_timeout=1.0, connect_timeout=1.0) as client:
        yield client


@pytest.fixture
def secret(recording_receiver):
    value = generate_secret()
    recording_receiver.secrets = [value.reveal()]
    return value


def request_for(receiver, path: str, secret: Secret, event_id: str = "evt_01TEST"):
    return build_request(make_event(event_id), make_endpoint(receiver.url + path, secret), datetime.now(UTC))


async def test_success_sends_signed_standard_headers(sender, recording_receiver, secret):
    result = await sender.send(request_for(recording_receiver, "/ok", secret))

    assert result.succeeded
    assert result.status_code == 200
    assert result.record.response_excerpt == "ok"
    received = recording_receiver.requests[0]
    assert received.headers["webhook-id"] == "evt_01TEST"
    assert received.headers["content-type"] == "application/json"
    assert received.headers["user-agent"].startswith("odoo-relay/")
    assert int(received.headers["webhook-timestamp"]) == result.record.webhook_timestamp
    assert received.signature_valid
    assert Webhook(secret.reveal()).verify(received.body, received.headers)["id"] == "evt_01TEST"


async def test_payload_fields(sender, recording_receiver, secret):
    await sender.send(request_for(recording_receiver, "/ok", secret))

    payload = Webhook(secret.reveal()).verify(recording_receiver.requests[0].body, recording_receiver.requests[0].headers)

    assert payload == {
        "id": "evt_01TEST",
        "type": "record.created",
        "timestamp": "2026-03-01T09:30:00Z",
        "connection_id": 3,
        "data": {"odoo_id": 7},
    }


async def test_previous_secret_signs_during_grace(sender, recording_receiver):
    old, new = generate_secret(), generate_secret()
    recording_receiver.secrets = [old.reveal()]
    now = datetime.now(UTC)
    endpoint = make_endpoint(recording_receiver.url + "/ok", new, previous=old, previous_until=now + timedelta(hours=24))

    await sender.send(build_request(make_event(), endpoint, now))

    received = recording_receiver.requests[0]
    assert len(received.headers["webhook-signature"].split(" ")) == 2
    assert received.signature_valid
    Webhook(old.reveal()).verify(received.body, received.headers)
    Webhook(new.reveal()).verify(received.body, received.headers)


def test_previous_secret_dropped_after_grace():
    old, new = generate_secret(), generate_secret()
    endpoint = make_endpoint("http://127.0.0.1:9/ok", new, previous=old, previous_until=NOW)

    request = build_request(make_event(), endpoint, NOW + timedelta(seconds=1))

    assert len(request.headers["webhook-signature"].split(" ")) == 1


def test_payload_identical_across_attempts():
    secret = generate_secret()
    endpoint = make_endpoint("http://127.0.0.1:9/ok", secret)

    first = build_request(make_event(), endpoint, NOW)
    later = build_request(make_event(), endpoint, NOW + timedelta(minutes=5))

    assert first.body == later.body == encode_payload(make_event())
    assert first.headers["webhook-id"] == later.headers["webhook-id"]
    assert first.headers["webhook-timestamp"] != later.headers["webhook-timestamp"]


async def test_redirect_not_followed(sender, recording_receiver, secret):
    path = "/status/301?location=" + recording_receiver.url + "/ok"
    result = await sender.send(request_for(recording_receiver, path, secret))

    assert not result.succeeded
    assert result.status_code == 301
    assert result.record.error_class == ErrorClass.REDIRECT
    assert result.location == recording_receiver.url + "/ok"
    assert "not followed" in result.record.error_message
    assert recording_receiver.for_path("/ok") == []


@pytest.mark.parametrize("status", [400, 410, 500])
async def test_error_status_is_http_error(sender, recording_receiver, secret, status):
    result = await sender.send(request_for(recording_receiver, f"/status/{status}", secret))

    assert not result.succeeded
    assert result.status_code == status
    assert result.record.error_class == ErrorClass.HTTP_ERROR


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_reported(sender, recording_receiver, secret, status):
    result = await sender.send(request_for(recording_receiver, f"/status/{status}?retry_after=120", secret))

    assert result.retry_after == "120"
    assert result.record.error_class == ErrorClass.HTTP_ERROR


async def test_retry_after_ignored_on_500(sender, recording_receiver, secret):
    result = await sender.send(request_for(recording_receiver, "/status/500?retry_after=120", secret))

    assert result.retry_after is None


async def test_sleeping_receiver_times_out(sender, recording_receiver, secret):
    result = await sender.send(request_for(recording_receiver, "/sleep/120", secret))

    assert result.record.error_class == ErrorClass.TIMEOUT
    assert result.record.error_message == "timed out after 1 s"
    assert result.status_code is None


async def test_trickling_receiver_times_out(sender, recording_receiver, secret):
    result = await sender.send(request_for(recording_receiver, "/trickle", secret))

    # The response headers arrive at once, so only the total deadline can end it.
    assert result.record.error_class == ErrorClass.TIMEOUT
    assert result.record.error_message == "timed out after 1 s"


async def test_slow_receivers_do_not_block_healthy(recording_receiver, secret):
    sender = WebhookSender(SystemClock(), attempt_timeout=3.0)
    slow = [
        asyncio.create_task(sender.send(request_for(recording_receiver, "/sleep/120", secret, "evt_slow"))),
        asyncio.create_task(sender.send(request_for(recording_receiver, "/trickle", secret, "evt_trickle"))),
    ]
    while len(recording_receiver.requests) < 2:
        await asyncio.sleep(0.01)

    healthy = await sender.send(request_for(recording_receiver, "/ok", secret, "evt_ok"))

    assert healthy.succeeded
    assert not any(task.done() for task in slow)
    results = await asyncio.gather(*slow)
    await sender.aclose()
    assert [result.record.error_class for result in results] == [ErrorClass.TIMEOUT, ErrorClass.TIMEOUT]


async def test_huge_response_read_only_4kb(recording_receiver, secret):
    tracemalloc.start()
    try:
        async with WebhookSender(SystemClock(), attempt_timeout=10.0) as client:
            result = await client.send(request_for(recording_receiver, "/big", secret))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert result.succeeded
    assert len(result.record.response_excerpt) == MAX_EXCERPT_BYTES
    # A fully read body is 16,384 chunks of 64 KB. How many chunks the
    # server's generator yields before it notices the close depends on
    # socket and server buffers (up to about 2,100 seen under load), so
    # the check is that the client stopped far short of the whole body.
    assert recording_receiver.big_chunks_sent < 8192
    assert peak < 20 * 1024 * 1024, f"peak traced memory {peak / 1e6:.1f} MB"


async def test_refused_connection(sender, secret):
    with socket.socket() as unused:
        # Bound but not listening: connections to it are refused, and no
        # other test can take the port meanwhile.
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
        endpoint = make_endpoint(f"http://127.0.0.1:{port}/hook", secret)

        result = await sender.send(build_request(make_event(), endpoint, datetime.now(UTC)))

    assert result.record.error_class == ErrorClass.CONNECTION_REFUSED
    assert f"127.0.0.1:{port}" in result.record.error_message


async def test_invalid_url(sender, secret):
    endpoint = make_endpoint("ftp://127.0.0.1/hook", secret)

    result = await sender.send(build_request(make_event(), endpoint, datetime.now(UTC)))

    assert result.record.error_class == ErrorClass.INVALID_URL


def test_classify_dns_failure():
    # Resolving a real name would send DNS traffic off this machine, so the
    # exception that aiohttp raises is built here instead.
    key = aiohttp.client_reqrep.ConnectionKey("no-such-host.invalid", 80, False, True, None, None, None)
    error = aiohttp.ClientConnectorDNSError(key, OSError(errno.ENOENT, "Name or service not known"))

    assert classify_error(error, 15, 5)[0] == ErrorClass.DNS_FAILURE
