"""Recording attempts: delivery state, the retry window, endpoint disabling."""

from __future__ import annotations

from datetime import timedelta

from core.ledger import CompletedAttempt, DeliveryOutcome, DeliveryState
from tests.ledger.helpers import FAILED, SUCCEEDED, T0, add_endpoint, at, attempt, record_events, retry_at


def test_complete_records_attempt_and_window(ledger):
    add_endpoint(ledger)
    ledger.append_events(record_events(1), T0)
    [claim] = ledger.claim_due("w", at(0), limit=1, lease_seconds=30)

    assert ledger.complete(claim.delivery_id, claim.lease_token, attempt(at(1), 503, "http_error"), retry_at(at(31)), at(2))

    delivery = ledger.get_delivery(claim.delivery_id)
    assert delivery.state == DeliveryState.PENDING
    assert delivery.attempts == 1
    assert delivery.first_attempt_at == at(1)
    assert delivery.deadline_at == at(1) + timedelta(hours=24)
    assert delivery.next_attempt_at == at(31)
    assert delivery.last_status_code == 503
    assert delivery.last_error_class == "http_error"
    assert delivery.last_error == "http_error while sending"
    [recorded] = ledger.list_attempts(claim.delivery_id)
    assert recorded.number == 1
    assert recorded.started_at == at(1)
    assert recorded.request_headers == {"webhook-id": "evt_test"}


def test_second_attempt_keeps_window_start(ledger):
    add_endpoint(ledger)
    ledger.append_events(record_events(1), T0)
    [first] = ledger.claim_due("w", at(0), limit=1, lease_seconds=30)
    ledger.complete(first.delivery_id, first.lease_token, attempt(at(1), 500), retry_at(at(30)), at(2))
    [second] = ledger.claim_due("w", at(30), limit=1, lease_seconds=30)

    ledger.complete(second.delivery_id, second.lease_token, attempt(at(31)), SUCCEEDED, at(32))

    delivery = ledger.get_delivery(first.delivery_id)
    assert delivery.state == DeliveryState.SUCCEEDED
    assert delivery.attempts == 2
    assert delivery.first_attempt_at == at(1)
    assert delivery.deadline_at == at(1) + timedelta(hours=24)
    assert delivery.succeeded_at == at(32)
    assert delivery.next_attempt_at is None
    assert [a.number for a in ledger.list_attempts(first.delivery_id)] == [1, 2]
    assert [a.number for a in ledger.list_attempts(first.delivery_id, after_number=1)] == [2]


def test_gone_disables_endpoint_with_event(ledger):
    gone = add_endpoint(ledger, event_types=["record.*"])
    watcher = add_endpoint(ledger, event_types=["endpoint.disabled"])
    ledger.append_events(record_events(2), T0)
    claims = [c for c in ledger.claim_due("w", at(0), limit=10, lease_seconds=30) if c.endpoint.id == gone.id]
    outcome = DeliveryOutcome(DeliveryState.FAILED, disable_endpoint_reason="410 Gone")

    assert ledger.complete(claims[0].delivery_id, claims[0].lease_token, attempt(at(1), 410), outcome, at(2))
    # The second in-flight attempt also gets 410, after the endpoint is off.
    assert ledger.complete(claims[1].delivery_id, claims[1].lease_token, attempt(at(1), 410), outcome, at(3))

    endpoint = ledger.get_endpoint(gone.id)
    assert endpoint.enabled is False
    assert endpoint.disabled_reason == "410 Gone"
    events = [e for e in ledger.list_events().items if e.type == "endpoint.disabled"]
    assert len(events) == 1
    assert events[0].data == {"endpoint_id": gone.id, "url": gone.url, "reason": "410 Gone"}
    [notice] = ledger.claim_due("w", at(4), limit=10, lease_seconds=30)
    assert notice.endpoint.id == watcher.id
    assert notice.event.id == events[0].id


