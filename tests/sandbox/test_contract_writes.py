"""Contract: create, write, unlink and their errors, None results and big integers."""

from __future__ import annotations

import datetime as dt
import re

from tests.sandbox.wire import (
    exception_line,
    execute_kw_json,
    execute_kw_xml,
    fault_of,
    json_error,
    last_line,
    parse_xmlrpc,
    xmlrpc_post,
    xmlrpc_post_raw,
)

SECOND = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
TRUE_BODY = (
    '<?xml version="1.0"?>\n<methodResponse>\n<params>\n<param>\n<value><boolean>1</boolean></value>\n'
    "</param>\n</params>\n\n</methodResponse>\n"
)
MANDATORY = (
    "The operation cannot be completed:\n"
    "- Create/update: a mandatory field is not set.\n"
    "- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n"
)
BIG = 2**40


def _raw_call(model: str, method: str, args_xml: str) -> str:
    """Return an execute_kw body with hand-written args, for values the stdlib refuses."""
    return (
        "<?xml version='1.0'?>\n<methodCall><methodName>execute_kw</methodName><params>"
        "<param><value><string>sandbox</string></value></param><param><value><int>2</int></value></param>"
        "<param><value><string>admin</string></value></param>"
        f"<param><value><string>{model}</string></value></param><param><value><string>{method}</string></value></param>"
        f"<param><value><array><data>{args_xml}</data></array></value></param></params></methodCall>"
    )


def _latest_write_date(url: str, model: str) -> str:
    rows = parse_xmlrpc(execute_kw_xml(url, model, "search_read", [[]], {"fields": ["write_date"], "order": "write_date desc", "limit": 1}))
    return rows[0]["write_date"]


def test_write_create_then_poll(sandbox):
    url = sandbox.url
    last = max(_latest_write_date(url, "maintenance.request"), _latest_write_date(url, "maintenance.equipment"))
    first = parse_xmlrpc(execute_kw_xml(url, "maintenance.equipment", "search", [[]], {"limit": 1}))

    written = execute_kw_xml(url, "maintenance.equipment", "write", [first, {"note": "<p>written by a test</p>", "serial_no": "SN-RELAY-1"}])
    single = parse_xmlrpc(execute_kw_xml(url, "maintenance.request", "create", [{"name": "Relay test request (xmlrpc)", "equipment_id": first[0], "priority": "2"}]))
    batch = parse_xmlrpc(execute_kw_xml(url, "maintenance.request", "create", [[{"name": "Relay batch A"}, {"name": "Relay batch B"}]]))
    requests = parse_xmlrpc(execute_kw_xml(url, "maintenance.request", "search_read", [[["write_date", ">", last]]], {"fields": ["id", "name", "write_date", "create_date"]}))
    equipment = parse_xmlrpc(execute_kw_xml(url, "maintenance.equipment", "search_read", [[["write_date", ">", last]]], {"fields": ["id", "name", "serial_no", "write_date"]}))

    assert first == [1]
    assert written.content == TRUE_BODY.encode()
    assert isinstance(single, int)
    assert batch == [single + 1, single + 2]
    new, repeated = requests[:3], requests[3:]
    assert [row["id"] for row in new] == [single + 2, single + 1, single]
    assert [row["name"] for row in new] == ["Relay batch B", "Relay batch A", "Relay test request (xmlrpc)"]
    for row in new:
        assert SECOND.match(row["write_date"])
        assert row["write_date"] == row["create_date"]
        assert row["write_date"] > last
    # Rows saved in the second of ``last`` come back too: the stored value
    # has microseconds, the poll value does not.
    assert all(row["write_date"] == last for row in repeated)
    assert equipment[0]["id"] == 1
    assert equipment[0]["serial_no"] == "SN-RELAY-1"
    assert all(row["write_date"] == last for row in equipment[1:])


def test_same_second_poll_repeats(sandbox):
    url = sandbox.url
    created = parse_xmlrpc(execute_kw_xml(url, "maintenance.request", "create", [{"name": "Same second"}]))
    stamp = parse_xmlrpc(execute_kw_xml(url, "maintenance.request", "read", [[created]], {"fields": ["write_date"]}))[0]["write_date"]
    stored = sandbox.store.get("maintenance.request", created)["write_date"]

    again = parse_xmlrpc(execute_kw_xml(url, "maintenance.request", "search", [[["write_date", ">", stamp]]]))

    # The database keeps microseconds but the wire cuts them, so "> last
    # second seen" matches the records of that second once more.
    assert stored.microsecond > 0
    assert created in again


