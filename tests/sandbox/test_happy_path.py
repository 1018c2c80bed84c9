"""Version, authenticate and reads on every sandbox model, over XML-RPC and JSON-RPC."""

from __future__ import annotations

import re

import pytest

from tests.sandbox.wire import execute_kw_json, execute_kw_xml, jsonrpc_post, parse_xmlrpc, xmlrpc_post

MODELS = [
    "res.partner",
    "product.product",
    "stock.location",
    "stock.quant",
    "maintenance.equipment",
    "maintenance.request",
    "purchase.order",
]
SECOND_PRECISION = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def test_xmlrpc_version_fields(shared_sandbox):
    response = xmlrpc_post(shared_sandbox.url, "/xmlrpc/2/common", "version")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert parse_xmlrpc(response) == {
        "server_version": "18.0-20250702",
        "server_version_info": [18, 0, 0, "final", 0, ""],
        "server_serie": "18.0",
        "protocol_version": 1,
    }


def test_xmlrpc_authenticate_exact_body(shared_sandbox):
    response = xmlrpc_post(shared_sandbox.url, "/xmlrpc/2/common", "authenticate", "sandbox", "admin", "admin", {})

    expected = (
        '<?xml version="1.0"?>\n<methodResponse>\n<params>\n<param>\n<value><int>2</int></value>\n'
        "</param>\n</params>\n\n</methodResponse>\n"
    )
    assert response.content == expected.encode()
    assert response.headers["content-length"] == "122"


def test_jsonrpc_version_exact_body(shared_sandbox):
    response = jsonrpc_post(shared_sandbox.url, "common", "version", [], call_id=1)

    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.text == (
        '{"jsonrpc": "2.0", "id": 1, "result": {"server_version": "18.0-20250702", '
        '"server_version_info": [18, 0, 0, "final", 0, ""], "server_serie": "18.0", "protocol_version": 1}}'
    )


@pytest.mark.parametrize("model", MODELS)
def test_search_read_every_model(shared_sandbox, model):
    xml_rows = parse_xmlrpc(execute_kw_xml(shared_sandbox.url, model, "search_read", [[]], {"limit": 5}))
    json_rows = execute_kw_json(shared_sandbox.url, model, "search_read", [[]], {"limit": 5}).json()["result"]

    assert len(xml_rows) == 5
    assert xml_rows == json_rows
    for row in xml_rows:
        assert list(row)[0] == "id"
        assert SECOND_PRECISION.match(row["write_date"])
        assert SECOND_PRECISION.match(row["create_date"])


@pytest.mark.parametrize("model", MODELS)
def test_read_and_fields_get_every_model(shared_sandbox, model):
    ids = parse_xmlrpc(execute_kw_xml(shared_sandbox.url, model, "search", [[]], {"limit": 2}))
    fields = parse_xmlrpc(execute_kw_xml(shared_sandbox.url, model, "fields_get", [], {"attributes": ["type", "string"]}))
    rows = parse_xmlrpc(execute_kw_xml(shared_sandbox.url, model, "read", [ids], {"fields": ["display_name", "write_date"]}))

    assert [row["id"] for row in rows] == ids
    assert fields["id"] == {"string": "ID", "type": "integer"}
    assert fields["write_date"] == {"string": "Last Updated on", "type": "datetime"}
    assert all(isinstance(row["display_name"], str) and row["display_name"] for row in rows)


def test_context_get_names_uid(shared_sandbox):
    context = parse_xmlrpc(execute_kw_xml(shared_sandbox.url, "res.users", "context_get", []))

    assert context == {"lang": "en_US", "tz": "Europe/Brussels", "uid": 2}
