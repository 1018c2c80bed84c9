"""Contract: search_read, read, fields_get, paging and value formats, as Odoo 18.0 sends them."""

from __future__ import annotations

import re

from tests.sandbox.wire import (
    execute_kw_json,
    execute_kw_xml,
    fault_of,
    last_line,
    parse_xmlrpc,
    xmlrpc_post,
)

SECOND = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
INVALID_ORDER = (
    'Invalid "order" specified (id; drop table x). A valid "order" specification is a comma-separated list of '
    "valid field names (optionally followed by asc/desc for the direction)"
)


def _is_many2one(value) -> bool:
    return isinstance(value, list) and len(value) == 2 and isinstance(value[0], int) and isinstance(value[1], str)


def test_product_search_read_formats(shared_sandbox):
    fields = ["id", "name", "default_code", "list_price", "qty_available", "uom_id", "type", "write_date"]
    response = execute_kw_xml(shared_sandbox.url, "product.product", "search_read", [[]], {"fields": fields, "limit": 3})
    rows = parse_xmlrpc(response)

    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert len(rows) == 3
    for row in rows:
        assert list(row) == fields
        assert isinstance(row["list_price"], float)
        assert isinstance(row["qty_available"], float)
        assert _is_many2one(row["uom_id"])
        assert row["type"] in ("consu", "service", "combo")
        assert SECOND.match(row["write_date"])
    assert b"<value><double>" in response.content


def test_quant_empty_many2one_is_false(shared_sandbox):
    fields = ["id", "product_id", "location_id", "quantity", "reserved_quantity", "lot_id", "write_date"]
    response = execute_kw_xml(shared_sandbox.url, "stock.quant", "search_read", [[]], {"fields": fields, "limit": 3})
    rows = parse_xmlrpc(response)

    assert [row["id"] for row in rows] == [1, 2, 3]
    for row in rows:
        assert _is_many2one(row["product_id"])
        assert row["location_id"][1].startswith("WH/")
        assert row["lot_id"] is False
    assert b"<name>lot_id</name>\n<value><boolean>0</boolean></value>" in response.content


def test_equipment_and_request_formats(shared_sandbox):
    equipment = parse_xmlrpc(
        execute_kw_xml(
            shared_sandbox.url,
            "maintenance.equipment",
            "search_read",
            [[]],
            {"fields": ["id", "name", "category_id", "owner_user_id", "serial_no", "technician_user_id", "assign_date", "write_date"], "limit": 3},
        )
    )
    requests = parse_xmlrpc(
        execute_kw_xml(
            shared_sandbox.url,
            "maintenance.request",
            "search_read",
            [[]],
            {"fields": ["id", "name", "equipment_id", "stage_id", "request_date", "schedule_date", "maintenance_type", "priority", "write_date"], "limit": 3},
        )
    )

    assert [row["id"] for row in equipment] == [1, 2, 3]
    assert all(_is_many2one(row["owner_user_id"]) and DAY.match(row["assign_date"]) for row in equipment)
    # maintenance.request sorts newest first (_order = "id desc").
    assert [row["id"] for row in requests] == sorted((row["id"] for row in requests), reverse=True)
    for row in requests:
        assert row["stage_id"][1] in ("New Request", "In Progress", "Repaired", "Scrap")
        assert row["schedule_date"] is False or SECOND.match(row["schedule_date"])
        assert row["priority"] in (False, "0", "1", "2", "3")


def test_fields_get_with_attributes(shared_sandbox):
    attributes = ["string", "type", "required", "readonly", "relation", "selection"]
    response = execute_kw_xml(shared_sandbox.url, "maintenance.request", "fields_get", [], {"attributes": attributes})
    fields = parse_xmlrpc(response)

    assert fields["name"] == {"readonly": False, "required": True, "string": "Subjects", "type": "char"}
    assert fields["stage_id"] == {"readonly": False, "relation": "maintenance.stage", "required": False, "string": "Stage", "type": "many2one"}
    assert fields["priority"]["selection"] == [["0", "Very Low"], ["1", "Low"], ["2", "Normal"], ["3", "High"]]
    assert fields["schedule_date"]["type"] == "datetime"
    assert fields["write_date"] == {"readonly": True, "required": False, "string": "Last Updated on", "type": "datetime"}
    for attributes_of_field in fields.values():
        assert list(attributes_of_field) == sorted(attributes_of_field)
    assert b"<name>readonly</name>\n<value><boolean>0</boolean></value>" in response.content


