"""Contract: unknown model, method and field, access errors and HTTP-level oddities."""

from __future__ import annotations

import httpx

from tests.sandbox.wire import (
    execute_kw_json,
    execute_kw_xml,
    fault_of,
    json_error,
    last_line,
    parse_xmlrpc,
    xmlrpc_post,
)

PORTAL_READ = (
    "You are not allowed to access 'Quants' (stock.quant) records.\n\n"
    "This operation is allowed for the following groups:\n\t- Inventory/User\n\t- User types/Internal User\n\n"
    "Contact your administrator to request access if necessary."
)
NOSTOCK_WRITE = (
    "You are not allowed to modify 'Quants' (stock.quant) records.\n\n"
    "This operation is allowed for the following groups:\n\t- Inventory/User\n\n"
    "Contact your administrator to request access if necessary."
)
NOT_ALLOWED_PAGE = (
    "<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n"
    "<p>The method is not allowed for the requested URL.</p>\n"
)
LOGIN_LOCATION = "/web/login?redirect=%2Fjson%2F2%2Fproduct.product%2Fsearch_read%3F"


def _assert_server_error(error: dict, name: str, message: str) -> None:
    assert error["code"] == 200
    assert error["message"] == "Odoo Server Error"
    assert error["data"]["name"] == name
    assert error["data"]["message"] == message
    assert error["data"]["arguments"] == [message]


def test_unknown_model(shared_sandbox):
    response = execute_kw_xml(shared_sandbox.url, "no.such.model", "search_read", [[]], {"limit": 1})
    json = json_error(execute_kw_json(shared_sandbox.url, "no.such.model", "search_read", [[]], {"limit": 1}, call_id=17))

    assert response.headers["content-length"] == "290"
    assert fault_of(response).faultCode == 2
    assert fault_of(response).faultString == "Object no.such.model doesn't exist"
    _assert_server_error(json, "odoo.exceptions.UserError", "Object no.such.model doesn't exist")


def test_unknown_method(shared_sandbox):
    fault = fault_of(execute_kw_xml(shared_sandbox.url, "res.partner", "no_such_method", [[]]))
    json = json_error(execute_kw_json(shared_sandbox.url, "res.partner", "no_such_method", [[]], call_id=18))

    assert fault.faultCode == 1
    assert fault.faultString.startswith("Traceback (most recent call last):\n")
    assert fault.faultString.endswith("AttributeError: The method 'res.partner.no_such_method' does not exist\n")
    _assert_server_error(json, "builtins.AttributeError", "The method 'res.partner.no_such_method' does not exist")


def test_private_method(shared_sandbox):
    fault = fault_of(execute_kw_xml(shared_sandbox.url, "res.partner", "_compute_display_name", [[1]]))

    assert fault.faultCode == 4
    assert fault.faultString == "Private methods (such as 'res.partner._compute_display_name') cannot be called remotely."


def test_domain_unknown_field(shared_sandbox):
    fault = fault_of(execute_kw_xml(shared_sandbox.url, "product.product", "search_read", [[["no_such_field", "=", 1]]], {"fields": ["name"], "limit": 1}))
    json = json_error(execute_kw_json(shared_sandbox.url, "product.product", "search_read", [[["no_such_field", "=", 1]]], {"fields": ["name"], "limit": 1}, call_id=19))

    message = "Invalid field product.product.no_such_field in leaf ('no_such_field', '=', 1)"
    assert fault.faultCode == 1
    assert last_line(fault.faultString) == f"ValueError: {message}"
    _assert_server_error(json, "builtins.ValueError", message)


def test_unknown_field_in_fields(shared_sandbox):
    fault = fault_of(execute_kw_xml(shared_sandbox.url, "product.product", "search_read", [[]], {"fields": ["name", "no_such_field"], "limit": 1}))

    assert fault.faultCode == 1
    assert last_line(fault.faultString) == "ValueError: Invalid field 'no_such_field' on model 'product.product'"


def test_domain_bad_operator(shared_sandbox):
    fault = fault_of(execute_kw_xml(shared_sandbox.url, "product.product", "search_read", [[["name", "~~", "x"]]], {"fields": ["name"], "limit": 1}))

    assert fault.faultCode == 1
    assert last_line(fault.faultString) == "ValueError: Invalid leaf ('name', '~~', 'x')"


def test_portal_user_reads_quants(shared_sandbox):
    response = execute_kw_xml(shared_sandbox.url, "stock.quant", "search_read", [[]], {"fields": ["quantity"], "limit": 1}, uid=9, password="portaluser")
    json = json_error(
        execute_kw_json(shared_sandbox.url, "stock.quant", "search_read", [[]], {"fields": ["quantity"], "limit": 1}, uid=9, password="portaluser", call_id=20)
    )

    assert fault_of(response).faultCode == 4
    assert fault_of(response).faultString == PORTAL_READ
    assert response.headers["content-length"] == "476"
    _assert_server_error(json, "odoo.exceptions.AccessError", PORTAL_READ)


