"""Keyset pages: every row exactly once, in order, and index-backed queries."""

from __future__ import annotations

import pytest

from core.ledger import DeliveryFilter, DeliveryState, NewEvent, StreamSpec, SyncStatus, SyncTrigger
from core.ledger.delivery_views import delivery_page_query
from tests.ledger.helpers import T0, add_endpoint, at, new_connection

ROWS = 100_000


@pytest.fixture
def big_ledger(ledger):
    """A ledger with 100,000 events, each delivered to one endpoint, in two connections."""
    acme = ledger.add_connection(new_connection("acme"))
    other = ledger.add_connection(new_connection("other"))
    add_endpoint(ledger, max_in_flight=ROWS)
    batch = [NewEvent("record.updated", acme.id if n % 4 else other.id, {"n": n}) for n in range(ROWS)]
    ledger.append_events(batch, T0)
    return ledger, acme, other


def _all_delivery_ids(ledger, where: DeliveryFilter, limit: int) -> list[int]:
    ids: list[int] = []
    key = None
    while True:
        page = ledger.list_deliveries(where, before=key, limit=limit)
        ids.extend(delivery.id for delivery in page.items)
        if page.next_key is None:
            return ids
        key = page.next_key


def _all_event_numbers(ledger, connection_id: int | None, limit: int) -> list[int]:
    numbers: list[int] = []
    key = None
    while True:
        page = ledger.list_events(connection_id=connection_id, after_seq=key, limit=limit)
        numbers.extend(event.data["n"] for event in page.items)
        if page.next_key is None:
            return numbers
        key = page.next_key


# One test builds the 100,000 rows once and pages through both tables;
# split in two, each xdist worker would build its own copy.
@pytest.mark.slow
def test_pages_cover_every_row_once(big_ledger):
    ledger, acme, other = big_ledger

    ids = _all_delivery_ids(ledger, DeliveryFilter(), limit=997)
    assert len(ids) == ROWS
    assert len(set(ids)) == ROWS
    assert ids == sorted(ids, reverse=True)

    assert _all_event_numbers(ledger, None, limit=1009) == list(range(ROWS))
    assert _all_event_numbers(ledger, other.id, limit=5000) == list(range(0, ROWS, 4))

    acme_ids = _all_delivery_ids(ledger, DeliveryFilter(connection_id=acme.id), limit=5000)
    assert len(acme_ids) == ROWS * 3 // 4
    assert len(set(acme_ids)) == len(acme_ids)

    claimed = ledger.claim_due("w", at(1), limit=30_000, lease_seconds=600)
    in_flight = _all_delivery_ids(ledger, DeliveryFilter(state=DeliveryState.IN_FLIGHT), limit=1000)
    assert sorted(in_flight) == sorted(claim.delivery_id for claim in claimed)


def test_last_page_has_no_next_key(ledger):
    add_endpoint(ledger)
    ledger.append_events([NewEvent("record.updated", None, {}) for _ in range(4)], T0)

    first = ledger.list_deliveries(limit=2)
    second = ledger.list_deliveries(before=first.next_key, limit=2)

    assert first.next_key == first.items[-1].id
    assert len(second.items) == 2
    assert second.next_key is None


@pytest.mark.parametrize(
    "where",
    [
        DeliveryFilter(),
        DeliveryFilter(state=DeliveryState.FAILED),
        DeliveryFilter(endpoint_id=1),
        DeliveryFilter(endpoint_id=1, state=DeliveryState.PENDING),
        DeliveryFilter(connection_id=1),
        DeliveryFilter(event_type="record.created"),
    ],
    ids=["all", "state", "endpoint", "endpoint-state", "connection", "type"],
)
def test_filtered_delivery_page_uses_index(ledger, where):
    sql, params = delivery_page_query(where, before=5000, limit=50)

    plan = " | ".join(row[3] for row in ledger._db.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))

    # A SEARCH on d that starts at the key and walks in id order: no full
    # scan and no sort, so the page costs the same at any table size.
    assert "SCAN" not in plan, plan
    assert "TEMP B-TREE" not in plan, plan


def test_run_pages_newest_first(ledger):
    acme = ledger.add_connection(new_connection("acme"))
    other = ledger.add_connection(new_connection("other"))
    ledger.upsert_streams(acme.id, [StreamSpec("assets", "maintenance.equipment")])
    runs = [ledger.start_run(acme.id if n % 2 else other.id, SyncTrigger.SCHEDULE, ["assets"], at(n)) for n in range(7)]
    ledger.finish_run(runs[0].id, SyncStatus.SUCCEEDED, [], None, None, at(10))

    first = ledger.list_runs(acme.id, limit=2)
    rest = ledger.list_runs(acme.id, before=first.next_key, limit=2)

    assert [run.id for run in first.items] == [runs[5].id, runs[3].id]
    assert [run.id for run in rest.items] == [runs[1].id]
    assert rest.next_key is None
    assert len(ledger.list_runs(limit=100).items) == 7


def test_event_type_history_uses_index(ledger):
    sql = "SELECT * FROM events WHERE seq > ? AND connection_id = ? AND type IN (?) ORDER BY seq LIMIT ?"

    plan = " | ".join(row[3] for row in ledger._db.conn.execute(f"EXPLAIN QUERY PLAN {sql}", (0, 1, "x", 5)))

    assert "events_connection_type" in plan, plan
    assert "TEMP B-TREE" not in plan, plan


def test_event_type_filter(ledger):
    acme = ledger.add_connection(new_connection("acme"))
    ledger.append_events([NewEvent("record.updated", acme.id, {}) for _ in range(5)], T0)
    ledger.append_events([NewEvent("connection.status_changed", acme.id, {"new": "active"})], T0)

    page = ledger.list_events(connection_id=acme.id, types=["connection.status_changed"])

    assert [event.data for event in page.items] == [{"new": "active"}]


def test_pages_stable_under_inserts(ledger):
    add_endpoint(ledger)
    original = ledger.append_events([NewEvent("record.updated", None, {"n": n}) for n in range(1000)], T0)

    # New deliveries land while a viewer pages backwards; keyset pages
    # neither repeat nor skip the rows that were there when it started.
    seen: list[int] = []
    key = None
    while True:
        page = ledger.list_deliveries(before=key, limit=97)
        seen.extend(delivery.id for delivery in page.items)
        ledger.append_events([NewEvent("record.updated", None, {"late": True})], T0)
        if page.next_key is None:
            break
        key = page.next_key

    first_page_top = seen[0]
    assert len(seen) == len(set(seen))
    assert sorted(seen) == list(range(1, first_page_top + 1))
    assert first_page_top == len(original)
