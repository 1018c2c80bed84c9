"""Classification of Odoo error replies, with texts as recorded from Odoo 18.0."""

import pytest

from core.odoo import errors
from core.odoo.classify import Location, from_fault, from_json2_error, from_jsonrpc_error, parse_traceback

WHERE = Location("http://127.0.0.1:8069/xmlrpc/2/object", "res.partner", "search")

TRACEBACK_HEAD = (
    "Traceback (most recent call last):\n"
    '  File "/opt/odoo/odoo/addons/base/controllers/rpc.py", line 165, in xmlrpc_2\n'
    "    response = self._xmlrpc(service)\n"
    "               ^^^^^^^^^^^^^^^^^^^^^\n"
    '  File "/opt/odoo/odoo/service/model.py", line 38, in get_public_method\n'
    "    raise AttributeError(f\"The method '{model._name}.{name}' does not exist\")\n"
)

WRONG_DATABASE = TRACEBACK_HEAD + (
    'psycopg2.OperationalError: connection to server at "127.0.0.1", port 5433 failed: '
    'FATAL:  database "nosuchdb" does not exist\n\n'
)
DATABASE_DOWN = TRACEBACK_HEAD + (
    'psycopg2.OperationalError: connection to server at "127.0.0.1", port 5433 failed: Connection refused\n'
    "\tIs the server running on that host and accepting TCP/IP connections?\n\n"
)
UNKNOWN_METHOD = TRACEBACK_HEAD + "AttributeError: The method 'res.partner.no_such_method' does not exist\n"
NONE_RESULT = TRACEBACK_HEAD + "TypeError: cannot marshal None unless allow_none is enabled\n"
BAD_FIELD = TRACEBACK_HEAD + "ValueError: Invalid field product.product.no_such_field in leaf ('no_such_field', '=', 1)\n"
BAD_XML = TRACEBACK_HEAD + "xml.parsers.expat.ExpatError: unclosed token: line 1, column 12\n"
CHAINED = (
    TRACEBACK_HEAD
    + "KeyError: 'nosuchdb'\n\nDuring handling of the above exception, another exception occurred:\n\n"
    + WRONG_DATABASE
)


def test_parse_traceback_reads_class_and_message():
    name, message = parse_traceback(UNKNOWN_METHOD)
    assert name == "AttributeError"
    assert message == "The method 'res.partner.no_such_method' does not exist"


def test_parse_traceback_keeps_two_line_message():
    name, message = parse_traceback(DATABASE_DOWN)
    assert name == "psycopg2.OperationalError"
    assert message.endswith("Is the server running on that host and accepting TCP/IP connections?")


def test_parse_traceback_takes_last_of_chained():
    name, _ = parse_traceback(CHAINED)
    assert name == "psycopg2.OperationalError"


@pytest.mark.parametrize(
    ("code", "text", "expected"),
    [
        (1, WRONG_DATABASE, errors.DatabaseNotFoundError),
        (1, CHAINED, errors.DatabaseNotFoundError),
        (1, DATABASE_DOWN, errors.DatabaseUnavailableError),
        (1, UNKNOWN_METHOD, errors.UnknownMethodError),
        (1, NONE_RESULT, errors.ResultNotMarshallableError),
        (1, BAD_XML, errors.ProtocolError),
        (1, BAD_FIELD, errors.ServerError),
        (2, "Object no.such.model doesn't exist", errors.UnknownModelError),
        (2, "Record does not exist or has been deleted.\n(Record: res.partner(55,), User: 2)", errors.MissingRecordError),
        (2, "The operation cannot be completed:\n- Create/update: a mandatory field is not set.", errors.UserError),
        (3, "Access Denied", errors.AuthenticationError),
        (4, "You are not allowed to access 'Quants' (stock.quant) records.", errors.AccessError),
        ("warning -- UserError\n\nObject no.such.model doesn't exist", "", errors.UnknownModelError),
        ("warning -- AccessError\n\nYou are not allowed to access 'Quants' (stock.quant) records.", "", errors.AccessError),
        ("AccessDenied", "", errors.AuthenticationError),
    ],
)
def test_fault_classes(code, text, expected):
    error = from_fault(code, text, WHERE)
    assert type(error) is expected


def test_server_error_carries_name_and_last_line():
    error = from_fault(1, BAD_FIELD, WHERE)
    assert error.exception_name == "ValueError"
    assert error.last_line == "ValueError: Invalid field product.product.no_such_field in leaf ('no_such_field', '=', 1)"
    assert error.odoo_exception == "ValueError"


