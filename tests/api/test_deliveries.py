"""``GET /v1/deliveries`` and ``POST /v1/deliveries/{id}/retry``."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.ledger.models import AttemptRecord, CommandKind, DeliveryOutcome, DeliveryState, NewEndpoint
from core.secrets import Secret


def _attempt(world, status_code: int) -> AttemptRecord:
    return AttemptRecord(
        started_at=world.clock.now(),
        duration_ms=12.0,
        status_code=status_code,
        error_class=None if status_code < 400 else "http_error",
        error_message=None,
        response_excerpt="",
        request_headers={},
        webhook_timestamp=int(world.clock.now().timestamp()),
    )


@pytest.fixture
def deliveries(world):
    """Three deliveries per connection: one succeeded, one failed, one in flight, by id."""
    world.ledger.add_endpoint(NewEndpoint(url="http://127.0.0.1:9/hook", secret=Secret("whsec_" + "A" * 32)), world.clock.now())
    by_connection = {}
    for name in ("north", "south"):
        world.append(name, 3)
    claimed = world.ledger.claim_due("test-owner", world.clock.now() + timedelta(seconds=1), limit=100)
    by_event = {claim.event.connection_id: [] for claim in claimed}
    for claim in sorted(claimed, key=lambda claim: claim.delivery_id):
        by_event[claim.event.connection_id].append(claim)
    for name in ("north", "south"):
        succeeded, failed, in_flight = by_event[world.connections[name].id]
        world.ledger.complete(succeeded.delivery_id, succeeded.lease_token, _attempt(world, 200), DeliveryOutcome(DeliveryState.SUCCEEDED), world.clock.now())
        world.ledger.complete(failed.delivery_id, failed.lease_token, _attempt(world, 500), DeliveryOutcome(DeliveryState.FAILED), world.clock.now())
        by_connection[name] = {"succeeded": succeeded.delivery_id, "failed": failed.delivery_id, "in_flight": in_flight.delivery_id}
    return by_connection


def test_deliveries_listed_newest_first(api, world, deliveries):
    body = api.get("/v1/deliveries", headers=world.headers("north")).json()
    ids = [delivery["id"] for delivery in body["data"]]
    assert ids == sorted(deliveries["north"].values(), reverse=True)
    assert body["data"][0]["endpoint_url"] == "http://127.0.0.1:9/hook"


def test_deliveries_filtered_by_state(api, world, deliveries):
    body = api.get("/v1/deliveries", params={"state": "failed"}, headers=world.headers("north")).json()
    assert [delivery["id"] for delivery in body["data"]] == [deliveries["north"]["failed"]]
    assert body["data"][0]["state"] == "failed"
    assert body["data"][0]["last_status_code"] == 500


def test_deliveries_invalid_state_rejected(api, world, deliveries):
    response = api.get("/v1/deliveries", params={"state": "lost"}, headers=world.headers("north"))
    assert response.status_code == 400
    assert "lost" in response.json()["error"]["message"]


def test_deliveries_paged_with_cursor(api, world, deliveries):
    first = api.get("/v1/deliveries", params={"limit": 2}, headers=world.headers("south")).json()
    second = api.get("/v1/deliveries", params={"limit": 2, "cursor": first["next_cursor"]}, headers=world.headers("south")).json()
    ids = [delivery["id"] for delivery in first["data"] + second["data"]]
    assert ids == sorted(deliveries["south"].values(), reverse=True)
    assert second["next_cursor"] is None


def test_retry_failed_delivery_queues_command(api, world, deliveries):
    delivery_id = deliveries["north"]["failed"]
    response = api.post(f"/v1/deliveries/{delivery_id}/retry", headers=world.headers("north"))
    assert response.status_code == 202
    command = world.ledger.get_command(response.json()["command_id"])
    assert command.kind == CommandKind.RETRY_DELIVERY
    assert command.args == {"delivery_id": delivery_id, "force": False}


def test_retry_in_flight_delivery_conflicts(api, world, deliveries):
    response = api.post(f"/v1/deliveries/{deliveries['north']['in_flight']}/retry", headers=world.headers("north"))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "delivery_in_flight"


def test_retry_succeeded_delivery_needs_force(api, world, deliveries):
    delivery_id = deliveries["north"]["succeeded"]
    refused = api.post(f"/v1/deliveries/{delivery_id}/retry", headers=world.headers("north"))
    forced = api.post(f"/v1/deliveries/{delivery_id}/retry", params={"force": "true"}, headers=world.headers("north"))
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "already_succeeded"
    assert forced.status_code == 202
    assert world.ledger.get_command(forced.json()["command_id"]).args == {"delivery_id": delivery_id, "force": True}


def test_retry_other_connections_delivery_not_found(api, world, deliveries):
    response = api.post(f"/v1/deliveries/{deliveries['south']['failed']}/retry", headers=world.headers("north"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "delivery_not_found"


def test_retry_unknown_delivery_not_found(api, world, deliveries):
    response = api.post("/v1/deliveries/999999/retry", headers=world.headers("north"))
    assert response.status_code == 404
