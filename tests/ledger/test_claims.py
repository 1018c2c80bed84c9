"""Leased claims: atomic across processes, bounded per endpoint, lost when expired."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from core.ledger import DeliveryState
from tests.ledger.helpers import SUCCEEDED, T0, add_endpoint, at, attempt, record_events, retry_at

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_two_processes_never_claim_the_same_delivery(ledger, ledger_path, tmp_path):
    add_endpoint(ledger, max_in_flight=20_000)
    ledger.append_events(record_events(10_000), T0)
    start_flag = tmp_path / "start"
    outputs = [tmp_path / f"claims-{owner}.txt" for owner in ("a", "b")]

    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.ledger.claim_worker", str(ledger_path), owner, str(output), str(start_flag), str(peer)],
            cwd=REPO_ROOT,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        )
        for owner, output, peer in zip(("a", "b"), outputs, reversed(outputs))
    ]
    deadline = time.monotonic() + 60
    while not all(Path(f"{output}.ready").exists() for output in outputs):
        assert time.monotonic() < deadline, "a claim worker never opened the ledger"
        assert all(worker.poll() is None for worker in workers), "a claim worker exited early"
        time.sleep(0.01)
    start_flag.touch()
    for worker in workers:
        assert worker.wait(timeout=60) == 0

    claims = [int(line) for output in outputs for line in output.read_text().split()]
    per_worker = [len(output.read_text().split()) for output in outputs]
    duplicates = [delivery_id for delivery_id, count in Counter(claims).items() if count > 1]
    assert duplicates == []
    assert len(claims) == 10_000
    assert all(count > 0 for count in per_worker), per_worker  # both really competed
    assert ledger.totals().deliveries_by_state[DeliveryState.IN_FLIGHT] == 10_000


def test_expired_lease_is_reclaimed_and_stale_write_rejected(ledger):
    add_endpoint(ledger)
    ledger.append_events(record_events(1), T0)
    [first] = ledger.claim_due("worker-a", at(0), limit=10, lease_seconds=30)

    assert ledger.claim_due("worker-b", at(29), limit=10, lease_seconds=30) == []
    [second] = ledger.claim_due("worker-b", at(31), limit=10, lease_seconds=30)

    assert second.delivery_id == first.delivery_id
    assert second.lease_token != first.lease_token
    assert ledger.complete(first.delivery_id, first.lease_token, attempt(at(1)), SUCCEEDED, at(40)) is False
    delivery = ledger.get_delivery(first.delivery_id)
    assert delivery.state == DeliveryState.IN_FLIGHT
    assert delivery.attempts == 0
    assert ledger.list_attempts(first.delivery_id) == []

    assert ledger.complete(second.delivery_id, second.lease_token, attempt(at(32)), SUCCEEDED, at(41)) is True
    assert ledger.get_delivery(first.delivery_id).state == DeliveryState.SUCCEEDED


def test_complete_twice_with_same_token_is_rejected(ledger):
    add_endpoint(ledger)
    ledger.append_events(record_events(1), T0)
    [claim] = ledger.claim_due("worker-a", at(0), limit=1, lease_seconds=30)

    assert ledger.complete(claim.delivery_id, claim.lease_token, attempt(at(1)), SUCCEEDED, at(2)) is True
    assert ledger.complete(claim.delivery_id, claim.lease_token, attempt(at(1)), SUCCEEDED, at(3)) is False
    assert len(ledger.list_attempts(claim.delivery_id)) == 1


def test_claim_respects_max_in_flight(ledger):
    narrow = add_endpoint(ledger, max_in_flight=3)
    wide = add_endpoint(ledger, max_in_flight=100)
    ledger.append_events(record_events(10), T0)

    claims = ledger.claim_due("worker-a", at(0), limit=100, lease_seconds=30)
    per_endpoint = Counter(claim.endpoint.id for claim in claims)
    assert per_endpoint == {narrow.id: 3, wide.id: 10}
    assert [c for c in ledger.claim_due("worker-b", at(1), limit=100, lease_seconds=30)] == []

    narrow_claim = next(claim for claim in claims if claim.endpoint.id == narrow.id)
    ledger.complete(narrow_claim.delivery_id, narrow_claim.lease_token, attempt(at(1)), SUCCEEDED, at(2))
    again = ledger.claim_due("worker-b", at(2), limit=100, lease_seconds=30)
    assert [claim.endpoint.id for claim in again] == [narrow.id]


def test_claim_respects_limit_and_due_time(ledger):
    add_endpoint(ledger)
    ledger.append_events(record_events(5), T0)

    assert len(ledger.claim_due("w", at(0), limit=2, lease_seconds=30)) == 2
    assert ledger.claim_due("w", at(-1), limit=10, lease_seconds=30) == []  # not due yet
    assert len(ledger.claim_due("w", at(0), limit=10, lease_seconds=30)) == 3


def test_claim_carries_event_endpoint_and_attempt_number(ledger):
    endpoint = add_endpoint(ledger)
    [event] = ledger.append_events(record_events(1, kind="record.created"), T0)

    [claim] = ledger.claim_due("w", at(0), limit=1, lease_seconds=30)
    assert claim.event == event
    assert claim.endpoint.id == endpoint.id
    assert claim.endpoint.secret.reveal() == "whsec_dGVzdA=="
    assert claim.attempt_number == 1
    assert claim.first_attempt_at is None
    assert claim.lease_expires_at == at(30)

    ledger.complete(claim.delivery_id, claim.lease_token, attempt(at(1), 500, "http_error"), retry_at(at(60)), at(2))
    assert ledger.claim_due("w", at(59), limit=1, lease_seconds=30) == []
    [retry] = ledger.claim_due("w", at(60), limit=1, lease_seconds=30)
    assert retry.attempt_number == 2
    assert retry.first_attempt_at == at(1)


def test_disabled_endpoint_is_not_claimed(ledger):
    endpoint = add_endpoint(ledger)
    ledger.append_events(record_events(2), T0)
    ledger.set_endpoint_enabled(endpoint.id, False, "paused by operator", at(0))

    assert ledger.claim_due("w", at(1), limit=10, lease_seconds=30) == []
    assert ledger.next_due_at() is None

    ledger.set_endpoint_enabled(endpoint.id, True, None, at(2))
    assert len(ledger.claim_due("w", at(3), limit=10, lease_seconds=30)) == 2


def test_release_leases_returns_only_that_owners_rows(ledger):
    add_endpoint(ledger)
    ledger.append_events(record_events(4), T0)
    mine = ledger.claim_due("stopping", at(0), limit=3, lease_seconds=600)
    other = ledger.claim_due("running", at(0), limit=3, lease_seconds=600)

    assert ledger.release_leases("stopping", at(1)) == 3

    again = ledger.claim_due("new", at(2), limit=10, lease_seconds=600)
    assert sorted(claim.delivery_id for claim in again) == sorted(claim.delivery_id for claim in mine)
    assert ledger.get_delivery(other[0].delivery_id).state == DeliveryState.IN_FLIGHT
    assert ledger.complete(mine[0].delivery_id, mine[0].lease_token, attempt(at(3)), SUCCEEDED, at(3)) is False


def test_next_due_at_skips_full_endpoint(ledger):
    add_endpoint(ledger, max_in_flight=1)
    ledger.append_events(record_events(2), T0)
    assert ledger.next_due_at() == T0

    [claim] = ledger.claim_due("w", at(0), limit=10, lease_seconds=30)

    # The second delivery is due but cannot be claimed before the lease ends.
    assert ledger.next_due_at() == at(30)
    ledger.complete(claim.delivery_id, claim.lease_token, attempt(at(1)), SUCCEEDED, at(2))
    assert ledger.next_due_at() == T0


def test_claim_never_shows_secrets(ledger):
    add_endpoint(ledger)
    ledger.append_events(record_events(1), T0)

    [claim] = ledger.claim_due("w", at(0), limit=1, lease_seconds=30)

    assert "whsec_dGVzdA==" not in repr(claim)
    assert "whsec_dGVzdA==" not in repr(ledger.list_endpoints())


def test_claim_rejects_nonpositive_lease(ledger):
    from core.ledger import InvalidValueError

    with pytest.raises(InvalidValueError, match="lease_seconds must be positive, got 0"):
        ledger.claim_due("w", at(0), limit=1, lease_seconds=0)
