"""Bearer-token rules over a real socket: who may see which connection."""

from __future__ import annotations

import logging
import time

import httpx

from core.api import ApiSettings, RateLimit
from core.ledger.models import ConnectionStatus
from core.tokens import generate_token
from tests.api.conftest import serve_api


def _assert_error(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"]["code"] == code
    assert body["error"]["request_id"] == response.headers["x-request-id"]
    assert body["error"]["message"]
    return body


def test_missing_token_gets_401_with_challenge(api):
    response = api.get("/v1/connection")
    _assert_error(response, 401, "missing_token")
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_non_bearer_scheme_gets_401(api, world):
    response = api.get("/v1/connection", headers={"Authorization": f"Basic {world.tokens['north']}"})
    _assert_error(response, 401, "missing_token")
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_unknown_token_gets_401(api):
    response = api.get("/v1/connection", headers={"Authorization": f"Bearer {generate_token().value}"})
    _assert_error(response, 401, "unknown_token")
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_malformed_token_gets_401(api):
    response = api.get("/v1/events", headers={"Authorization": "Bearer not-a-token"})
    _assert_error(response, 401, "unknown_token")


def test_revoked_token_gets_401(api, world):
    old_headers = world.headers("north")
    reissued = generate_token()
    world.ledger.issue_token(world.connections["north"].id, reissued.hash, reissued.prefix, world.clock.now())

    _assert_error(api.get("/v1/connection", headers=old_headers), 401, "unknown_token")
    fresh = api.get("/v1/connection", headers={"Authorization": f"Bearer {reissued.value}"})
    assert fresh.status_code == 200


def test_token_sees_own_connection_only(api, world):
    north = api.get("/v1/connection", headers=world.headers("north")).json()
    south = api.get("/v1/connection", headers=world.headers("south")).json()
    assert north["id"] == world.connections["north"].id
    assert north["name"] == "north"
    assert south["id"] == world.connections["south"].id


def test_token_sees_own_events_only(api, world):
    north_ids = world.append("north", 3)
    south_ids = world.append("south", 2)

    north = api.get("/v1/events", headers=world.headers("north")).json()
    south = api.get("/v1/events", headers=world.headers("south")).json()
    assert [event["id"] for event in north["data"]] == north_ids
    assert [event["id"] for event in south["data"]] == south_ids


def test_auth_failed_connection_gets_reconnect_required(api, world):
    connection_id = world.connections["north"].id
    world.ledger.set_status(connection_id, ConnectionStatus.AUTH_FAILED, "password changed", world.clock.now())

    response = api.get("/v1/events", headers=world.headers("north"))
    _assert_error(response, 401, "reconnect_required")
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert api.get("/v1/events", headers=world.headers("south")).status_code == 200


def test_disabled_connection_gets_403(api, world):
    connection_id = world.connections["south"].id
    world.ledger.set_status(connection_id, ConnectionStatus.DISABLED, "disabled by operator", world.clock.now())

    _assert_error(api.get("/v1/connection", headers=world.headers("south")), 403, "connection_disabled")
    assert api.get("/v1/connection", headers=world.headers("north")).status_code == 200


def test_rate_limit_returns_429_with_retry_after(world):
    handle = serve_api(world, ApiSettings(rate_limit=RateLimit(per_second=0.5, burst=3)))
    try:
        with httpx.Client(base_url=handle.url) as client:
            statuses = [client.get("/v1/events", headers=world.headers("north")).status_code for _ in range(3)]
            limited = client.get("/v1/events", headers=world.headers("north"))
            other_token = client.get("/v1/events", headers=world.headers("south"))
    finally:
        handle.stop()

    assert statuses == [200, 200, 200]
    _assert_error(limited, 429, "rate_limited")
    # The fake clock does not move, so the next request is 2 s away at 0.5/s.
    assert limited.headers["retry-after"] == "2"
    assert other_token.status_code == 200


def test_unknown_route_gets_json_404(api, world):
    response = api.get("/v1/nothing", headers=world.headers("north"))
    _assert_error(response, 404, "not_found")


def test_wrong_method_gets_json_405(api, world):
    response = api.delete("/v1/events", headers=world.headers("north"))
    _assert_error(response, 405, "method_not_allowed")


def test_every_response_has_request_id(api, world):
    ok = api.get("/v1/connection", headers=world.headers("north"))
    denied = api.get("/v1/connection")
    assert ok.headers["x-request-id"].startswith("req_")
    assert denied.headers["x-request-id"].startswith("req_")
    assert ok.headers["x-request-id"] != denied.headers["x-request-id"]


def test_access_log_names_ids_not_token(api, world, caplog):
    caplog.set_level(logging.INFO, logger="core.api.access")
    response = api.get("/v1/events", params={"limit": 1}, headers=world.headers("north"))

    # The server thread logs after the response is sent, so wait for it.
    deadline = time.monotonic() + 5
    entries = []
    while not entries and time.monotonic() < deadline:
        entries = [record for record in caplog.records if record.name == "core.api.access"]
        time.sleep(0.01)
    assert len(entries) == 1
    entry = entries[0]
    assert entry.request_id == response.headers["x-request-id"]
    assert entry.connection_id == world.connections["north"].id
    assert entry.status == 200
    assert entry.path == "/v1/events"
    assert entry.duration_ms >= 0
    assert world.tokens["north"] not in caplog.text
