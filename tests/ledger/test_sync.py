"""Streams, runs and the atomic page commit."""

from __future__ import annotations

import pytest

from core.ledger import (
    LedgerError,
    NewEvent,
    RecordUpsert,
    StreamResult,
    StreamSpec,
    SyncStatus,
    SyncTrigger,
)
from tests.ledger.helpers import T0, add_endpoint, at, new_connection


@pytest.fixture
def stream_setup(ledger):
    connection = ledger.add_connection(new_connection())
    [stream] = ledger.upsert_streams(connection.id, [StreamSpec("assets", "maintenance.equipment", [], ["name"])])
    run = ledger.start_run(connection.id, SyncTrigger.MANUAL, ["assets"], T0)
    return ledger, connection, stream, run


def _upsert(odoo_id: int, name: str, seconds: float = 0) -> RecordUpsert:
    return RecordUpsert(odoo_id, f"hash-{name}", at(seconds), {"id": odoo_id, "name": name})


def test_commit_page_stores_everything(stream_setup):
    ledger, connection, stream, run = stream_setup
    add_endpoint(ledger)
    events = [NewEvent("record.created", connection.id, {"odoo_id": n}) for n in (1, 2)]

    ledger.commit_page(run.id, stream.id, [_upsert(1, "pump"), _upsert(2, "valve", 5)], [], events,
                       (at(5), 2), {"created": 2, "pages": 1}, at=at(10))

    records = ledger.get_records(stream.id, [1, 2, 3])
    assert sorted(records) == [1, 2]
    assert records[2].data == {"id": 2, "name": "valve"}
    assert records[2].write_date == at(5)
    assert records[2].updated_at == at(10)
    assert records[1].model == "maintenance.equipment"
    refreshed = ledger.list_streams(connection.id)[0]
    assert (refreshed.cursor_write_date, refreshed.cursor_id) == (at(5), 2)
    assert (ledger.get_run(run.id).created, ledger.get_run(run.id).pages) == (2, 1)
    assert [e.created_at for e in ledger.list_events().items] == [at(10), at(10)]
    assert len(ledger.list_deliveries().items) == 2


def test_failed_commit_page_leaves_nothing(stream_setup):
    ledger, connection, stream, run = stream_setup
    bad_event = NewEvent("record.created", connection.id, {"odoo_id": object()})

    with pytest.raises(TypeError):
        ledger.commit_page(run.id, stream.id, [_upsert(1, "pump")], [], [bad_event], (at(1), 1), {"created": 1})

    assert ledger.get_records(stream.id, [1]) == {}
    assert ledger.list_streams(connection.id)[0].cursor_id is None
    assert ledger.get_run(run.id).created == 0
    assert ledger.list_events().items == []


def test_commit_encoded_page_stores_everything(stream_setup):
    ledger, connection, stream, run = stream_setup
    add_endpoint(ledger, ["record.*"])
    records = [
        (1, "hash-pump", at(0).timestamp(), '{"id":1,"name":"pump"}'),
        (2, "hash-valve", at(5).timestamp(), '{"id":2,"name":"valve"}'),
    ]
    events = [("record.created", '{"odoo_id":1}'), ("record.updated", '{"odoo_id":2}')]

    ledger.commit_encoded_page(run.id, stream.id, records, events, (at(5), 2), {"created": 1, "updated": 1, "pages": 1},
                               at=at(10))

    stored = ledger.get_records(stream.id, [1, 2])
    assert stored[2].data == {"id": 2, "name": "valve"}
    assert stored[2].content_hash == "hash-valve"
    assert stored[2].write_date == at(5)
    refreshed = ledger.list_streams(connection.id)[0]
    assert (refreshed.cursor_write_date, refreshed.cursor_id) == (at(5), 2)
    assert (ledger.get_run(run.id).created, ledger.get_run(run.id).updated) == (1, 1)
    listed = ledger.list_events().items
    assert [(event.type, event.data, event.connection_id) for event in listed] == [
        ("record.created", {"odoo_id": 1}, connection.id),
        ("record.updated", {"odoo_id": 2}, connection.id),
    ]
    assert listed[0].id < listed[1].id  # ids of one page sort in event order
    assert len(ledger.list_deliveries().items) == 2


def test_commit_encoded_page_rejects_bad_type(stream_setup):
    ledger, connection, stream, run = stream_setup

    with pytest.raises(LedgerError, match="invalid event type 'Record Created'"):
        ledger.commit_encoded_page(run.id, stream.id, [(1, "h", None, '{"id":1}')], [("Record Created", "{}")],
                                   (at(1), 1), {"created": 1})

    assert ledger.get_records(stream.id, [1]) == {}
    assert ledger.get_run(run.id).created == 0
    assert ledger.list_events().items == []