def test_fields_get_jsonrpc_subset(shared_sandbox):
    response = execute_kw_json(
        shared_sandbox.url, "maintenance.equipment", "fields_get", [], {"attributes": ["type", "string", "relation", "required"]}, call_id=8
    )
    fields = response.json()["result"]

    assert fields["company_id"] == {"relation": "res.company", "required": False, "string": "Company", "type": "many2one"}
    assert fields["effective_date"] == {"required": True, "string": "Effective Date", "type": "date"}
    assert fields["maintenance_ids"]["type"] == "one2many"
    assert '"maintenance_ids": {"relation": "maintenance.request", "required": false' in response.text


def test_limit_offset_order(shared_sandbox):
    url = shared_sandbox.url
    everything = parse_xmlrpc(execute_kw_xml(url, "product.product", "search_read", [[]], {"fields": ["id", "name"], "order": "name desc, id"}))
    page = parse_xmlrpc(execute_kw_xml(url, "product.product", "search_read", [[]], {"fields": ["id", "name"], "limit": 3, "offset": 2, "order": "name desc, id"}))
    json_page = execute_kw_json(url, "product.product", "search_read", [[]], {"fields": ["id", "name"], "limit": 3, "offset": 2, "order": "name desc, id"})

    names = [row["name"] for row in everything]
    assert names == sorted(names, reverse=True)
    assert page == everything[2:5]
    assert json_page.json()["result"] == page


def test_search_count_and_limit_zero(shared_sandbox):
    url = shared_sandbox.url
    total = parse_xmlrpc(xmlrpc_post(url, "/xmlrpc/2/object", "execute_kw", "sandbox", 2, "admin", "product.product", "search_count", [[]]))
    unlimited = parse_xmlrpc(execute_kw_xml(url, "product.product", "search_read", [[]], {"fields": ["id"], "limit": 0}))
    past_end = execute_kw_xml(url, "product.product", "search_read", [[]], {"fields": ["id"], "limit": 3, "offset": 100000})

    assert isinstance(total, int)
    assert len(unlimited) == total
    assert unlimited[0] == {"id": unlimited[0]["id"]}
    assert parse_xmlrpc(past_end) == []
    assert b"<value><array><data>\n</data></array></value>" in past_end.content


def test_positional_search_read_arguments(shared_sandbox):
    rows = parse_xmlrpc(execute_kw_xml(shared_sandbox.url, "product.product", "search_read", [[], ["id", "name"], 1, 2, "id desc"]))
    newest = parse_xmlrpc(execute_kw_xml(shared_sandbox.url, "product.product", "search", [[]], {"order": "id desc", "limit": 3}))

    assert [row["id"] for row in rows] == newest[1:3]
    assert [list(row) for row in rows] == [["id", "name"], ["id", "name"]]


def test_order_by_unknown_field(shared_sandbox):
    fault = fault_of(execute_kw_xml(shared_sandbox.url, "product.product", "search_read", [[]], {"fields": ["id"], "limit": 2, "order": "no_such_field asc"}))

    assert fault.faultCode == 1
    assert last_line(fault.faultString) == "ValueError: Invalid field 'no_such_field' on model 'product.product'"


def test_order_with_sql_text(shared_sandbox):
    fault = fault_of(execute_kw_xml(shared_sandbox.url, "product.product", "search_read", [[]], {"fields": ["id"], "limit": 2, "order": "id; drop table x"}))

    assert fault.faultCode == 2
    assert fault.faultString == INVALID_ORDER


def test_many2one_and_x2many_formats(shared_sandbox):
    fields = ["category_id", "owner_user_id", "technician_user_id", "maintenance_ids", "company_id"]
    xml = parse_xmlrpc(execute_kw_xml(shared_sandbox.url, "maintenance.equipment", "search_read", [[]], {"fields": fields, "limit": 3}))
    json = execute_kw_json(shared_sandbox.url, "maintenance.equipment", "search_read", [[]], {"fields": fields, "limit": 3}).json()["result"]

    assert xml == json
    for row in xml:
        assert list(row) == ["id", *fields]
        assert row["company_id"] == [1, "My Company (San Francisco)"]
        assert all(isinstance(item, int) for item in row["maintenance_ids"])
        assert row["maintenance_ids"] == sorted(row["maintenance_ids"], reverse=True)


