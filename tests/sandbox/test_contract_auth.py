"""Contract: version, login, wrong credentials, wrong database and PostgreSQL down.

Expected values are those a real Odoo 18.0 server sent for the same calls.
"""

from __future__ import annotations

from tests.sandbox.wire import (
    execute_kw_json,
    execute_kw_xml,
    fault_of,
    json_error,
    jsonrpc_post,
    last_line,
    parse_xmlrpc,
    xmlrpc_post,
)

FALSE_BODY = (
    '<?xml version="1.0"?>\n<methodResponse>\n<params>\n<param>\n<value><boolean>0</boolean></value>\n'
    "</param>\n</params>\n\n</methodResponse>\n"
)
ACCESS_DENIED_BODY = (
    '<?xml version="1.0"?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n'
    "<value><int>3</int></value>\n</member>\n<member>\n<name>faultString</name>\n"
    "<value><string>Access Denied</string></value>\n</member>\n</struct></value>\n</fault>\n\n</methodResponse>\n"
)
NO_DATABASE = 'connection to server at "127.0.0.1", port 5433 failed: FATAL:  database "nosuchdb" does not exist\n'
POSTGRES_DOWN = (
    'connection to server at "127.0.0.1", port 5433 failed: Connection refused\n'
    "\tIs the server running on that host and accepting TCP/IP connections?\n"
)


def test_authenticate_with_api_key(shared_sandbox):
    key = shared_sandbox.api_key.reveal()

    xml = xmlrpc_post(shared_sandbox.url, "/xmlrpc/2/common", "authenticate", "sandbox", "admin", key, {})
    json = jsonrpc_post(shared_sandbox.url, "common", "authenticate", ["sandbox", "admin", key, {}], call_id=3)

    assert parse_xmlrpc(xml) == 2
    assert json.text == '{"jsonrpc": "2.0", "id": 3, "result": 2}'


def test_legacy_login_returns_uid(shared_sandbox):
    response = xmlrpc_post(shared_sandbox.url, "/xmlrpc/2/common", "login", "sandbox", "admin", "admin")

    assert parse_xmlrpc(response) == 2


def test_api_key_as_execute_kw_password(shared_sandbox):
    key = shared_sandbox.api_key.reveal()

    rows = parse_xmlrpc(
        execute_kw_xml(shared_sandbox.url, "product.product", "search_read", [[]], {"fields": ["name"], "limit": 2}, password=key)
    )

    assert len(rows) == 2
    assert [list(row) for row in rows] == [["id", "name"], ["id", "name"]]


def test_authenticate_wrong_password_is_false(shared_sandbox):
    xml = xmlrpc_post(shared_sandbox.url, "/xmlrpc/2/common", "authenticate", "sandbox", "admin", "wrong-pw", {})
    json = jsonrpc_post(shared_sandbox.url, "common", "authenticate", ["sandbox", "admin", "wrong-pw", {}], call_id=13)
    unknown = xmlrpc_post(shared_sandbox.url, "/xmlrpc/2/common", "authenticate", "sandbox", "nobody@example.invalid", "x", {})

    assert xml.status_code == 200
    assert xml.content == FALSE_BODY.encode()
    assert json.text == '{"jsonrpc": "2.0", "id": 13, "result": false}'
    assert unknown.content == FALSE_BODY.encode()


def test_execute_kw_wrong_password_xmlrpc(shared_sandbox):
    response = execute_kw_xml(shared_sandbox.url, "res.partner", "search", [[]], {"limit": 1}, password="wrong-pw")

    assert response.status_code == 200
    assert response.content == ACCESS_DENIED_BODY.encode()


def test_execute_kw_wrong_password_jsonrpc(shared_sandbox):
    response = execute_kw_json(shared_sandbox.url, "res.partner", "search", [[]], {"limit": 1}, password="wrong-pw", call_id=14)
    error = json_error(response)

    assert response.status_code == 200
    assert response.json()["id"] == 14
    assert error["code"] == 200
    assert error["message"] == "Odoo Server Error"
    assert error["data"]["name"] == "odoo.exceptions.AccessDenied"
    assert error["data"]["message"] == "Access Denied"
    assert error["data"]["arguments"] == ["Access Denied"]
    assert error["data"]["context"] == {}
    assert error["data"]["debug"].startswith("Traceback (most recent call last):\n")
    assert error["data"]["debug"].endswith("odoo.exceptions.AccessDenied: Access Denied\n")


