"""The dispatcher on a real ledger file, sending to real loopback receivers."""

import asyncio
import logging
import random
import socket
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook

from core.clock import FakeClock, SystemClock
from core.ledger.models import DeliveryFilter, DeliveryState, NewEndpoint, NewEvent
from core.webhooks.dispatcher import Dispatcher
from core.webhooks.rotation import rotate_secret
from core.webhooks.signing import generate_secret

T0 = datetime(2026, 1, 1, 12, tzinfo=UTC)
# Offsets from the first attempt, in seconds, of an endpoint that refuses
# every connection: 30 s, 1 min, 2 min, ... until the interval would pass 24 hours,
# then one last attempt at the end of the window.
EXPECTED_OFFSETS = [0, 30, 90, 210, 450, 930, 1890, 3810, 7650, 15330, 30690, 61410, 86400]


def add_endpoint(ledger, receiver, path: str, clock, max_in_flight: int = 8):
    secret = generate_secret()
    receiver.secrets.append(secret.reveal())
    endpoint = ledger.add_endpoint(NewEndpoint(receiver.url + path, secret, max_in_flight=max_in_flight), clock.now())
    return endpoint, secret


def add_events(ledger, clock, count: int = 1, event_type: str = "record.created") -> list:
    return ledger.append_events([NewEvent(event_type, None, {"n": n}) for n in range(count)], clock.now())


def deliveries(ledger, endpoint_id: int | None = None) -> list:
    return ledger.list_deliveries(DeliveryFilter(endpoint_id=endpoint_id), limit=1000).items


@pytest.fixture
def clock():
    return FakeClock(T0)


@pytest.fixture
async def dispatcher(ledger, clock):
    instance = Dispatcher(ledger, clock, "test-dispatcher", lease_seconds=5, attempt_timeout=1.0, jitter=0.0, rng=random.Random(3))
    yield instance
    await instance.aclose()


