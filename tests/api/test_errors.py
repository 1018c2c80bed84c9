"""Unexpected failures still get the JSON error shape and a request id."""

from __future__ import annotations

import httpx

from core.api import ApiSettings, create_api_app
from core.http_server import start_in_thread
from tests.api.conftest import UNLIMITED


def test_internal_error_gets_json_500(world, caplog):
    app = create_api_app(world.path, world.clock, settings=ApiSettings(rate_limit=UNLIMITED))
    handle = start_in_thread(app)
    # Closing the ledger connections under the running app makes every
    # ledger call fail with sqlite3.ProgrammingError, a bug-class error.
    app.state.api.pool.close()
    try:
        with httpx.Client(base_url=handle.url) as client:
            response = client.get("/v1/events", headers=world.headers("north"))
    finally:
        handle.stop()

    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "internal_error"
    assert error["request_id"] == response.headers["x-request-id"]
    assert "ProgrammingError" not in response.text
    assert any("unhandled error in GET /v1/events" in record.getMessage() for record in caplog.records)