def test_execute_kw_unknown_uid(shared_sandbox):
    fault = fault_of(execute_kw_xml(shared_sandbox.url, "res.partner", "search", [[]], {"limit": 1}, uid=9999))

    assert fault.faultCode == 2
    assert fault.faultString == "Record does not exist or has been deleted.\n(Record: res.users(9999,), User: 9999)"


def test_wrong_database_xmlrpc(shared_sandbox):
    login = fault_of(xmlrpc_post(shared_sandbox.url, "/xmlrpc/2/common", "authenticate", "nosuchdb", "admin", "admin", {}))
    call = fault_of(execute_kw_xml(shared_sandbox.url, "res.partner", "search", [[]], {"limit": 1}, db="nosuchdb"))

    for fault in (login, call):
        assert fault.faultCode == 1
        assert fault.faultString.startswith("Traceback (most recent call last):\n")
        assert fault.faultString.endswith("psycopg2.OperationalError: " + NO_DATABASE + "\n")
        assert last_line(fault.faultString) == "psycopg2.OperationalError: " + NO_DATABASE.rstrip("\n")


def test_wrong_database_jsonrpc(shared_sandbox):
    login = jsonrpc_post(shared_sandbox.url, "common", "authenticate", ["nosuchdb", "admin", "admin", {}], call_id=15)
    call = execute_kw_json(shared_sandbox.url, "res.partner", "search", [[]], {"limit": 1}, db="nosuchdb", call_id=16)

    for response in (login, call):
        error = json_error(response)
        assert error["code"] == 200
        assert error["message"] == "Odoo Server Error"
        assert error["data"]["name"] == "psycopg2.OperationalError"
        assert error["data"]["message"] == NO_DATABASE
        assert error["data"]["arguments"] == [NO_DATABASE]


def test_db_list_names_sandbox(shared_sandbox):
    response = xmlrpc_post(shared_sandbox.url, "/xmlrpc/2/db", "list")

    assert parse_xmlrpc(response) == ["sandbox"]
    assert b"<value><string>sandbox</string></value>" in response.content


def test_no_login_cooldown_over_rpc(shared_sandbox):
    for _attempt in range(5):
        wrong = xmlrpc_post(shared_sandbox.url, "/xmlrpc/2/common", "authenticate", "sandbox", "admin", "wrong-pw", {})
        assert parse_xmlrpc(wrong) is False

    right = xmlrpc_post(shared_sandbox.url, "/xmlrpc/2/common", "authenticate", "sandbox", "admin", "admin", {})
    json = jsonrpc_post(shared_sandbox.url, "common", "authenticate", ["sandbox", "admin", "admin", {}], call_id=37)
    with_key = execute_kw_xml(shared_sandbox.url, "res.partner", "search", [[]], {"limit": 1}, password=shared_sandbox.api_key.reveal())
    wrong_call = execute_kw_xml(shared_sandbox.url, "res.partner", "search", [[]], {"limit": 1}, password="wrong-again")

    assert parse_xmlrpc(right) == 2
    assert json.text == '{"jsonrpc": "2.0", "id": 37, "result": 2}'
    assert len(parse_xmlrpc(with_key)) == 1
    assert fault_of(wrong_call).faultCode == 3


def test_postgres_down_and_back(sandbox):
    sandbox.faults.database_down(True)

    version = xmlrpc_post(sandbox.url, "/xmlrpc/2/common", "version")
    login = fault_of(xmlrpc_post(sandbox.url, "/xmlrpc/2/common", "authenticate", "sandbox", "admin", "admin", {}))
    call = fault_of(execute_kw_xml(sandbox.url, "res.partner", "search", [[]], {"limit": 1}))
    json_call = json_error(execute_kw_json(sandbox.url, "res.partner", "search", [[]], {"limit": 1}, call_id=34))
    json_login = json_error(jsonrpc_post(sandbox.url, "common", "authenticate", ["sandbox", "admin", "admin", {}], call_id=35))

    assert parse_xmlrpc(version)["server_version"] == "18.0-20250702"
    for fault in (login, call):
        assert fault.faultCode == 1
        assert last_line(fault.faultString) == "\tIs the server running on that host and accepting TCP/IP connections?"
        assert "psycopg2.OperationalError: " + POSTGRES_DOWN in fault.faultString
    for error in (json_call, json_login):
        assert error["code"] == 200
        assert error["data"]["name"] == "psycopg2.OperationalError"
        assert error["data"]["message"] == POSTGRES_DOWN

    sandbox.faults.database_down(False)
    after = execute_kw_xml(sandbox.url, "res.partner", "search", [[]], {"limit": 1})
    assert len(parse_xmlrpc(after)) == 1
