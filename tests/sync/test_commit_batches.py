"""Committing a batch of pages: one transaction per group of pages whose records are distinct.

The Syncer takes every page that waits in the read-ahead queue at once. A
record saved while the sync runs is read again in a later page, possibly
in the same batch. It must then be compared with what the earlier page
stored, as if each page had its own transaction. These tests hand the
batch to the Syncer's commit step directly, on a real ledger file,
because which pages of a live sandbox arrive together depends on timing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from core.clock import FakeClock
from core.ledger import SyncTrigger
from core.odoo.values import RecordDecoder
from core.sync.diff import StreamRef
from core.sync.streams import default_stream
from core.sync.syncer import Syncer, _groups_of_distinct_records, _Tally
from tests.sync.support import START, add_connection, keys, record_events


class _NoServer:
    url = "http://127.0.0.1:9"
    database = "plant"


# Pages reach the commit step as Odoo sent them, with their decoder.
DECODER = RecordDecoder({"id": "integer", "write_date": "datetime", "name": "char"}, ["id", "write_date", "name"])


def _request(odoo_id: int, second: int, name: str) -> dict:
    return {"id": odoo_id, "write_date": f"2026-01-01 09:00:{second:02d}", "name": name}


def _commit(ledger, pages):
    connection = add_connection(ledger, _NoServer())
    stream = ledger.upsert_streams(connection.id, [default_stream("work_orders")])[0]
    run = ledger.start_run(connection.id, SyncTrigger.MANUAL, [stream.name], START)
    syncer = Syncer(ledger, FakeClock(START))
    ref = StreamRef(connection.id, stream.id, stream.name, stream.model)
    tally = _Tally(stream.name)

    cursor = syncer._commit_pages(run.id, ref, [(page, DECODER) for page in pages], None, tally)
    return connection, stream, cursor, tally


def test_commit_pages_updates_a_repeated_record(ledger):
    pages = [
        [_request(1, 1, "Pump"), _request(2, 2, "Fan")],
        [_request(3, 3, "Belt"), _request(1, 4, "Pump, checked")],
    ]
    connection, stream, cursor, tally = _commit(ledger, pages)

    found = record_events(ledger, connection.id)
    assert keys(found) == [
        ("record.created", "work_orders", 1),
        ("record.created", "work_orders", 2),
        ("record.created", "work_orders", 3),
        ("record.updated", "work_orders", 1),
    ]
    assert found[-1].data["changed_fields"] == ["name"]
    assert found[-1].data["old"] == {"name": "Pump"}
    assert ledger.get_records(stream.id, [1])[1].data["name"] == "Pump, checked"
    assert cursor == (datetime(2026, 1, 1, 9, 0, 4, tzinfo=UTC), 1)
    assert tally.counts == {"created": 3, "updated": 1, "deleted": 0, "unchanged": 0, "pages": 2}


def test_groups_split_at_a_repeated_record():
    first = [_request(1, 1, "Pump")]
    second = [_request(2, 2, "Fan")]
    again = [_request(1, 3, "Pump, checked")]
    later = [_request(3, 4, "Belt")]

    assert _groups_of_distinct_records([first, second]) == [[first, second]]
    assert _groups_of_distinct_records([first, second, again, later]) == [[first, second], [again, later]]
