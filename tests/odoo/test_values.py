"""Value conversion between Odoo's wire format and Python types."""

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from core.odoo import errors
from core.odoo.values import (
    Many2one,
    RecordDecoder,
    encode,
    encode_domain,
    encode_values,
    find_big_integer,
    json_default,
    normalise_datetime_text,
)

TYPES = {
    "id": "integer",
    "name": "char",
    "active": "boolean",
    "equipment_id": "many2one",
    "schedule_date": "datetime",
    "request_date": "date",
    "color": "integer",
    "duration": "float",
    "tag_ids": "many2many",
}


def test_decoder_converts_by_field_type():
    record = {
        "id": 36,
        "name": False,
        "active": False,
        "equipment_id": [1, 'Samsung Monitor 15"'],
        "schedule_date": "2026-02-01 09:00:00",
        "request_date": "2026-01-10",
        "color": 1099511627776.0,
        "duration": 1.5,
        "tag_ids": [3, 4],
    }
    [decoded] = RecordDecoder(TYPES, list(record)).decode([record])
    assert decoded["name"] is None
    assert decoded["active"] is False
    assert decoded["equipment_id"] == Many2one(1, 'Samsung Monitor 15"')
    assert decoded["schedule_date"] == datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
    assert decoded["request_date"] == date(2026, 1, 10)
    assert decoded["color"] == 1099511627776
    assert type(decoded["color"]) is int
    assert decoded["duration"] == 1.5
    assert decoded["tag_ids"] == [3, 4]


def test_decoder_empty_values_become_none():
    record = {"equipment_id": False, "schedule_date": False, "request_date": False}
    [decoded] = RecordDecoder(TYPES, None).decode([record])
    assert decoded == {"equipment_id": None, "schedule_date": None, "request_date": None}


def test_many2one_without_display_name():
    [decoded] = RecordDecoder(TYPES, ["equipment_id"]).decode([{"equipment_id": [7, False]}])
    assert decoded["equipment_id"] == Many2one(7, None)


def test_many2one_shared_within_page():
    records = [{"equipment_id": [3, "Drill"]}, {"equipment_id": [3, "Drill"]}, {"equipment_id": [3, "Drill press"]}]
    first, second, renamed = RecordDecoder(TYPES, ["equipment_id"]).decode(records)
    assert first["equipment_id"] is second["equipment_id"]
    assert renamed["equipment_id"] == Many2one(3, "Drill press")


def test_decoder_leaves_unknown_fields():
    [decoded] = RecordDecoder(TYPES, ["x_custom"]).decode([{"x_custom": False}])
    assert decoded["x_custom"] is False


def test_many2one_json():
    value = Many2one(4, "Monitors")
    assert value.to_json() == {"id": 4, "name": "Monitors"}
    text = json.dumps({"category_id": value, "at": datetime(2026, 1, 1, tzinfo=UTC)}, default=json_default)
    assert json.loads(text) == {"category_id": {"id": 4, "name": "Monitors"}, "at": "2026-01-01T00:00:00+00:00"}


def test_encode_aware_datetime_as_utc():
    paris = timezone(timedelta(hours=1))
    assert encode(datetime(2026, 3, 1, 11, 0, tzinfo=paris)) == "2026-03-01 10:00:00"


def test_encode_rejects_naive_datetime():
    with pytest.raises(errors.InvalidValueError) as caught:
        encode(datetime(2026, 3, 1, 10, 0), "maintenance.request.schedule_date")
    assert "naive datetime 2026-03-01T10:00:00" in str(caught.value)
    assert "maintenance.request.schedule_date" in str(caught.value)


def test_encode_many2one_and_date():
    assert encode({"equipment_id": Many2one(3, "Drill"), "request_date": date(2026, 1, 10)}) == {"equipment_id": 3, "request_date": "2026-01-10"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01T10:00:00Z", "2026-03-01 10:00:00"),
        ("2026-03-01T12:00:00+02:00", "2026-03-01 10:00:00"),
        ("2026-03-01 12:00:00+02:00", "2026-03-01 10:00:00"),
        ("2026-03-01 10:00:00", "2026-03-01 10:00:00"),
    ],
)
def test_datetime_text_normalised(text, expected):
    assert normalise_datetime_text(text, "f") == expected


def test_datetime_text_without_offset_rejected():
    with pytest.raises(errors.InvalidValueError) as caught:
        normalise_datetime_text("2026-03-01T10:00:00", "maintenance.request.schedule_date")
    assert "has no UTC offset" in str(caught.value)
    assert "2026-03-01T10:00:00" in str(caught.value)


def test_encode_values_uses_field_types():
    encoded = encode_values("maintenance.request", {"schedule_date": "2026-03-01T10:00:00Z", "name": "2026-03-01T10:00:00Z"}, TYPES)
    assert encoded["schedule_date"] == "2026-03-01 10:00:00"
    assert encoded["name"] == "2026-03-01T10:00:00Z"


def test_encode_domain_converts_leaves():
    moment = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    domain = ["|", ("schedule_date", ">=", moment), ("equipment_id.name", "=", "x"), ("schedule_date", "<", "2026-03-02T00:00:00Z")]
    assert encode_domain("maintenance.request", domain, TYPES) == [
        "|",
        ["schedule_date", ">=", "2026-03-01 10:00:00"],
        ["equipment_id.name", "=", "x"],
        ["schedule_date", "<", "2026-03-02 00:00:00"],
    ]


def test_find_big_integer_names_path():
    assert find_big_integer([[["id", "=", 2**40]]], "args") == ("args[0][0][2]", 2**40)
    assert find_big_integer({"color": -(2**31) - 1}) == ("color", -(2**31) - 1)
    assert find_big_integer([2**31 - 1, True, "x"]) is None
