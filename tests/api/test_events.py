"""``GET /v1/events``: the polling backup, its cursors and its limits."""

from __future__ import annotations

import threading

import pytest

from core.api.cursors import CursorCodec


def _poll_all(api, headers, limit: int, cursor: str | None = None) -> tuple[list[str], str | None]:
    ids: list[str] = []
    while True:
        params = {"limit": limit} if cursor is None else {"limit": limit, "after": cursor}
        body = api.get("/v1/events", params=params, headers=headers).json()
        ids.extend(event["id"] for event in body["data"])
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return ids, cursor


def test_events_in_seq_order_with_payload(api, world):
    ids = world.append("north", 3, event_type="record.created")
    body = api.get("/v1/events", headers=world.headers("north")).json()

    assert [event["id"] for event in body["data"]] == ids
    seqs = [event["seq"] for event in body["data"]]
    assert seqs == sorted(seqs)
    first = body["data"][0]
    assert first["type"] == "record.created"
    assert first["connection_id"] == world.connections["north"].id
    assert first["data"] == {"n": 0}
    assert first["timestamp"] == "2026-03-02T09:00:00Z"
    assert body["has_more"] is False


def test_events_pages_have_no_gaps_or_duplicates(api, world):
    ids = world.append("north", 25)
    world.append("south", 10)
    polled, _ = _poll_all(api, world.headers("north"), limit=4)
    assert polled == ids


def test_events_cursor_resumes_after_new_events(api, world):
    first_ids = world.append("north", 5)
    polled, cursor = _poll_all(api, world.headers("north"), limit=2)
    assert polled == first_ids

    empty = api.get("/v1/events", params={"after": cursor}, headers=world.headers("north")).json()
    assert empty["data"] == []
    assert empty["next_cursor"] == cursor

    later_ids = world.append("north", 3)
    resumed, _ = _poll_all(api, world.headers("north"), limit=2, cursor=cursor)
    assert resumed == later_ids


def test_events_paging_while_events_arrive(api, world):
    # A writer thread appends in small batches while the client pages; the
    # union of all pages must be exactly the appended ids, in order.
    appended: list[str] = []
    done = threading.Event()

    def write() -> None:
        for _ in range(40):
            appended.extend(world.append("north", 5))
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    polled: list[str] = []
    cursor = None
    while True:
        finished = done.is_set()
        ids, cursor = _poll_all(api, world.headers("north"), limit=7, cursor=cursor)
        polled.extend(ids)
        if finished:
            break
    writer.join()

    assert len(polled) == 200
    assert polled == appended


def test_events_tampered_cursor_rejected(api, world):
    world.append("north", 3)
    body = api.get("/v1/events", params={"limit": 1}, headers=world.headers("north")).json()
    cursor = body["next_cursor"]
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")

    response = api.get("/v1/events", params={"after": tampered}, headers=world.headers("north"))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cursor"


def test_events_forged_position_rejected(api, world):
    world.append("north", 3)
    forged = CursorCodec(b"k" * 32).encode(world.connections["north"].id, "events", 0)
    response = api.get("/v1/events", params={"after": forged}, headers=world.headers("north"))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cursor"


def test_events_cursor_of_other_connection_rejected(api, world):
    world.append("north", 3)
    north_cursor = api.get("/v1/events", params={"limit": 1}, headers=world.headers("north")).json()["next_cursor"]

    response = api.get("/v1/events", params={"after": north_cursor}, headers=world.headers("south"))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cursor"
    assert "another connection" in response.json()["error"]["message"]


def test_events_limit_above_maximum_clamped(api, world):
    ids = world.append("north", 1005)
    body = api.get("/v1/events", params={"limit": 5000}, headers=world.headers("north")).json()
    assert len(body["data"]) == 1000
    assert body["has_more"] is True
    assert [event["id"] for event in body["data"]] == ids[:1000]


def test_events_default_limit_is_100(api, world):
    world.append("north", 150)
    body = api.get("/v1/events", headers=world.headers("north")).json()
    assert len(body["data"]) == 100


@pytest.mark.parametrize("limit", ["0", "-1", "abc", "1.5", "", " 5", "١٢"])
def test_events_invalid_limit_rejected(api, world, limit):
    response = api.get("/v1/events", params={"limit": limit}, headers=world.headers("north"))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_limit"
    assert repr(limit) in error["message"]