def test_fault_error_names_location():
    error = from_fault(4, "You are not allowed to access 'Quants' (stock.quant) records.", WHERE)
    assert error.url == WHERE.url
    assert error.model == "res.partner"
    assert error.method == "search"
    assert "res.partner.search on http://127.0.0.1:8069/xmlrpc/2/object" in str(error)
    assert "access rights" in str(error)


def test_database_not_found_names_database():
    error = from_fault(1, WRONG_DATABASE, WHERE)
    assert 'database "nosuchdb" does not exist' in str(error)


def _jsonrpc_error(name, message):
    return {"code": 200, "message": "Odoo Server Error", "data": {"name": name, "debug": "Traceback ...", "message": message, "arguments": [message], "context": {}}}


@pytest.mark.parametrize(
    ("name", "message", "expected"),
    [
        ("odoo.exceptions.AccessDenied", "Access Denied", errors.AuthenticationError),
        ("odoo.exceptions.AccessError", "You are not allowed to modify 'Quants' (stock.quant) records.", errors.AccessError),
        ("odoo.exceptions.UserError", "Object no.such.model doesn't exist", errors.UnknownModelError),
        ("odoo.exceptions.ValidationError", "The operation cannot be completed:", errors.UserError),
        ("odoo.exceptions.MissingError", "Record does not exist or has been deleted.", errors.MissingRecordError),
        ("builtins.AttributeError", "The method 'res.partner.no_such_method' does not exist", errors.UnknownMethodError),
        ("psycopg2.OperationalError", 'connection to server at "127.0.0.1", port 5433 failed: FATAL:  database "nosuchdb" does not exist\n', errors.DatabaseNotFoundError),
        ("psycopg2.OperationalError", "connection to server failed: Connection refused\n\tIs the server running on that host?", errors.DatabaseUnavailableError),
        ("builtins.ValueError", "Invalid field product.product.no_such_field", errors.ServerError),
        ("psycopg2.errors.NumericValueOutOfRange", 'value "1099511627776" is out of range for type integer', errors.ServerError),
    ],
)
def test_jsonrpc_error_classes(name, message, expected):
    error = from_jsonrpc_error(_jsonrpc_error(name, message), WHERE)
    assert type(error) is expected


def test_jsonrpc_session_expired_is_authentication():
    error = from_jsonrpc_error({"code": 100, "message": "Odoo Session Expired", "data": {"name": "odoo.http.SessionExpiredException"}}, WHERE)
    assert isinstance(error, errors.AuthenticationError)


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (401, {"name": "werkzeug.exceptions.Unauthorized", "message": "Invalid apikey"}, errors.AuthenticationError),
        (403, {"name": "odoo.exceptions.AccessError", "message": "You are not allowed"}, errors.AccessError),
        (404, {"name": "odoo.exceptions.MissingError", "message": "Record does not exist"}, errors.MissingRecordError),
        (404, {"name": "werkzeug.exceptions.NotFound", "message": "the model 'no.such' does not exist"}, errors.UnknownModelError),
        (404, {"name": "werkzeug.exceptions.NotFound", "message": "the method 'frob' does not exist"}, errors.UnknownMethodError),
        (422, {"name": "odoo.exceptions.ValidationError", "message": "mandatory field"}, errors.UserError),
        (422, {"name": "werkzeug.exceptions.UnprocessableEntity", "message": "missing argument"}, errors.UserError),
        (500, {"name": "builtins.ValueError", "message": "Invalid field"}, errors.ServerError),
    ],
)
def test_json2_error_classes(status, body, expected):
    error = from_json2_error(status, body, WHERE)
    assert type(error) is expected


def test_predicates():
    assert errors.is_connectivity(errors.ServerUnreachableError("down"))
    assert errors.is_connectivity(errors.UnexpectedHtmlError("html"))
    assert errors.is_connectivity(errors.DatabaseUnavailableError("pg down"))
    assert errors.is_connectivity(errors.RateLimitedError("429", retry_after=2.0))
    assert not errors.is_connectivity(errors.AuthenticationError("bad"))
    assert errors.is_credentials(errors.AuthenticationError("bad"))
    assert not errors.is_credentials(errors.AccessError("no rights"))


def test_redirect_error_names_location():
    error = errors.RedirectError("301", location="https://odoo.example.com/jsonrpc", url="http://odoo.example.com/jsonrpc")
    assert error.location == "https://odoo.example.com/jsonrpc"
    assert "https://odoo.example.com/jsonrpc" in str(error)
    assert "fix the base URL" in str(error)