def test_jsonrpc_write_create_poll(sandbox):
    url = sandbox.url
    last = _latest_write_date(url, "maintenance.equipment")

    written = execute_kw_json(url, "maintenance.equipment", "write", [[1], {"serial_no": "SN-RELAY-2"}], call_id=10)
    created = execute_kw_json(url, "maintenance.request", "create", [{"name": "Relay test request (jsonrpc)", "equipment_id": 1}], call_id=11)
    polled = execute_kw_json(url, "maintenance.equipment", "search_read", [[["write_date", ">", last]]], {"fields": ["id", "serial_no", "write_date"]}, call_id=12)

    assert written.text == '{"jsonrpc": "2.0", "id": 10, "result": true}'
    assert re.fullmatch(r'\{"jsonrpc": "2\.0", "id": 11, "result": \d+\}', created.text)
    rows = polled.json()["result"]
    assert (rows[0]["id"], rows[0]["serial_no"]) == (1, "SN-RELAY-2")
    assert SECOND.match(rows[0]["write_date"])
    assert all(row["write_date"] == last for row in rows[1:])


def test_create_missing_required_field(sandbox):
    request = fault_of(execute_kw_xml(sandbox.url, "maintenance.request", "create", [{"priority": "1"}]))
    json = json_error(execute_kw_json(sandbox.url, "maintenance.request", "create", [{"priority": "1"}], call_id=22))
    product = fault_of(execute_kw_xml(sandbox.url, "product.product", "create", [{"default_code": "NONAME"}]))

    expected = MANDATORY + "Model: Maintenance Request (maintenance.request)\nField: Subjects (name)\n"
    assert request.faultCode == 2
    assert request.faultString == expected
    assert json["data"]["name"] == "odoo.exceptions.ValidationError"
    assert json["data"]["message"] == expected
    assert product.faultCode == 2
    assert product.faultString == MANDATORY + "Model: Product (product.template)\nField: Name (name)\n"


def test_create_bad_selection_value(sandbox):
    fault = fault_of(execute_kw_xml(sandbox.url, "res.partner", "create", [{"name": "x", "type": "not-a-type"}]))

    assert fault.faultCode == 1
    assert last_line(fault.faultString) == "ValueError: Wrong value for res.partner.type: 'not-a-type'"


def test_nil_values_written_as_false(sandbox):
    url = sandbox.url
    partner = parse_xmlrpc(execute_kw_xml(url, "res.partner", "create", [{"name": "Relay None test", "phone": "1", "email": "a@b.example"}]))

    written = xmlrpc_post(url, "/xmlrpc/2/object", "execute_kw", "sandbox", 2, "admin", "res.partner", "write",
                          [[partner], {"comment": None, "phone": None, "email": None}], allow_none=True)
    back = parse_xmlrpc(execute_kw_xml(url, "res.partner", "read", [[partner]], {"fields": ["comment", "phone", "parent_id", "email"]}))
    unlimited = xmlrpc_post(url, "/xmlrpc/2/object", "execute_kw", "sandbox", 2, "admin", "res.partner", "search_read",
                            [[["id", "=", partner]]], {"fields": ["name"], "limit": None}, allow_none=True)
    json_write = execute_kw_json(url, "res.partner", "write", [[partner], {"comment": None, "phone": None}], call_id=24)

    assert parse_xmlrpc(written) is True
    assert back == [{"id": partner, "comment": False, "phone": False, "parent_id": False, "email": False}]
    assert b"<nil/>" not in unlimited.content
    assert parse_xmlrpc(unlimited) == [{"id": partner, "name": "Relay None test"}]
    assert json_write.text == '{"jsonrpc": "2.0", "id": 24, "result": true}'


def test_none_result_faults_after_commit(sandbox):
    url = sandbox.url
    first, second = parse_xmlrpc(execute_kw_xml(url, "maintenance.request", "search", [[["archive", "=", False]]], {"limit": 2}))

    fault = fault_of(execute_kw_xml(url, "maintenance.request", "archive_equipment_request", [[first]]))
    after = parse_xmlrpc(execute_kw_xml(url, "maintenance.request", "read", [[first]], {"fields": ["archive"]}))
    json = execute_kw_json(url, "maintenance.request", "archive_equipment_request", [[second]], call_id=23)

    assert fault.faultCode == 1
    assert last_line(fault.faultString) == "TypeError: cannot marshal None unless allow_none is enabled"
    assert after == [{"id": first, "archive": True}]
    assert json.text == '{"jsonrpc": "2.0", "id": 23}'


