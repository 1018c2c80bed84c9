"""``GET /v1/connection``, ``GET /v1/sync-runs`` and ``POST /v1/syncs``."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from core.ledger.models import CommandKind, ConnectionStatus, EngineInstance, SyncStatus, SyncTrigger


def test_connection_shows_status_and_streams(api, world):
    connection_id = world.connections["north"].id
    stream = world.ledger.list_streams(connection_id)[0]
    world.ledger.set_stream_availability(stream.id, False, "no read access to maintenance.equipment")
    world.ledger.schedule(connection_id, world.clock.now() + timedelta(minutes=15), 0)

    body = api.get("/v1/connection", headers=world.headers("north")).json()
    assert body["status"] == "pending"
    assert body["next_sync_at"] == "2026-03-02T09:15:00Z"
    assert body["last_success_at"] is None
    assert body["data_age_seconds"] is None
    assert body["engine_running"] is False
    streams = {entry["entity"]: entry for entry in body["streams"]}
    assert streams["assets"]["available"] is False
    assert streams["assets"]["unavailable_reason"] == "no read access to maintenance.equipment"
    assert streams["work_orders"]["model"] == "maintenance.request"
    assert "credential" not in body


def test_connection_never_shows_credential(api, world):
    text = api.get("/v1/connection", headers=world.headers("north")).text
    assert "credential" not in text
    assert world.tokens["north"] not in text


def test_connection_data_age_after_sync(api, world):
    connection_id = world.connections["north"].id
    run = world.ledger.start_run(connection_id, SyncTrigger.SCHEDULE, ["assets"], world.clock.now())
    world.ledger.finish_run(run.id, SyncStatus.SUCCEEDED, [], None, None, world.clock.now())
    world.clock.set(world.clock.now() + timedelta(seconds=42))

    body = api.get("/v1/connection", headers=world.headers("north")).json()
    assert body["last_success_at"] == "2026-03-02T09:00:00Z"
    assert body["data_age_seconds"] == 42


def test_connection_reports_running_engine(api, world):
    now = world.clock.now()
    world.ledger.register_engine(EngineInstance("engine-1", 4242, "host", "serve", now, now))
    assert api.get("/v1/connection", headers=world.headers("north")).json()["engine_running"] is True


def test_sync_runs_newest_first_in_pages(api, world):
    connection_id = world.connections["north"].id
    run_ids = []
    for _ in range(5):
        run = world.ledger.start_run(connection_id, SyncTrigger.SCHEDULE, ["assets"], world.clock.now())
        world.ledger.finish_run(run.id, SyncStatus.SUCCEEDED, [], None, None, world.clock.now())
        run_ids.append(run.id)
    world.ledger.start_run(world.connections["south"].id, SyncTrigger.MANUAL, ["assets"], world.clock.now())

    first = api.get("/v1/sync-runs", params={"limit": 3}, headers=world.headers("north")).json()
    second = api.get("/v1/sync-runs", params={"limit": 3, "cursor": first["next_cursor"]}, headers=world.headers("north")).json()
    assert [run["id"] for run in first["data"]] == run_ids[::-1][:3]
    assert [run["id"] for run in second["data"]] == run_ids[::-1][3:]
    assert second["next_cursor"] is None
    assert first["data"][0]["status"] == "succeeded"
    assert first["data"][0]["trigger"] == "schedule"


def test_sync_request_queues_command(api, world):
    response = api.post("/v1/syncs", headers=world.headers("north"))
    assert response.status_code == 202
    body = response.json()
    command = world.ledger.get_command(body["command_id"])
    assert command.kind == CommandKind.SYNC
    assert command.args == {"connection_id": world.connections["north"].id}
    assert body["status"] == "queued"


def test_full_sync_request_queues_resync(api, world):
    response = api.post("/v1/syncs", params={"full": "true"}, headers=world.headers("south"))
    assert response.status_code == 202
    command = world.ledger.get_command(response.json()["command_id"])
    assert command.kind == CommandKind.RESYNC
    assert command.args == {"connection_id": world.connections["south"].id}


def test_sync_request_invalid_full_rejected(api, world):
    response = api.post("/v1/syncs", params={"full": "maybe"}, headers=world.headers("north"))
    assert response.status_code == 400
    assert "full" in response.json()["error"]["message"]


def test_sync_request_while_unreachable_gets_503(api, world):
    connection_id = world.connections["north"].id
    world.ledger.set_status(connection_id, ConnectionStatus.UNREACHABLE, "connection refused", world.clock.now())
    world.ledger.schedule(connection_id, world.clock.now() + timedelta(seconds=30), 1)

    response = api.post("/v1/syncs", headers=world.headers("north"))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "system_unreachable"
    assert response.headers["retry-after"] == "30"
    assert api.get("/v1/connection", headers=world.headers("north")).json()["status"] == "unreachable"


@pytest.mark.slow
def test_sync_request_while_ledger_locked_gets_503(api, world):
    # A real second connection holds the write lock past the ledger's 5 s
    # busy timeout, as a stuck writer in another process would.
    blocker = sqlite3.connect(world.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        response = api.post("/v1/syncs", headers=world.headers("north"))
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "ledger_busy"
    assert response.headers["retry-after"] == "1"
    assert api.post("/v1/syncs", headers=world.headers("north")).status_code == 202