def test_complete_many_one_result_per_item(ledger):
    add_endpoint(ledger)
    ledger.append_events(record_events(3), T0)
    claims = ledger.claim_due("w", at(0), limit=10, lease_seconds=30)
    items = [CompletedAttempt(c.delivery_id, c.lease_token, attempt(at(1)), SUCCEEDED) for c in claims]
    items[1] = (claims[1].delivery_id, "not-the-token", attempt(at(1)), FAILED)

    assert ledger.complete_many(items) == [True, False, True]

    states = [ledger.get_delivery(c.delivery_id).state for c in claims]
    assert states == [DeliveryState.SUCCEEDED, DeliveryState.IN_FLIGHT, DeliveryState.SUCCEEDED]
    # Without `at`, the completion time is the attempt's end.
    assert ledger.get_delivery(claims[0].delivery_id).succeeded_at == at(1) + timedelta(milliseconds=12.5)


def test_failed_outcome_clears_next_attempt(ledger):
    add_endpoint(ledger)
    ledger.append_events(record_events(1), T0)
    [claim] = ledger.claim_due("w", at(0), limit=1, lease_seconds=30)

    ledger.complete(claim.delivery_id, claim.lease_token, attempt(at(1), 500), FAILED, at(2))

    delivery = ledger.get_delivery(claim.delivery_id)
    assert delivery.state == DeliveryState.FAILED
    assert delivery.next_attempt_at is None
    assert ledger.failing_deliveries_by_connection() == {None: 1}
    assert ledger.next_due_at() is None


def test_complete_many_same_delivery_twice(ledger):
    add_endpoint(ledger)
    ledger.append_events(record_events(1), T0)
    [claim] = ledger.claim_due("w", at(0), limit=1, lease_seconds=30)
    items = [
        (claim.delivery_id, claim.lease_token, attempt(at(1), 500), retry_at(at(60))),
        (claim.delivery_id, claim.lease_token, attempt(at(2)), SUCCEEDED),
    ]

    # The first result releases the lease, so the second is a stale write.
    assert ledger.complete_many(items, at(3)) == [True, False]
    delivery = ledger.get_delivery(claim.delivery_id)
    assert (delivery.state, delivery.attempts) == (DeliveryState.PENDING, 1)


def test_complete_many_across_chunks(ledger):
    add_endpoint(ledger, max_in_flight=2000)
    ledger.append_events(record_events(1200), T0)
    claims = ledger.claim_due("w", at(0), limit=2000, lease_seconds=30)
    items = [CompletedAttempt(c.delivery_id, c.lease_token, attempt(at(1)), SUCCEEDED) for c in claims]

    assert ledger.complete_many(items, at(2)) == [True] * 1200
    assert ledger.totals().deliveries_by_state[DeliveryState.SUCCEEDED] == 1200
    assert {len(ledger.list_attempts(c.delivery_id)) for c in claims[::97]} == {1}


def test_complete_and_claim_one_transaction(ledger):
    add_endpoint(ledger, max_in_flight=100)
    ledger.append_events(record_events(5), T0)
    first = ledger.claim_due("w", at(0), limit=2, lease_seconds=30)
    items = [CompletedAttempt(c.delivery_id, c.lease_token, attempt(at(1)), SUCCEEDED) for c in first]
    items[1] = (first[1].delivery_id, "stale-token", attempt(at(1)), SUCCEEDED)

    stored, claimed = ledger.complete_and_claim(items, "w", at(2), limit=10, lease_seconds=30)

    assert stored == [True, False]
    assert ledger.get_delivery(first[0].delivery_id).state == DeliveryState.SUCCEEDED
    assert ledger.get_delivery(first[1].delivery_id).state == DeliveryState.IN_FLIGHT
    claimed_ids = sorted(c.delivery_id for c in claimed)
    leased_before = {c.delivery_id for c in first}
    assert len(claimed_ids) == 3
    assert leased_before.isdisjoint(claimed_ids)
    assert ledger.totals().deliveries_by_state[DeliveryState.IN_FLIGHT] == 4


def test_complete_and_claim_without_claim(ledger):
    add_endpoint(ledger)
    ledger.append_events(record_events(2), T0)
    [one, two] = ledger.claim_due("w", at(0), limit=2, lease_seconds=30)

    stored, claimed = ledger.complete_and_claim(
        [CompletedAttempt(one.delivery_id, one.lease_token, attempt(at(1)), SUCCEEDED)], "w", at(2), limit=0
    )

    assert stored == [True]
    assert claimed == []
    assert ledger.get_delivery(two.delivery_id).state == DeliveryState.IN_FLIGHT