def test_internal_user_reads_not_writes_quants(shared_sandbox):
    url = shared_sandbox.url
    read = parse_xmlrpc(execute_kw_xml(url, "stock.quant", "search_read", [[]], {"fields": ["quantity"], "limit": 1}, uid=8, password="nostock"))
    write = fault_of(execute_kw_xml(url, "stock.quant", "write", [[1], {"inventory_quantity": 5}], uid=8, password="nostock"))
    json = json_error(execute_kw_json(url, "stock.quant", "write", [[1], {"inventory_quantity": 5}], uid=8, password="nostock", call_id=21))

    assert len(read) == 1
    assert list(read[0]) == ["id", "quantity"]
    assert isinstance(read[0]["quantity"], float)
    assert (write.faultCode, write.faultString) == (4, NOSTOCK_WRITE)
    _assert_server_error(json, "odoo.exceptions.AccessError", NOSTOCK_WRITE)


def test_user_without_maintenance_group(shared_sandbox):
    response = execute_kw_xml(shared_sandbox.url, "maintenance.request", "search_read", [[]], {"fields": ["name"], "limit": 1}, uid=8, password="nostock")

    assert parse_xmlrpc(response) == []
    assert response.headers["content-length"] == "139"


def test_json2_redirects_on_18(shared_sandbox):
    response = httpx.post(
        shared_sandbox.url + "/json/2/product.product/search_read",
        json={"domain": [], "fields": ["name"], "limit": 1},
        headers={"Authorization": "bearer " + shared_sandbox.api_key.reveal(), "X-Odoo-Database": "sandbox"},
    )

    assert response.status_code == 303
    assert response.headers["location"] == LOGIN_LOCATION
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-length"] == "319"
    assert f'<a href="{LOGIN_LOCATION}">{LOGIN_LOCATION}</a>. If not, click the link.' in response.text


def test_get_on_xmlrpc_object(shared_sandbox):
    response = httpx.get(shared_sandbox.url + "/xmlrpc/2/object")

    assert response.status_code == 405
    assert response.headers["allow"] == "OPTIONS, POST"
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == NOT_ALLOWED_PAGE


def test_malformed_xml_body(shared_sandbox):
    response = httpx.post(shared_sandbox.url + "/xmlrpc/2/object", content=b"<methodCall><oops", headers={"Content-Type": "text/xml"})

    assert response.status_code == 200
    assert fault_of(response).faultCode == 1
    assert last_line(fault_of(response).faultString) == "xml.parsers.expat.ExpatError: unclosed token: line 1, column 12"


def test_invalid_json_body(shared_sandbox):
    response = httpx.post(shared_sandbox.url + "/jsonrpc", content=b"{not json", headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == "Invalid JSON data"


def test_unknown_xmlrpc_service(shared_sandbox):
    fault = fault_of(xmlrpc_post(shared_sandbox.url, "/xmlrpc/2/nosuchservice", "version"))

    assert fault.faultCode == 1
    assert last_line(fault.faultString) == "KeyError: 'nosuchservice'"


def test_legacy_xmlrpc_string_fault_codes(shared_sandbox):
    unknown = fault_of(xmlrpc_post(shared_sandbox.url, "/xmlrpc/object", "execute_kw", "sandbox", 2, "admin", "no.such.model", "search", [[]]))
    denied = fault_of(xmlrpc_post(shared_sandbox.url, "/xmlrpc/object", "execute_kw", "sandbox", 9, "portaluser", "stock.quant", "search", [[]]))

    assert unknown.faultCode == "warning -- UserError\n\nObject no.such.model doesn't exist"
    assert unknown.faultString == ""
    assert denied.faultCode == "warning -- AccessError\n\n" + PORTAL_READ
    assert denied.faultString == ""


def test_jsonrpc_without_id(shared_sandbox):
    payload = {"jsonrpc": "2.0", "method": "call", "params": {"service": "common", "method": "version", "args": []}}
    response = httpx.post(shared_sandbox.url + "/jsonrpc", json=payload)

    assert response.text.startswith('{"jsonrpc": "2.0", "id": null, "result": {"server_version": "18.0-20250702"')
    assert response.headers["content-length"] == "175"


def test_options_on_xmlrpc_object(shared_sandbox):
    response = httpx.options(shared_sandbox.url + "/xmlrpc/2/object")

    assert response.status_code == 200
    assert response.headers["allow"] == "OPTIONS, POST"