def test_equipment_display_name_has_serial(shared_sandbox):
    request = parse_xmlrpc(
        execute_kw_xml(shared_sandbox.url, "maintenance.request", "search_read", [[["equipment_id", "!=", False]]], {"fields": ["equipment_id"], "limit": 1})
    )[0]
    equipment = parse_xmlrpc(
        execute_kw_xml(shared_sandbox.url, "maintenance.equipment", "read", [[request["equipment_id"][0]]], {"fields": ["name", "serial_no"]})
    )[0]

    assert request["equipment_id"][1] == f"{equipment['name']}/{equipment['serial_no']}"


def test_read_date_and_datetime_formats(shared_sandbox):
    fields = ["request_date", "schedule_date", "close_date", "create_date", "write_date"]
    xml = parse_xmlrpc(execute_kw_xml(shared_sandbox.url, "maintenance.request", "search_read", [[]], {"fields": fields}))
    first_id = xml[0]["id"]
    json = execute_kw_json(shared_sandbox.url, "maintenance.request", "read", [[first_id]], {"fields": fields}).json()["result"]

    assert json == [xml[0]]
    for row in xml:
        assert DAY.match(row["request_date"])
        assert row["schedule_date"] is False or SECOND.match(row["schedule_date"])
        assert row["close_date"] is False or DAY.match(row["close_date"])
        assert SECOND.match(row["create_date"])
        assert SECOND.match(row["write_date"])


def test_tz_context_keeps_utc(shared_sandbox):
    domain = [["schedule_date", "!=", False]]
    plain = parse_xmlrpc(execute_kw_xml(shared_sandbox.url, "maintenance.request", "search_read", [domain], {"fields": ["schedule_date"], "limit": 3}))
    tokyo = parse_xmlrpc(
        execute_kw_xml(shared_sandbox.url, "maintenance.request", "search_read", [domain], {"fields": ["schedule_date"], "limit": 3, "context": {"tz": "Asia/Tokyo"}})
    )

    assert tokyo == plain


def test_domain_datetime_with_t_separator(shared_sandbox):
    url = shared_sandbox.url
    with_t = parse_xmlrpc(execute_kw_xml(url, "maintenance.request", "search_count", [[["write_date", ">", "2000-01-01T00:00:00"]]]))
    with_space = parse_xmlrpc(execute_kw_xml(url, "maintenance.request", "search_count", [[["write_date", ">", "2000-01-01 00:00:00"]]]))
    everything = parse_xmlrpc(execute_kw_xml(url, "maintenance.request", "search_count", [[]]))

    assert with_t == with_space == everything


def test_read_keeps_existing_skips_missing(shared_sandbox):
    response = execute_kw_xml(shared_sandbox.url, "res.partner", "read", [[1, 999999]], {"fields": ["name"]})

    assert parse_xmlrpc(response) == [{"id": 1, "name": "My Company (San Francisco)"}]


def test_read_archived_record_by_id(shared_sandbox):
    url = shared_sandbox.url
    archived = parse_xmlrpc(execute_kw_xml(url, "res.partner", "search", [[["active", "=", False]]]))
    visible = parse_xmlrpc(execute_kw_xml(url, "res.partner", "search", [[["id", "in", archived]]]))
    rows = parse_xmlrpc(execute_kw_xml(url, "res.partner", "read", [archived], {"fields": ["name", "active"]}))

    assert archived
    assert visible == []
    assert [row["id"] for row in rows] == archived
    assert all(row["active"] is False for row in rows)


def test_read_without_display_names(shared_sandbox):
    rows = parse_xmlrpc(execute_kw_xml(shared_sandbox.url, "stock.quant", "read", [[1]], {"fields": ["product_id", "lot_id"], "load": "_classic_write"}))

    assert isinstance(rows[0]["product_id"], int)
    assert rows[0]["lot_id"] is False


def test_fields_get_without_attributes(shared_sandbox):
    fields = parse_xmlrpc(execute_kw_xml(shared_sandbox.url, "res.partner", "fields_get", []))

    assert fields["name"] == {
        "name": "name",
        "readonly": False,
        "required": False,
        "searchable": True,
        "sortable": True,
        "store": True,
        "string": "Name",
        "type": "char",
    }
    assert fields["child_ids"]["store"] is False
