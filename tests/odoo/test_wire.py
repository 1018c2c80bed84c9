"""Request and reply bodies as a real Odoo 18.0 sends and expects them.

The bodies below were copied by hand from exchanges recorded against
Odoo 18.0 (18.0-20250702); the replies are parsed as httpx responses.
"""

import json

import httpx
import pytest

from core.odoo import errors
from core.odoo.classify import Location
from core.odoo.jsonrpc import dump_call as dump_jsonrpc
from core.odoo.jsonrpc import load_reply as load_jsonrpc
from core.odoo.values import RecordDecoder
from core.odoo.xmlrpc import dump_call as dump_xmlrpc
from core.odoo.xmlrpc import load_reply as load_xmlrpc

WHERE = Location("http://127.0.0.1:8069/xmlrpc/2/object", "res.partner", "search")
XML = {"content-type": "text/xml; charset=utf-8"}
JSON = {"content-type": "application/json; charset=utf-8"}

AUTHENTICATE_REQUEST = """<?xml version='1.0'?>
<methodCall>
<methodName>authenticate</methodName>
<params>
<param>
<value><string>relaytest</string></value>
</param>
<param>
<value><string>admin</string></value>
</param>
<param>
<value><string>admin</string></value>
</param>
<param>
<value><struct>
</struct></value>
</param>
</params>
</methodCall>
"""

ACCESS_DENIED_FAULT = """<?xml version="1.0"?>
<methodResponse>
<fault>
<value><struct>
<member>
<name>faultCode</name>
<value><int>3</int></value>
</member>
<member>
<name>faultString</name>
<value><string>Access Denied</string></value>
</member>
</struct></value>
</fault>

</methodResponse>
"""

LEGACY_FAULT = """<?xml version="1.0"?>
<methodResponse>
<fault>
<value><struct>
<member>
<name>faultCode</name>
<value><string>warning -- UserError

Object no.such.model doesn't exist</string></value>
</member>
<member>
<name>faultString</name>
<value><string></string></value>
</member>
</struct></value>
</fault>

</methodResponse>
"""

BIG_INTEGER_REPLY = """<?xml version="1.0"?>
<methodResponse>
<params>
<param>
<value><struct>
<member>
<name>color</name>
<value><double>1099511627776.0</double></value>
</member>
</struct></value>
</param>
</params>

</methodResponse>
"""


def _response(status: int, headers: dict, body: str | bytes) -> httpx.Response:
    content = body.encode() if isinstance(body, str) else body
    return httpx.Response(status, headers=headers, content=content, request=httpx.Request("POST", WHERE.url))


def test_xmlrpc_request_matches_odoo():
    assert dump_xmlrpc("authenticate", ("relaytest", "admin", "admin", {}), WHERE).decode() == AUTHENTICATE_REQUEST


def test_xmlrpc_sends_none_as_nil():
    body = dump_xmlrpc("execute_kw", ("db", 2, "pw", "res.partner", "write", [[54], {"comment": None}], {}), WHERE)
    assert b"<nil/>" in body


def test_xmlrpc_big_integer_named_in_kwargs():
    params = ("db", 2, "pw", "res.partner", "default_get", [["color"]], {"context": {"default_color": 2**40}})
    with pytest.raises(errors.InvalidValueError) as caught:
        dump_xmlrpc("execute_kw", params, Location(WHERE.url, "res.partner", "default_get"))
    assert "integer 1099511627776 at kwargs.context.default_color" in str(caught.value)
    assert "pw" not in str(caught.value).split("(")[0]


def test_xmlrpc_access_denied_fault():
    with pytest.raises(errors.AuthenticationError) as caught:
        load_xmlrpc(_response(200, XML, ACCESS_DENIED_FAULT), WHERE)
    assert caught.value.odoo_exception == "odoo.exceptions.AccessDenied"


def test_xmlrpc_legacy_fault():
    with pytest.raises(errors.UnknownModelError) as caught:
        load_xmlrpc(_response(200, XML, LEGACY_FAULT), WHERE)
    assert "no.such.model" in str(caught.value)


def test_xmlrpc_big_integer_reply():
    result = load_xmlrpc(_response(200, XML, BIG_INTEGER_REPLY), WHERE)
    assert result == {"color": 1099511627776.0}
    [decoded] = RecordDecoder({"color": "integer"}, ["color"]).decode([result])
    assert decoded["color"] == 2**40
    assert type(decoded["color"]) is int


def test_xmlrpc_html_page_is_unreachable():
    page = "<!doctype html><title>Maintenance</title><p>Back soon</p>"
    with pytest.raises(errors.UnexpectedHtmlError):
        load_xmlrpc(_response(200, {"content-type": "text/html; charset=utf-8"}, page), WHERE)


def test_xmlrpc_malformed_reply_is_protocol_error():
    with pytest.raises(errors.ProtocolError) as caught:
        load_xmlrpc(_response(200, XML, "<?xml version='1.0'?><methodResponse><params>"), WHERE)
    assert "not valid XML-RPC" in str(caught.value)


def test_jsonrpc_request_matches_odoo():
    body = json.loads(dump_jsonrpc("common", "authenticate", ["relaytest", "admin", "admin", {}], 2))
    assert body == {"jsonrpc": "2.0", "method": "call", "params": {"service": "common", "method": "authenticate", "args": ["relaytest", "admin", "admin", {}]}, "id": 2}


def test_jsonrpc_none_result_has_no_member():
    assert load_jsonrpc(_response(200, JSON, '{"jsonrpc": "2.0", "id": 23}'), WHERE) is None


def test_jsonrpc_false_authenticate():
    assert load_jsonrpc(_response(200, JSON, '{"jsonrpc": "2.0", "id": 13, "result": false}'), WHERE) is False


def test_jsonrpc_invalid_json_rejected_by_server():
    with pytest.raises(errors.ProtocolError) as caught:
        load_jsonrpc(_response(400, {"content-type": "text/html; charset=utf-8"}, "Invalid JSON data"), WHERE)
    assert "400" in str(caught.value)


def test_jsonrpc_unparseable_reply():
    with pytest.raises(errors.ProtocolError) as caught:
        load_jsonrpc(_response(200, JSON, "{not json"), WHERE)
    assert "not valid JSON" in str(caught.value)


def test_jsonrpc_reply_with_nan_and_big_integer():
    # Odoo encodes with Python's json module, which writes NaN and integers
    # of any size. orjson rejects both, so the client parses such a reply
    # again with the json module.
    body = '{"jsonrpc": "2.0", "id": 4, "result": [{"id": 1, "ratio": NaN, "serial": 123456789012345678901234}]}'

    [record] = load_jsonrpc(_response(200, JSON, body), WHERE)

    assert record["ratio"] != record["ratio"]  # NaN
    assert record["serial"] == 123456789012345678901234


def test_jsonrpc_reply_keeps_unicode_and_floats():
    body = '{"jsonrpc": "2.0", "id": 5, "result": [{"name": "Pompe \\u00e0 eau \\ud83d\\udca7", "qty": 0.1}]}'

    [record] = load_jsonrpc(_response(200, JSON, body), WHERE)

    assert record == {"name": "Pompe à eau 💧", "qty": 0.1}
