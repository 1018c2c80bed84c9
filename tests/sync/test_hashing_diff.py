"""Content hashes and the created/updated/unchanged decision for one page."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from core.ledger import CredentialKind, NewConnection, SyncedRecord, SyncTrigger
from core.odoo import Many2one
from core.secrets import Secret
from core.sync.streams import default_stream
from core.sync.diff import StreamRef, changed_fields, diff_page
from core.sync.hashing import content_hash, encode_record, hashed_json, to_json_record, to_json_value

STREAM = StreamRef(connection_id=7, stream_id=3, name="assets", model="maintenance.equipment")
SEEN_AT = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Pair:
    id: int
    name: str


def _stored(record, deleted=False):
    return SyncedRecord(
        connection_id=7,
        stream_id=3,
        odoo_id=record["id"],
        model="maintenance.equipment",
        content_hash=content_hash(record),
        write_date=None,
        data=record,
        deleted_at=SEEN_AT if deleted else None,
        updated_at=SEEN_AT,
        change_seq=1,
    )


def test_json_value_conversions():
    stamp = datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert to_json_value(stamp) == "2026-02-03T04:05:06+00:00"
    assert to_json_value(date(2026, 2, 3)) == "2026-02-03"
    assert to_json_value(Pair(4, "Monitors")) == {"id": 4, "name": "Monitors"}
    assert to_json_value([1, (2, 3)]) == [1, [2, 3]]
    assert to_json_value(None) is None


def test_json_value_rejects_unknown_type():
    with pytest.raises(TypeError, match="cannot store a set field value"):
        to_json_value({1, 2})


def test_hash_ignores_key_order_and_write_date():
    first = {"id": 1, "name": "Pump", "write_date": "2026-01-01T00:00:00+00:00"}
    second = {"write_date": "2026-05-01T00:00:00+00:00", "name": "Pump", "id": 1}
    assert content_hash(first) == content_hash(second)


def test_hash_changes_with_a_value():
    assert content_hash({"id": 1, "name": "Pump"}) != content_hash({"id": 1, "name": "Pump 2"})


def test_changed_fields_lists_differences_only():
    old = {"id": 1, "name": "Pump", "active": True, "write_date": "a"}
    new = {"id": 1, "name": "Pump", "active": False, "write_date": "b"}
    assert changed_fields(old, new) == ["active"]


def test_diff_page_created_updated_unchanged():
    unchanged = to_json_record({"id": 1, "name": "Pump", "category_id": Pair(4, "Monitors")})
    old = {"id": 2, "name": "Valve", "active": True}
    new = {"id": 2, "name": "Valve", "active": False}
    fresh = {"id": 3, "name": "Drill", "active": True}
    stored = {1: _stored(unchanged), 2: _stored(old)}

    changes = diff_page(STREAM, [unchanged, new, fresh], stored)

    assert (changes.created, changes.updated, changes.unchanged) == (1, 1, 1)
    assert [odoo_id for odoo_id, _, _, _ in changes.records] == [2, 3]
    (updated_type, updated_json), (created_type, created_json) = changes.events
    updated = json.loads(updated_json)
    assert updated_type == "record.updated"
    assert updated["changed_fields"] == ["active"]
    assert updated["old"] == {"active": True}
    assert updated["new"] == {"active": False}
    assert updated["record"] == new
    assert created_type == "record.created"
    assert json.loads(created_json) == {"stream": "assets", "model": "maintenance.equipment", "odoo_id": 3, "record": fresh}


def test_diff_page_recreates_deleted_record():
    record = {"id": 5, "name": "Crane"}
    changes = diff_page(STREAM, [record], {5: _stored(record, deleted=True)})
    assert [event_type for event_type, _ in changes.events] == ["record.created"]


def test_hash_same_for_client_values_and_json_form():
    record = {
        "id": 1,
        "schedule_date": datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC),
        "request_date": date(2026, 2, 3),
        "stage_id": Many2one(3, "Repaired"),
        "duration": 2.5,
    }
    assert content_hash(record) == content_hash(to_json_record(record))


def test_ledger_stores_client_values_as_their_json_form(ledger):
    connection = ledger.add_connection(
        NewConnection("plant", "http://127.0.0.1:1", "db", "admin", Secret("x"), CredentialKind.PASSWORD)
    )
    stream = ledger.upsert_streams(connection.id, [default_stream("work_orders")])[0]
    run = ledger.start_run(connection.id, SyncTrigger.MANUAL, ["work_orders"], SEEN_AT)
    record = {
        "id": 9,
        "write_date": datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC),
        "request_date": date(2026, 2, 3),
        "stage_id": Many2one(3, "Repaired"),
        "user_id": None,
    }
    ref = StreamRef(connection.id, stream.id, "work_orders", "maintenance.request")
    changes = diff_page(ref, [record], {})
    ledger.commit_encoded_page(run.id, stream.id, changes.records, changes.events, None, None, at=SEEN_AT)

    stored = ledger.get_record(connection.id, "work_orders", 9)
    event = ledger.list_events(connection.id).items[0]
    assert stored.data == to_json_record(record)
    assert stored.content_hash == content_hash(stored.data)
    assert event.data["record"] == to_json_record(record)


def _json_module_hash_input(record):
    # The canonical form earlier versions hashed, so stored hashes stay valid.
    hashed = {name: to_json_value(value) for name, value in record.items() if name != "write_date"}
    return json.dumps(hashed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def test_hashed_json_matches_json_module_form():
    record = {
        "id": 12,
        "write_date": datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC),
        "name": "Pompe \u00e0 chaleur \u6f22\u5b57 \"A\"\n",
        "schedule_date": datetime(2026, 2, 3, 4, 5, 6, 250000, tzinfo=UTC),
        "request_date": date(2026, 2, 3),
        "stage_id": Many2one(3, "Repaired"),
        "user_id": Many2one(6, None),
        "close_date": None,
        "duration": 2.5,
        "archive": False,
        "tag_ids": [1, 2],
    }
    assert hashed_json(record) == _json_module_hash_input(record)


def test_hashed_json_handles_integers_beyond_64_bits():
    record = {"id": 1, "big": 2**70}
    assert hashed_json(record) == b'{"big":1180591620717411303424,"id":1}'


def _encoded_forms_match(record):
    hashed, full = encode_record(record)
    assert hashed == hashed_json(record)
    assert json.loads(full) == to_json_record(record)
    return hashed, full


# (case, record, expected hash input, expected full JSON or None to skip that check)
ENCODE_CASES = [
    (
        "write_date last",
        {"id": 4, "name": "Pump", "write_date": datetime(2026, 2, 3, 4, 5, 6, 250000, tzinfo=UTC)},
        b'{"id":4,"name":"Pump"}',
        b'{"id":4,"name":"Pump","write_date":"2026-02-03T04:05:06.250000+00:00"}',
    ),
    (
        "key after write_date",
        {"id": 4, "x_plant": "Lyon", "write_date": datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)},
        b'{"id":4,"x_plant":"Lyon"}',
        None,
    ),
    (
        # The nested member ends the text but for one brace, so only the record's own one is cut.
        "nested write_date",
        {
            "id": 4,
            "write_date": datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC),
            "x_meta": {"by": "Marc", "write_date": "2026-01-01T00:00:00+00:00"},
        },
        b'{"id":4,"x_meta":{"by":"Marc","write_date":"2026-01-01T00:00:00+00:00"}}',
        None,
    ),
    ("quote in write_date", {"id": 4, "write_date": 'not "a" date'}, b'{"id":4}', None),
    (
        "integer beyond 64 bits",
        {"id": 1, "big": 2**70, "write_date": None},
        b'{"big":1180591620717411303424,"id":1}',
        b'{"big":1180591620717411303424,"id":1,"write_date":null}',
    ),
]


@pytest.mark.parametrize(("record", "hash_input", "full_json"), [case[1:] for case in ENCODE_CASES],
                         ids=[case[0] for case in ENCODE_CASES])
def test_encode_record_forms(record, hash_input, full_json):
    hashed, full = _encoded_forms_match(record)

    assert hashed == hash_input
    if full_json is not None:
        assert full == full_json


def test_encode_record_with_empty_or_missing_write_date():
    _encoded_forms_match({"id": 4, "write_date": None})
    _encoded_forms_match({"write_date": datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)})
    assert encode_record({"id": 4}) == (b'{"id":4}', b'{"id":4}')


def test_created_event_json_matches_its_data():
    record = {
        "id": 8,
        "write_date": datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC),
        "stage_id": Many2one(3, "Repaired"),
        "request_date": date(2026, 2, 3),
    }
    changes = diff_page(STREAM, [record], {})

    [(odoo_id, digest, write_date, data_json)] = changes.records
    [(event_type, event_json)] = changes.events
    assert odoo_id == 8
    assert write_date == datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC).timestamp()
    assert json.loads(data_json) == to_json_record(record)
    assert digest == content_hash(record)
    assert event_type == "record.created"
    assert json.loads(event_json) == {
        "stream": "assets",
        "model": "maintenance.equipment",
        "odoo_id": 8,
        "record": to_json_record(record),
    }
