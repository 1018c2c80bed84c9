"""Query parameters a route does not accept are a 400, not silently ignored."""

from __future__ import annotations

import pytest

from core.api.openapi import build_openapi, query_parameters

# One request per documented operation, with its path parameters filled in.
OPERATIONS = [
    ("GET", "/v1/connection", "/v1/connection"),
    ("GET", "/v1/sync-runs", "/v1/sync-runs"),
    ("POST", "/v1/syncs", "/v1/syncs"),
    ("GET", "/v1/events", "/v1/events"),
    ("GET", "/v1/records/{entity}", "/v1/records/assets"),
    ("GET", "/v1/records/{entity}/{id}", "/v1/records/assets/1"),
    ("GET", "/v1/deliveries", "/v1/deliveries"),
    ("POST", "/v1/deliveries/{id}/retry", "/v1/deliveries/1/retry"),
]


def test_operations_cover_document():
    documented = set(query_parameters(build_openapi("0")))
    assert documented == {(method, template) for method, template, _ in OPERATIONS}


def test_events_cursor_names_after(api, world):
    world.append("north", 3)
    response = api.get("/v1/events", params={"cursor": "abc"}, headers=world.headers("north"))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_parameter"
    assert "'cursor'" in error["message"]
    assert "accepted parameters: after, limit" in error["message"]


@pytest.mark.parametrize(("method", "template", "path"), OPERATIONS, ids=[f"{m} {t}" for m, t, _ in OPERATIONS])
def test_unknown_parameter_rejected(api, world, method, template, path):
    accepted = query_parameters(build_openapi("0"))[(method, template)]
    response = api.request(method, path, params={"colour": "red"}, headers=world.headers("north"))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_parameter"
    assert "'colour'" in error["message"]
    assert f"accepted parameters: {', '.join(sorted(accepted)) or 'none'}" in error["message"]


def test_several_unknown_parameters_named(api, world):
    response = api.get("/v1/deliveries", params={"status": "failed", "page": "2"}, headers=world.headers("north"))
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert "parameters 'page', 'status'" in message
    assert "accepted parameters: cursor, limit, state" in message


def test_documented_parameters_still_accepted(api, world):
    world.append("north", 3)
    response = api.get("/v1/events", params={"limit": "2"}, headers=world.headers("north"))
    assert response.status_code == 200
    cursor = response.json()["next_cursor"]
    following = api.get("/v1/events", params={"after": cursor, "limit": "2"}, headers=world.headers("north"))
    assert following.status_code == 200
    assert len(following.json()["data"]) == 1