def refusing_port() -> socket.socket:
    """A bound socket that never listens: connections to its port are refused."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


async def test_delivers_signed_payload(ledger, clock, dispatcher, recording_receiver):
    endpoint, secret = add_endpoint(ledger, recording_receiver, "/ok", clock)
    events = add_events(ledger, clock, 3)

    sent = await dispatcher.dispatch_due()

    assert sent == 3
    assert sorted(recording_receiver.ids()) == sorted(event.id for event in events)
    assert all(request.signature_valid for request in recording_receiver.requests)
    for request in recording_receiver.requests:
        payload = Webhook(secret.reveal()).sign(request.webhook_id, datetime.fromtimestamp(int(request.headers["webhook-timestamp"]), UTC), request.body)
        assert payload in request.headers["webhook-signature"].split(" ")
    assert {delivery.state for delivery in deliveries(ledger)} == {DeliveryState.SUCCEEDED}
    attempt = ledger.list_attempts(deliveries(ledger)[0].id)[0]
    assert attempt.status_code == 200
    assert attempt.request_headers["webhook-id"] == deliveries(ledger)[0].event_id


async def test_endpoint_down_25_hours_fails_on_schedule(ledger, clock, dispatcher, recording_receiver):
    with refusing_port() as sock:
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
        ledger.add_endpoint(NewEndpoint(url, generate_secret()), clock.now())
        add_events(ledger, clock, 1)

        attempt_times = []
        while (due := ledger.next_due_at()) is not None and due <= T0 + timedelta(hours=25):
            clock.set(max(due, clock.now()))
            attempt_times.append(clock.now())
            assert await dispatcher.dispatch_due() == 1

    delivery = deliveries(ledger)[0]
    offsets = [(moment - T0).total_seconds() for moment in attempt_times]
    assert offsets == EXPECTED_OFFSETS
    assert delivery.state == DeliveryState.FAILED
    assert delivery.attempts == len(EXPECTED_OFFSETS)
    assert delivery.deadline_at == T0 + timedelta(hours=24)
    attempts = ledger.list_attempts(delivery.id)
    assert [attempt.number for attempt in attempts] == list(range(1, 14))
    assert {attempt.error_class for attempt in attempts} == {"connection_refused"}
    assert [attempt.started_at for attempt in attempts] == attempt_times


async def test_redirect_not_followed(ledger, clock, dispatcher, recording_receiver):
    target = recording_receiver.url + "/ok"
    add_endpoint(ledger, recording_receiver, f"/status/301?location={target}", clock)
    add_events(ledger, clock, 1)

    await dispatcher.dispatch_due()

    delivery = deliveries(ledger)[0]
    assert delivery.state == DeliveryState.PENDING
    assert delivery.last_status_code == 301
    assert delivery.last_error_class == "redirect"
    assert target in delivery.last_error
    assert delivery.next_attempt_at == T0 + timedelta(seconds=30)
    assert recording_receiver.for_path("/ok") == []


async def test_gone_disables_endpoint(ledger, clock, dispatcher, recording_receiver):
    endpoint, _ = add_endpoint(ledger, recording_receiver, "/status/410", clock)
    add_events(ledger, clock, 1)

    await dispatcher.dispatch_due()

    assert ledger.get_endpoint(endpoint.id).enabled is False
    assert deliveries(ledger, endpoint.id)[0].state == DeliveryState.FAILED
    disabled = [event for event in ledger.list_events(None, 0, 100).items if event.type == "endpoint.disabled"]
    assert len(disabled) == 1
    assert disabled[0].data["endpoint_id"] == endpoint.id
    assert "410" in disabled[0].data["reason"]


async def test_rate_limited_retry_after_defers(ledger, clock, dispatcher, recording_receiver):
    add_endpoint(ledger, recording_receiver, "/status/429?retry_after=600", clock)
    add_events(ledger, clock, 1)

    await dispatcher.dispatch_due()
    clock.set(T0 + timedelta(seconds=599))
    retried_early = await dispatcher.dispatch_due()

    delivery = deliveries(ledger)[0]
    assert delivery.state == DeliveryState.PENDING
    assert delivery.last_status_code == 429
    assert delivery.next_attempt_at == T0 + timedelta(seconds=600)
    assert retried_early == 0


async def test_endpoint_concurrency_capped(ledger, clock, dispatcher, recording_receiver):
    endpoint, _ = add_endpoint(ledger, recording_receiver, "/sleep/0.2", clock, max_in_flight=2)
    add_events(ledger, clock, 6)

    first_round = await dispatcher.dispatch_due()
    while await dispatcher.dispatch_due():
        pass

    assert first_round == 2
    assert recording_receiver.max_in_flight_per_path["/sleep/0.2"] == 2
    assert {delivery.state for delivery in deliveries(ledger)} == {DeliveryState.SUCCEEDED}


async def test_slow_endpoints_do_not_delay_healthy(ledger, recording_receiver):
    clock = SystemClock()
    add_endpoint(ledger, recording_receiver, "/sleep/120", clock)
    add_endpoint(ledger, recording_receiver, "/trickle", clock)
    healthy, _ = add_endpoint(ledger, recording_receiver, "/ok", clock)
    add_events(ledger, clock, 4)
    dispatcher = Dispatcher(ledger, clock, "run-loop", lease_seconds=4, attempt_timeout=3.0)
    stop = asyncio.Event()

    runner = asyncio.create_task(dispatcher.run(stop))
    while {delivery.state for delivery in deliveries(ledger, healthy.id)} != {DeliveryState.SUCCEEDED}:
        await asyncio.sleep(0.01)
    slow_while_healthy_done = [delivery.state for delivery in deliveries(ledger) if delivery.endpoint_id != healthy.id]
    while dispatcher.attempts_sent < 12:
        await asyncio.sleep(0.05)
    stop.set()
    await runner

    # Every healthy delivery was recorded while all slow ones were still
    # waiting for their 3 s deadline.
    assert slow_while_healthy_done == [DeliveryState.IN_FLIGHT] * 8
    slow = [delivery for delivery in deliveries(ledger) if delivery.endpoint_id != healthy.id]
    assert len(slow) == 8
    assert {delivery.last_error_class for delivery in slow} == {"timeout"}
    assert {delivery.state for delivery in slow} == {DeliveryState.PENDING}


async def test_run_wakes_for_new_events_and_releases_leases(ledger, recording_receiver):
    clock = SystemClock()
    add_endpoint(ledger, recording_receiver, "/sleep/5", clock)
    dispatcher = Dispatcher(ledger, clock, "releaser", lease_seconds=3, attempt_timeout=1.0)
    stop = asyncio.Event()
    runner = asyncio.create_task(dispatcher.run(stop))
    await asyncio.sleep(0.1)

    add_events(ledger, clock, 2)
    dispatcher.wake()
    while len(recording_receiver.requests) < 2:
        await asyncio.sleep(0.01)
    in_flight = [delivery.state for delivery in deliveries(ledger)]
    stop.set()
    await runner

    assert in_flight == [DeliveryState.IN_FLIGHT, DeliveryState.IN_FLIGHT]
    assert {delivery.state for delivery in deliveries(ledger)} == {DeliveryState.PENDING}
    assert ledger.claim_due("another", clock.now() + timedelta(minutes=1), limit=10) != []


async def test_stale_lease_logged_not_raised(ledger, clock, dispatcher, recording_receiver, caplog):
    add_endpoint(ledger, recording_receiver, "/sleep/0.3", clock)
    add_events(ledger, clock, 1)
    caplog.set_level(logging.INFO, logger="core.webhooks.dispatcher")

    sending = asyncio.create_task(dispatcher.dispatch_due())
    while not recording_receiver.requests:
        await asyncio.sleep(0.01)
    ledger.release_leases("test-dispatcher")
    newer = ledger.claim_due("newer-dispatcher", clock.now(), limit=10)
    await sending

    assert len(newer) == 1
    assert "lease on delivery" in caplog.text
    assert "was lost" in caplog.text
    assert deliveries(ledger)[0].state == DeliveryState.IN_FLIGHT
    assert ledger.list_attempts(newer[0].delivery_id) == []


async def test_rotation_signs_with_both_secrets(ledger, clock, dispatcher, recording_receiver):
    endpoint, old_secret = add_endpoint(ledger, recording_receiver, "/ok", clock)
    _, new_secret = rotate_secret(ledger, endpoint.id, clock)
    recording_receiver.secrets = [new_secret.reveal()]
    add_events(ledger, clock, 1)

    await dispatcher.dispatch_due()
    clock.set(T0 + timedelta(hours=24, seconds=1))
    add_events(ledger, clock, 1)
    await dispatcher.dispatch_due()

    during, after = recording_receiver.requests
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert during.signature_valid
    recording_receiver.secrets = [old_secret.reveal()]
    assert recording_receiver.check_signature(during.headers, during.body)
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    assert not recording_receiver.check_signature(after.headers, after.body)


async def fail_once(ledger, clock, dispatcher, receiver, path: str = "/status/500", count: int = 1):
    """Queue ``count`` deliveries to ``path`` and run them until the 24-hour window ends them."""
    endpoint, secret = add_endpoint(ledger, receiver, path, clock)
    add_events(ledger, clock, count)
    while (due := ledger.next_due_at()) is not None:
        clock.set(max(due, clock.now()))
        await dispatcher.dispatch_due()
    return endpoint, secret


async def test_manual_retry_keeps_webhook_id_and_resigns(ledger, clock, dispatcher, recording_receiver):
    endpoint, _ = await fail_once(ledger, clock, dispatcher, recording_receiver)
    failed = deliveries(ledger)[0]
    _, new_secret = rotate_secret(ledger, endpoint.id, clock, grace=timedelta(0))
    recording_receiver.secrets = [new_secret.reveal()]
    clock.set(clock.now() + timedelta(hours=1))

    retry = ledger.retry_delivery(failed.id, clock.now())
    await dispatcher.dispatch_due()

    assert failed.state == DeliveryState.FAILED
    assert retry.retried
    last = recording_receiver.requests[-1]
    assert last.webhook_id == failed.event_id
    assert last.signature_valid
    assert len(last.headers["webhook-signature"].split(" ")) == 1
    retried = ledger.get_delivery(failed.id)
    assert retried.first_attempt_at == clock.now()
    assert retried.deadline_at == clock.now() + timedelta(hours=24)
    assert retried.next_attempt_at == clock.now() + timedelta(seconds=30)


async def test_manual_retry_refusals(ledger, clock, dispatcher, recording_receiver):
    add_endpoint(ledger, recording_receiver, "/ok", clock)
    add_endpoint(ledger, recording_receiver, "/sleep/0.3", clock)
    add_events(ledger, clock, 1)
    succeeded_round = asyncio.create_task(dispatcher.dispatch_due())
    while len(recording_receiver.requests) < 2:
        await asyncio.sleep(0.01)
    by_path = {delivery.endpoint_url.rsplit("/", 1)[-1]: delivery for delivery in deliveries(ledger)}

    refused_in_flight = ledger.retry_delivery(by_path["0.3"].id, clock.now())
    await succeeded_round
    refused_succeeded = ledger.retry_delivery(by_path["ok"].id, clock.now())
    forced = ledger.retry_delivery(by_path["ok"].id, clock.now(), force=True)
    await dispatcher.dispatch_due()

    assert (refused_in_flight.retried, refused_in_flight.reason) == (False, "in flight")
    assert refused_succeeded.retried is False
    assert "force" in refused_succeeded.reason
    assert forced.retried
    ids_to_ok = recording_receiver.ids("/ok")
    assert len(ids_to_ok) == 2
    assert ids_to_ok[0] == ids_to_ok[1]


async def test_retry_failed_per_endpoint(ledger, clock, dispatcher, recording_receiver):
    first, _ = await fail_once(ledger, clock, dispatcher, recording_receiver, "/status/500", count=2)
    second, _ = add_endpoint(ledger, recording_receiver, "/status/502", clock)
    add_events(ledger, clock, 1)
    while (due := ledger.next_due_at()) is not None:
        clock.set(max(due, clock.now()))
        await dispatcher.dispatch_due()
    before = len(recording_receiver.requests)

    count = ledger.retry_failed(clock.now(), endpoint_id=first.id)
    await dispatcher.dispatch_due()

    assert count == 3  # the second event also fanned out to the first endpoint
    new_paths = [request.path for request in recording_receiver.requests[before:]]
    assert new_paths == ["/status/500"] * 3
    assert {delivery.state for delivery in deliveries(ledger, second.id)} == {DeliveryState.FAILED}


async def test_retry_failed_since_time(ledger, clock, dispatcher, recording_receiver):
    await fail_once(ledger, clock, dispatcher, recording_receiver, "/status/500")
    old_failure = deliveries(ledger)[0]
    clock.set(clock.now() + timedelta(days=2))
    cutoff = clock.now()
    await fail_once(ledger, clock, dispatcher, recording_receiver, "/status/503")
    recent = [delivery for delivery in deliveries(ledger) if delivery.updated_at >= cutoff]

    count = ledger.retry_failed(clock.now(), since=cutoff)
    await dispatcher.dispatch_due()

    assert count == len(recent) == 2
    assert old_failure.id not in {delivery.id for delivery in recent}
    assert ledger.get_delivery(old_failure.id).state == DeliveryState.FAILED
    assert {ledger.get_delivery(delivery.id).attempts for delivery in recent} == {14}


def test_lease_must_outlive_attempt(ledger, clock):
    with pytest.raises(ValueError, match="lease_seconds=10 must be at least attempt_timeout=15"):
        Dispatcher(ledger, clock, "bad", lease_seconds=10, attempt_timeout=15)


async def test_locked_ledger_keeps_attempt_for_later(ledger, ledger_path, recording_receiver, caplog):
    clock = SystemClock()
    add_endpoint(ledger, recording_receiver, "/sleep/0.3", clock)
    add_events(ledger, clock, 1)
    # The ledger waits 5 s for a lock by default; 50 ms keeps the test short.
    # There is no public setting for it, so the connection is reached directly.
    ledger._db.conn.execute("PRAGMA busy_timeout = 50")
    caplog.set_level(logging.WARNING, logger="core.webhooks.dispatcher")
    dispatcher = Dispatcher(ledger, clock, "locked-out", lease_seconds=5, attempt_timeout=2.0)
    stop = asyncio.Event()
    runner = asyncio.create_task(dispatcher.run(stop))
    while not recording_receiver.requests:
        await asyncio.sleep(0.01)

    other = sqlite3.connect(ledger_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    while "could not record 1 attempts" not in caplog.text:
        await asyncio.sleep(0.05)
    other.execute("ROLLBACK")
    other.close()
    while deliveries(ledger)[0].state != DeliveryState.SUCCEEDED:
        await asyncio.sleep(0.05)
    stop.set()
    await runner

    delivery = deliveries(ledger)[0]
    assert delivery.attempts == 1
    assert len(ledger.list_attempts(delivery.id)) == 1
    assert len(recording_receiver.requests) == 1


async def test_locked_ledger_claim_retried(ledger, ledger_path, recording_receiver, caplog):
    clock = SystemClock()
    add_endpoint(ledger, recording_receiver, "/ok", clock)
    add_events(ledger, clock, 1)
    ledger._db.conn.execute("PRAGMA busy_timeout = 50")  # see the test above
    caplog.set_level(logging.WARNING, logger="core.webhooks.dispatcher")
    other = sqlite3.connect(ledger_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    dispatcher = Dispatcher(ledger, clock, "claims-locked-out", lease_seconds=5, attempt_timeout=2.0)
    stop = asyncio.Event()

    runner = asyncio.create_task(dispatcher.run(stop))
    while "could not claim deliveries" not in caplog.text:
        await asyncio.sleep(0.05)
    other.execute("ROLLBACK")
    other.close()
    while deliveries(ledger)[0].state != DeliveryState.SUCCEEDED:
        await asyncio.sleep(0.05)
    stop.set()
    await runner

    assert len(recording_receiver.requests) == 1


async def test_attempt_skipped_when_lease_too_short(ledger, recording_receiver, caplog):
    clock = SystemClock()
    add_endpoint(ledger, recording_receiver, "/sleep/0.8", clock)
    add_events(ledger, clock, 2)
    caplog.set_level(logging.INFO, logger="core.webhooks.dispatcher")
    # One worker and one delivery claimed ahead: the second waits 0.8 s
    # for the worker, which leaves less than attempt_timeout on its lease.
    dispatcher = Dispatcher(ledger, clock, "one-slot", lease_seconds=1.5, attempt_timeout=1.0, max_concurrency=1, batch_size=1)
    stop = asyncio.Event()

    runner = asyncio.create_task(dispatcher.run(stop))
    while {delivery.state for delivery in deliveries(ledger)} != {DeliveryState.SUCCEEDED}:
        await asyncio.sleep(0.05)
    stop.set()
    await runner

    assert "waited too long for a worker" in caplog.text
    assert sorted(recording_receiver.ids()) == sorted(delivery.event_id for delivery in deliveries(ledger))
    assert [delivery.attempts for delivery in deliveries(ledger)] == [1, 1]
