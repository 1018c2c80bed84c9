"""``GET /v1/records/...``: synced records, their paging and their data age."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.ledger.models import ConnectionStatus


def test_records_list_with_fields_and_age(api, world):
    world.sync_assets("north", {7: "Forklift", 8: "Press"})
    world.clock.set(world.clock.now() + timedelta(seconds=90))

    body = api.get("/v1/records/assets", headers=world.headers("north")).json()
    assert [record["id"] for record in body["data"]] == [7, 8]
    first = body["data"][0]
    assert first["entity"] == "assets"
    assert first["model"] == "maintenance.equipment"
    assert first["fields"] == {"id": 7, "name": "Forklift"}
    assert first["write_date"] == "2026-03-02T09:00:00Z"
    assert first["deleted"] is False
    assert body["data_age_seconds"] == 90
    assert body["last_success_at"] == "2026-03-02T09:00:00Z"
    assert body["connection_status"] == "pending"


def test_records_pages_follow_cursor(api, world):
    world.sync_assets("north", {odoo_id: f"asset {odoo_id}" for odoo_id in range(1, 12)})
    seen: list[int] = []
    params = {"limit": 4}
    while True:
        body = api.get("/v1/records/assets", params=params, headers=world.headers("north")).json()
        seen.extend(record["id"] for record in body["data"])
        if body["next_cursor"] is None:
            break
        params = {"limit": 4, "cursor": body["next_cursor"]}
    assert seen == list(range(1, 12))


def test_records_deleted_flag(api, world):
    world.sync_assets("north", {7: "Forklift", 8: "Press"})
    world.clock.set(world.clock.now() + timedelta(seconds=5))
    world.sync_assets("north", {}, deleted=[8])

    record = api.get("/v1/records/assets/8", headers=world.headers("north")).json()["data"]
    assert record["deleted"] is True
    assert record["deleted_at"] == "2026-03-02T09:00:05Z"


def test_records_updated_after_filter(api, world):
    world.sync_assets("north", {7: "Forklift"})
    world.clock.set(world.clock.now() + timedelta(minutes=10))
    world.sync_assets("north", {8: "Press"})

    body = api.get("/v1/records/assets", params={"updated_after": "2026-03-02T09:05:00Z"}, headers=world.headers("north")).json()
    assert [record["id"] for record in body["data"]] == [8]


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01T00:00:00Z", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_records_invalid_updated_after_rejected(api, world, value):
    response = api.get("/v1/records/assets", params={"updated_after": value}, headers=world.headers("north"))
    assert response.status_code == 400
    assert "updated_after" in response.json()["error"]["message"]


def test_records_updated_after_year_one_accepted(api, world):
    world.sync_assets("north", {7: "Forklift"})
    response = api.get("/v1/records/assets", params={"updated_after": "0001-01-01T00:00:00"}, headers=world.headers("north"))
    assert response.status_code == 200
    assert [record["id"] for record in response.json()["data"]] == [7]


def test_records_of_other_connection_not_visible(api, world):
    world.sync_assets("north", {7: "Forklift"})
    assert api.get("/v1/records/assets/7", headers=world.headers("south")).status_code == 404
    assert api.get("/v1/records/assets", headers=world.headers("south")).json()["data"] == []


def test_records_cursor_bound_to_entity(api, world):
    world.sync_assets("north", {1: "a", 2: "b"})
    cursor = api.get("/v1/records/assets", params={"limit": 1}, headers=world.headers("north")).json()["next_cursor"]
    response = api.get("/v1/records/work_orders", params={"cursor": cursor}, headers=world.headers("north"))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cursor"


def test_records_unknown_entity_lists_known_ones(api, world):
    response = api.get("/v1/records/invoices", headers=world.headers("north"))
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "unknown_entity"
    assert "assets" in error["message"]
    assert "work_orders" in error["message"]


def test_records_missing_record_404(api, world):
    response = api.get("/v1/records/assets/99", headers=world.headers("north"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "record_not_found"


def test_records_non_numeric_id_rejected(api, world):
    response = api.get("/v1/records/assets/abc", headers=world.headers("north"))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_parameter"


def test_records_readable_while_unreachable(api, world):
    world.sync_assets("north", {7: "Forklift"})
    world.clock.set(world.clock.now() + timedelta(hours=2))
    world.ledger.set_status(world.connections["north"].id, ConnectionStatus.UNREACHABLE, "connection refused", world.clock.now())

    body = api.get("/v1/records/assets/7", headers=world.headers("north")).json()
    assert body["data"]["fields"]["name"] == "Forklift"
    assert body["connection_status"] == "unreachable"
    assert body["data_age_seconds"] == 7200