def test_big_integer_in_domain(sandbox):
    leaf = f"<value><array><data><value><string>id</string></value><value><string>=</string></value><value><{{tag}}>{BIG}</{{tag}}></value></data></array></value>"
    expected = f'psycopg2.errors.NumericValueOutOfRange: value "{BIG}" is out of range for type integer'

    for tag in ("int", "i8"):
        body = _raw_call("res.partner", "search", f"<value><array><data>{leaf.format(tag=tag)}</data></array></value>")
        fault = fault_of(xmlrpc_post_raw(sandbox.url, "/xmlrpc/2/object", body))
        assert fault.faultCode == 1
        assert exception_line(fault.faultString, "psycopg2.errors.NumericValueOutOfRange") == expected
        assert "LINE 1: " in fault.faultString

    json = json_error(execute_kw_json(sandbox.url, "res.partner", "search", [[["id", "=", BIG]]], call_id=27))
    assert json["data"]["name"] == "psycopg2.errors.NumericValueOutOfRange"
    assert json["data"]["message"] == (
        f'value "{BIG}" is out of range for type integer\n'
        """LINE 1: ...rtner"."active" = true) AND ("res_partner"."id" = '109951162...\n"""
        + " " * 61
        + "^\n"
    )


def test_big_integer_written_to_int4(sandbox):
    args = "<value><array><data><value><int>1</int></value></data></array></value>" \
           f"<value><struct><member><name>color</name><value><int>{2**31}</int></value></member></struct></value>"
    fault = fault_of(xmlrpc_post_raw(sandbox.url, "/xmlrpc/2/object", _raw_call("res.partner", "write", args)))

    assert fault.faultCode == 1
    assert last_line(fault.faultString) == "psycopg2.errors.NumericValueOutOfRange: integer out of range"


def test_big_integer_results_are_doubles(sandbox):
    url = sandbox.url
    fits = execute_kw_xml(url, "res.partner", "default_get", [["color"]], {"context": {"default_color": 2**31 - 1}})
    body = _raw_call("res.partner", "default_get", "<value><array><data><value><string>color</string></value></data></array></value>")
    body = body.replace("</data></array></value></param></params>",
                        f"</data></array></value></param><param><value><struct><member><name>context</name><value><struct><member><name>default_color</name><value><int>{BIG}</int></value></member></struct></value></member></struct></value></param></params>")
    big = xmlrpc_post_raw(url, "/xmlrpc/2/object", body)
    json = execute_kw_json(url, "res.partner", "default_get", [["color"]], {"context": {"default_color": BIG}}, call_id=26)

    assert b"<value><int>2147483647</int></value>" in fits.content
    assert b"<value><double>1099511627776.0</double></value>" in big.content
    assert parse_xmlrpc(big) == {"color": 1099511627776.0}
    assert json.text == '{"jsonrpc": "2.0", "id": 26, "result": {"color": 1099511627776.0}}'


def test_datetime_write_formats(sandbox):
    url = sandbox.url
    request = parse_xmlrpc(execute_kw_xml(url, "maintenance.request", "search", [[]], {"limit": 1}))[0]

    as_text = execute_kw_xml(url, "maintenance.request", "write", [[request], {"schedule_date": "2026-01-15 08:30:00", "request_date": "2026-01-10"}])
    as_native = execute_kw_xml(url, "maintenance.request", "write", [[request], {"schedule_date": dt.datetime(2026, 2, 1, 9, 0, 0)}])
    with_zone = fault_of(execute_kw_xml(url, "maintenance.request", "write", [[request], {"schedule_date": "2026-03-01T10:00:00Z"}]))
    with_t = fault_of(execute_kw_xml(url, "maintenance.request", "write", [[request], {"schedule_date": "2026-03-01T10:00:00"}]))
    back = parse_xmlrpc(execute_kw_xml(url, "maintenance.request", "read", [[request]], {"fields": ["request_date", "schedule_date"]}))

    assert parse_xmlrpc(as_text) is True
    assert parse_xmlrpc(as_native) is True
    assert with_zone.faultCode == 1
    assert last_line(with_zone.faultString) == "ValueError: time data '2026-03-01T10:00:00Z' does not match format '%Y-%m-%d %H:%M:%S'"
    assert last_line(with_t.faultString) == "ValueError: time data '2026-03-01T10:00:00' does not match format '%Y-%m-%d %H:%M:%S'"
    assert back == [{"id": request, "request_date": "2026-01-10", "schedule_date": "2026-02-01 09:00:00"}]


