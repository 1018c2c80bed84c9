"""First and incremental syncs against the sandbox Odoo over real sockets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.clock import FakeClock, SystemClock
from core.ledger import ConnectionStatus, CredentialKind, Protocol, SyncStatus
from tests.sync.support import (
    add_connection,
    duplicates,
    keys,
    last_seq,
    make_syncer,
    record_events,
    sandbox_ids,
    status_changes,
)

PROTOCOLS = [Protocol.XMLRPC, Protocol.JSONRPC]


def _created_ids(found):
    by_stream: dict[str, set[int]] = {}
    for event in found:
        assert event.type == "record.created"
        by_stream.setdefault(event.data["stream"], set()).add(event.data["odoo_id"])
    return by_stream


def _change_between_runs(server):
    """Make one change of each kind in the sandbox; return the events they must cause."""
    store = server.store
    asset_id = min(store.tables["maintenance.equipment"])
    product_id = min(store.tables["product.product"])
    request_id = min(store.tables["maintenance.request"])
    order_id = max(store.tables["purchase.order"])
    store.write("maintenance.equipment", [asset_id], {"serial_no": "SN-CHANGED-1"})
    store.archive("product.product", [product_id])
    store.write("maintenance.request", [request_id], {"archive": True})
    store.unlink("purchase.order", [order_id])
    location_id = store.create("stock.location", {"name": "Bay 99", "usage": "internal"})
    return {
        ("record.updated", "assets", asset_id): ["serial_no"],
        ("record.updated", "inventory_items", product_id): ["active"],
        ("record.updated", "work_orders", request_id): ["archive"],
        ("record.deleted", "purchase_orders", order_id): None,
        ("record.created", "locations", location_id): None,
    }


async def _first_then_incremental(ledger, server, protocol, **login):
    connection = add_connection(ledger, server, protocol=protocol, **login)
    syncer = make_syncer(ledger, SystemClock(), page_size=25, reconcile_every=1)

    first = await syncer.sync(connection.id)
    first_events = record_events(ledger, connection.id)
    assert first.status == SyncStatus.SUCCEEDED
    assert _created_ids(first_events) == sandbox_ids(server)
    assert duplicates(keys(first_events)) == []
    assert first.created == len(first_events)

    mark = last_seq(ledger, connection.id)
    expected = _change_between_runs(server)
    second = await syncer.sync(connection.id)
    second_events = record_events(ledger, connection.id, after_seq=mark)

    assert second.status == SyncStatus.SUCCEEDED
    assert sorted(keys(second_events)) == sorted(expected)
    for event in second_events:
        wanted_fields = expected[(event.type, event.data["stream"], event.data["odoo_id"])]
        if wanted_fields is not None:
            assert event.data["changed_fields"] == wanted_fields
    assert (second.created, second.updated, second.deleted) == (1, 3, 1)
    assert ledger.get_connection(connection.id).status == ConnectionStatus.ACTIVE
    assert status_changes(ledger, connection.id) == [("pending", "active")]
    return connection, second_events


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_first_and_incremental_sync(ledger, sandbox, protocol):
    connection, second_events = await _first_then_incremental(ledger, sandbox, protocol)

    updated = {e.data["stream"]: e for e in second_events if e.type == "record.updated"}
    assert updated["assets"].data["new"] == {"serial_no": "SN-CHANGED-1"}
    assert updated["inventory_items"].data["old"] == {"active": True}
    assert updated["inventory_items"].data["new"] == {"active": False}
    assert updated["inventory_items"].data["record"]["active"] is False
    assert ledger.get_connection(connection.id).detected_protocol == protocol


async def test_first_and_incremental_sync_json2(ledger, sandbox_factory):
    server = sandbox_factory(version="19.0")
    # JSON-2 takes only API keys.
    api_key = {"password": server.api_key.reveal(), "credential_kind": CredentialKind.API_KEY}
    connection, _ = await _first_then_incremental(ledger, server, Protocol.JSON2, **api_key)
    stored = ledger.get_connection(connection.id)
    assert stored.detected_protocol == Protocol.JSON2
    assert stored.server_version == "19.0"


async def test_third_run_without_changes_emits_nothing(ledger, sandbox):
    connection = add_connection(ledger, sandbox)
    syncer = make_syncer(ledger, SystemClock(), page_size=50, reconcile_every=1)
    await syncer.sync(connection.id)
    mark = last_seq(ledger, connection.id)

    again = await syncer.sync(connection.id)

    assert record_events(ledger, connection.id, after_seq=mark) == []
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
    assert again.unchanged > 0


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_one_transaction_across_page_boundaries(ledger, sandbox, protocol):
    connection = add_connection(ledger, sandbox, protocol=protocol)
    syncer = make_syncer(ledger, SystemClock(), page_size=10)
    await syncer.sync(connection.id)
    mark = last_seq(ledger, connection.id)

    # 37 records share one write_date (one transaction) and span four pages;
    # another 8 are updated in the same transaction.
    with sandbox.store.transaction():
        created = {
            sandbox.store.create("maintenance.request", {"name": f"Bulk inspection {index}"})
            for index in range(37)
        }
        updated = sorted(sandbox.store.tables["maintenance.request"])[:8]
        sandbox.store.write("maintenance.request", updated, {"duration": 12.75})
    run = await syncer.sync(connection.id)

    found = record_events(ledger, connection.id, after_seq=mark)
    assert {e.data["odoo_id"] for e in found if e.type == "record.created"} == created
    assert {e.data["odoo_id"] for e in found if e.type == "record.updated"} == set(updated)
    assert duplicates(keys(found)) == []
    assert run.pages >= 5


async def test_deletion_waits_for_reconcile_run(ledger, sandbox):
    connection = add_connection(ledger, sandbox)
    syncer = make_syncer(ledger, SystemClock(), page_size=100, reconcile_every=3)
    await syncer.sync(connection.id)  # the first read never reconciles
    gone = max(sandbox.store.tables["stock.location"])
    sandbox.store.unlink("stock.location", [gone])
    mark = last_seq(ledger, connection.id)

    await syncer.sync(connection.id)  # second run: one since the last reconcile
    assert record_events(ledger, connection.id, after_seq=mark) == []
    await syncer.sync(connection.id)  # third run: due
    await syncer.sync(connection.id)

    found = record_events(ledger, connection.id, after_seq=mark)
    assert keys(found) == [("record.deleted", "locations", gone)]
    assert ledger.get_record(connection.id, "locations", gone).deleted_at is not None


async def test_full_resync_reconciles_and_repeats_nothing(ledger, sandbox):
    connection = add_connection(ledger, sandbox)
    syncer = make_syncer(ledger, SystemClock(), page_size=100, reconcile_every=50)
    # A vendor no other record refers to, so deleting it changes nothing else.
    vendor = sandbox.store.create("res.partner", {"name": "Short-lived Supplies", "supplier_rank": 1})
    await syncer.sync(connection.id)
    sandbox.store.unlink("res.partner", [vendor])
    mark = last_seq(ledger, connection.id)

    run = await syncer.sync(connection.id, full=True)

    assert keys(record_events(ledger, connection.id, after_seq=mark)) == [("record.deleted", "vendors", vendor)]
    assert run.unchanged == sum(len(ids) for ids in sandbox_ids(sandbox).values())


async def test_unarchive_and_recreate_show_as_changes(ledger, sandbox):
    connection = add_connection(ledger, sandbox)
    syncer = make_syncer(ledger, SystemClock(), page_size=100, reconcile_every=1)
    product = min(sandbox.store.tables["product.product"])
    sandbox.store.archive("product.product", [product])
    await syncer.sync(connection.id)
    assert ledger.get_record(connection.id, "inventory_items", product).data["active"] is False
    mark = last_seq(ledger, connection.id)

    sandbox.store.unarchive("product.product", [product])
    await syncer.sync(connection.id)

    found = record_events(ledger, connection.id, after_seq=mark)
    assert keys(found) == [("record.updated", "inventory_items", product)]
    assert found[0].data["new"] == {"active": True}


async def test_backfill_window_limits_first_read(ledger, sandbox):
    connection = add_connection(ledger, sandbox)
    window = timedelta(days=60)
    clock = FakeClock(datetime.now(UTC))
    syncer = make_syncer(ledger, clock, page_size=100, backfill_seconds=window.total_seconds())
    cutoff = (clock.now() - window).replace(tzinfo=None, microsecond=0)

    await syncer.sync(connection.id)

    table = sandbox.store.tables["maintenance.request"]
    recent = {rid for rid, row in table.items() if row["write_date"] >= cutoff}
    synced = {e.data["odoo_id"] for e in record_events(ledger, connection.id) if e.data["stream"] == "work_orders"}
    assert 0 < len(recent) < len(table)
    assert synced == recent