def test_updates_and_deletions_move_change_seq(stream_setup):
    ledger, connection, stream, run = stream_setup
    ledger.commit_page(run.id, stream.id, [_upsert(1, "pump"), _upsert(2, "valve"), _upsert(3, "belt")], [], [], None, None)
    ledger.commit_page(run.id, stream.id, [_upsert(1, "pump v2")], [2], [], None, StreamResult("assets", updated=1, deleted=1))

    assert ledger.list_live_ids(stream.id) == [1, 3]
    deleted = ledger.get_record(connection.id, "assets", 2)
    assert deleted.deleted_at is not None
    page = ledger.list_records(connection.id, "assets", limit=2)
    assert [r.odoo_id for r in page.items] == [3, 1]
    rest = ledger.list_records(connection.id, "assets", after_key=page.next_key, limit=2)
    assert [r.odoo_id for r in rest.items] == [2]
    assert rest.next_key is None
    run_now = ledger.get_run(run.id)
    assert (run_now.updated, run_now.deleted) == (1, 1)

    # A record that comes back is live again.
    ledger.commit_page(run.id, stream.id, [_upsert(2, "valve again")], [], [], None, None)
    assert ledger.list_live_ids(stream.id) == [1, 2, 3]
    assert ledger.get_record(connection.id, "assets", 2).deleted_at is None


def test_list_records_updated_after(stream_setup):
    ledger, connection, stream, run = stream_setup
    ledger.commit_page(run.id, stream.id, [_upsert(1, "pump")], [], [], None, None, at=at(1))
    ledger.commit_page(run.id, stream.id, [_upsert(2, "valve")], [], [], None, None, at=at(20))

    page = ledger.list_records(connection.id, "assets", updated_after=at(10))

    assert [r.odoo_id for r in page.items] == [2]


def test_finish_run_writes_one_event(stream_setup):
    ledger, connection, stream, run = stream_setup
    ledger.commit_page(run.id, stream.id, [_upsert(1, "pump")], [], [], None, {"created": 1, "pages": 1})

    finished = ledger.finish_run(run.id, SyncStatus.SUCCEEDED, [StreamResult("assets", created=1, pages=1)], None, None, at(30))

    assert finished.status == SyncStatus.SUCCEEDED
    assert finished.finished_at == at(30)
    assert finished.stream_results == [StreamResult("assets", created=1, pages=1)]
    [event] = ledger.list_events().items
    assert event.type == "sync.completed"
    assert event.data["run_id"] == run.id
    assert event.data["created"] == 1
    assert event.data["status"] == "succeeded"
    stored = ledger.get_connection(connection.id)
    assert (stored.last_sync_at, stored.last_success_at) == (at(30), at(30))
    with pytest.raises(LedgerError, match="already finished"):
        ledger.finish_run(run.id, SyncStatus.FAILED, [], None, None, at(31))


def test_failed_run_event(stream_setup):
    ledger, connection, _, run = stream_setup

    ledger.finish_run(run.id, SyncStatus.FAILED, [], "ServerUnreachableError", "connection refused", at(5))

    [event] = ledger.list_events().items
    assert event.type == "sync.failed"
    assert event.data["error_class"] == "ServerUnreachableError"
    stored = ledger.get_connection(connection.id)
    assert (stored.last_sync_at, stored.last_success_at) == (at(5), None)


def test_stream_spec_change_resets_cursor(stream_setup):
    ledger, connection, stream, run = stream_setup
    ledger.commit_page(run.id, stream.id, [], [], [], (at(5), 9), None)

    same = ledger.upsert_streams(connection.id, [StreamSpec("assets", "maintenance.equipment", [], ["name"])])
    assert same[0].cursor_id == 9
    changed = ledger.upsert_streams(connection.id, [StreamSpec("assets", "maintenance.equipment", [], ["name", "serial_no"])])
    assert changed[0].cursor_id is None
    assert changed[0].id == stream.id


def test_stream_bookkeeping(stream_setup):
    ledger, connection, stream, run = stream_setup
    ledger.commit_page(run.id, stream.id, [], [], [], (at(5), 9), None)

    ledger.set_stream_availability(stream.id, False, "AccessError: no read access")
    ledger.mark_stream_synced(stream.id, at(1))
    marked = ledger.mark_stream_synced(stream.id, at(2))
    assert (marked.available, marked.unavailable_reason) == (False, "AccessError: no read access")
    assert (marked.runs_since_reconcile, marked.last_synced_at) == (2, at(2))
    reconciled = ledger.mark_stream_synced(stream.id, at(3), reconciled=True)
    assert (reconciled.runs_since_reconcile, reconciled.last_reconciled_at) == (0, at(3))

    ledger.reset_cursors(connection.id)
    assert ledger.get_stream(stream.id).cursor_write_date is None