def test_many2one_write_forms(sandbox):
    url = sandbox.url
    request = parse_xmlrpc(execute_kw_xml(url, "maintenance.request", "create", [{"name": "m2o forms", "equipment_id": 1}]))

    pair_written = parse_xmlrpc(execute_kw_xml(url, "maintenance.request", "write", [[request], {"equipment_id": [1, "x"]}]))
    after_pair = parse_xmlrpc(execute_kw_xml(url, "maintenance.request", "read", [[request]], {"fields": ["equipment_id"]}))
    plain = parse_xmlrpc(execute_kw_xml(url, "maintenance.request", "write", [[request], {"equipment_id": 1}]))
    pair_created = fault_of(execute_kw_xml(url, "maintenance.request", "create", [{"name": "m2o pair create", "equipment_id": [1, "x"]}]))
    json_pair = execute_kw_json(url, "maintenance.request", "write", [[request], {"equipment_id": [1, "x"]}], call_id=30)
    json_back = execute_kw_json(url, "maintenance.request", "read", [[request]], {"fields": ["equipment_id"]}, call_id=31)
    cleared = parse_xmlrpc(execute_kw_xml(url, "maintenance.request", "write", [[request], {"equipment_id": False}]))
    missing = fault_of(execute_kw_xml(url, "maintenance.request", "write", [[request], {"equipment_id": 999999}]))

    assert pair_written is True
    assert after_pair == [{"id": request, "equipment_id": False}]
    assert plain is True
    assert pair_created.faultCode == 1
    assert exception_line(pair_created.faultString, "psycopg2.errors.InvalidTextRepresentation") == (
        'psycopg2.errors.InvalidTextRepresentation: invalid input syntax for type integer: "x"'
    )
    assert json_pair.text == '{"jsonrpc": "2.0", "id": 30, "result": true}'
    assert json_back.text == f'{{"jsonrpc": "2.0", "id": 31, "result": [{{"id": {request}, "equipment_id": false}}]}}'
    assert cleared is True
    assert missing.faultCode == 2
    assert missing.faultString == "Record does not exist or has been deleted.\n(Record: maintenance.equipment(999999,), User: 2)"


def test_deleted_record_reads_and_writes(sandbox):
    url = sandbox.url
    partner = parse_xmlrpc(execute_kw_xml(url, "res.partner", "create", [{"name": "to delete"}]))

    unlinked = parse_xmlrpc(execute_kw_xml(url, "res.partner", "unlink", [[partner]]))
    read = execute_kw_xml(url, "res.partner", "read", [[partner]], {"fields": ["name"]})
    json_read = execute_kw_json(url, "res.partner", "read", [[partner]], {"fields": ["name"]}, call_id=32)
    mixed = parse_xmlrpc(execute_kw_xml(url, "res.partner", "read", [[1, partner]], {"fields": ["name"]}))
    write = fault_of(execute_kw_xml(url, "res.partner", "write", [[partner], {"name": "x"}]))
    unlink_again = fault_of(execute_kw_xml(url, "res.partner", "unlink", [[partner]]))
    searched = parse_xmlrpc(execute_kw_xml(url, "res.partner", "search_read", [[["id", "=", partner]]], {"fields": ["name"]}))

    missing = f"Record does not exist or has been deleted.\n(Record: res.partner({partner},), User: 2)"
    assert unlinked is True
    assert parse_xmlrpc(read) == []
    assert json_read.text == '{"jsonrpc": "2.0", "id": 32, "result": []}'
    assert mixed == [{"id": 1, "name": "My Company (San Francisco)"}]
    assert (write.faultCode, write.faultString) == (2, missing)
    assert (unlink_again.faultCode, unlink_again.faultString) == (2, missing)
    assert searched == []


def test_archived_request_read_by_id(sandbox):
    url = sandbox.url
    request = parse_xmlrpc(execute_kw_xml(url, "maintenance.request", "create", [{"name": "to archive"}]))
    sandbox.store.archive("maintenance.request", [request])

    rows = parse_xmlrpc(execute_kw_xml(url, "maintenance.request", "read", [[request]], {"fields": ["name", "archive"]}))

    assert rows == [{"id": request, "name": "to archive", "archive": True}]


def test_one2many_commands(sandbox):
    url = sandbox.url
    company = parse_xmlrpc(execute_kw_xml(url, "res.partner", "create", [{"name": "Lines Inc.", "is_company": True, "child_ids": [[0, 0, {"name": "Ann"}], [0, 0, {"name": "Bob"}]]}]))
    children = parse_xmlrpc(execute_kw_xml(url, "res.partner", "read", [[company]], {"fields": ["child_ids"]}))[0]["child_ids"]
    ann = parse_xmlrpc(execute_kw_xml(url, "res.partner", "search", [[["name", "=", "Ann"], ["parent_id", "=", company]]]))[0]

    execute_kw_xml(url, "res.partner", "write", [[company], {"child_ids": [[3, ann], [1, children[0], {"phone": "+1 555"}]]}])
    after = parse_xmlrpc(execute_kw_xml(url, "res.partner", "read", [[company]], {"fields": ["child_ids"]}))[0]["child_ids"]
    ann_row = parse_xmlrpc(execute_kw_xml(url, "res.partner", "read", [[ann]], {"fields": ["parent_id", "complete_name"]}))[0]

    assert len(children) == 2
    assert ann not in after
    assert len(after) == 1
    assert ann_row["parent_id"] is False
    assert ann_row["complete_name"] == "Ann"
