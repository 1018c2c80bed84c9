"""Operator retries: which deliveries may be requeued and what a retry resets."""

from __future__ import annotations

from datetime import timedelta

from core.ledger import DeliveryState
from tests.ledger.helpers import FAILED, SUCCEEDED, T0, add_endpoint, at, attempt, record_events


def _deliver(ledger, count: int, outcome, when: float = 0):
    claims = ledger.claim_due("w", at(when), limit=count, lease_seconds=30)
    for claim in claims:
        ledger.complete(claim.delivery_id, claim.lease_token, attempt(at(when + 1)), outcome, at(when + 2))
    return [claim.delivery_id for claim in claims]


def test_retry_in_flight_is_rejected(ledger):
    add_endpoint(ledger)
    ledger.append_events(record_events(1), T0)
    [claim] = ledger.claim_due("w", at(0), limit=1, lease_seconds=30)

    result = ledger.retry_delivery(claim.delivery_id, at(10))

    assert (result.retried, result.reason) == (False, "in flight")
    assert ledger.get_delivery(claim.delivery_id).state == DeliveryState.IN_FLIGHT


def test_retry_after_lease_expired_is_allowed(ledger):
    add_endpoint(ledger)
    ledger.append_events(record_events(1), T0)
    [claim] = ledger.claim_due("w", at(0), limit=1, lease_seconds=30)

    assert ledger.retry_delivery(claim.delivery_id, at(31)).retried is True
    assert ledger.complete(claim.delivery_id, claim.lease_token, attempt(at(1)), SUCCEEDED, at(32)) is False


def test_retry_succeeded_needs_force(ledger):
    add_endpoint(ledger)
    ledger.append_events(record_events(1), T0)
    [delivery_id] = _deliver(ledger, 1, SUCCEEDED)

    refused = ledger.retry_delivery(delivery_id, at(100))
    assert (refused.retried, refused.reason) == (False, "already succeeded; use force")
    assert ledger.get_delivery(delivery_id).state == DeliveryState.SUCCEEDED

    forced = ledger.retry_delivery(delivery_id, at(100), force=True)
    assert (forced.retried, forced.reason) == (True, None)
    assert ledger.get_delivery(delivery_id).state == DeliveryState.PENDING


def test_retry_failed_starts_fresh_window(ledger):
    add_endpoint(ledger)
    [event] = ledger.append_events(record_events(1), T0)
    [delivery_id] = _deliver(ledger, 1, FAILED)
    later = at(0) + timedelta(hours=30)

    assert ledger.retry_delivery(delivery_id, later).retried is True

    delivery = ledger.get_delivery(delivery_id)
    assert delivery.state == DeliveryState.PENDING
    assert delivery.next_attempt_at == later
    assert delivery.first_attempt_at is None
    assert delivery.deadline_at is None
    assert delivery.event_id == event.id
    [claim] = ledger.claim_due("w", later, limit=1, lease_seconds=30)
    assert claim.event.id == event.id
    assert claim.attempt_number == 2
    ledger.complete(claim.delivery_id, claim.lease_token, attempt(later), FAILED, later)
    assert ledger.get_delivery(delivery_id).deadline_at == later + timedelta(hours=24)


def test_retry_unknown_delivery(ledger):
    result = ledger.retry_delivery(999, at(0))
    assert (result.retried, result.reason) == (False, "not found")


def test_retry_after_endpoint_removed_is_rejected(ledger):
    endpoint = add_endpoint(ledger)
    ledger.append_events(record_events(1), T0)
    ledger.remove_endpoint(endpoint.id, at(1))
    [delivery] = ledger.list_deliveries().items

    assert delivery.state == DeliveryState.FAILED
    assert delivery.last_error == "endpoint removed"
    assert ledger.retry_delivery(delivery.id, at(2)).reason == "endpoint removed"
    assert ledger.retry_failed(at(2)) == 0


def test_retry_failed_filters(ledger):
    first = add_endpoint(ledger)
    second = add_endpoint(ledger)
    ledger.append_events(record_events(2), T0)
    claims = ledger.claim_due("w", at(0), limit=10, lease_seconds=30)
    for index, claim in enumerate(claims):
        ledger.complete(claim.delivery_id, claim.lease_token, attempt(at(1)), FAILED, at(10 * index))

    assert ledger.retry_failed(at(100), endpoint_id=first.id) == 2
    assert ledger.retry_failed(at(100), endpoint_id=first.id) == 0
    assert ledger.retry_failed(at(100), since=at(35)) == 0
    second_claims = [c for c in claims if c.endpoint.id == second.id]
    latest = max(second_claims, key=lambda c: claims.index(c))
    assert ledger.retry_failed(at(100), since=at(10 * claims.index(latest))) == 1
    assert ledger.retry_failed(at(100), ids=[c.delivery_id for c in second_claims]) == 1
    assert ledger.totals().deliveries_by_state[DeliveryState.PENDING] == 4
