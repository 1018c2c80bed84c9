"""JSON-2 on a 19.0 sandbox: named arguments, bare results and status codes per error class."""

from __future__ import annotations

import httpx
import pytest

from core.sandbox import SandboxServer
from tests.sandbox.wire import CLIENT


@pytest.fixture(scope="module")
def server():
    server = SandboxServer(version="19.0", port=0, seed=1).start()
    try:
        yield server
    finally:
        server.stop()


def _call(server, model: str, method: str, body, *, key: str | None = None, database: str | None = "sandbox", content_type="application/json"):
    headers = {"Content-Type": content_type}
    key = server.api_key.reveal() if key is None else key
    if key:
        headers["Authorization"] = f"bearer {key}"
    if database is not None:
        headers["X-Odoo-Database"] = database
    content = body if isinstance(body, bytes) else httpx.Request("POST", "/", json=body).content
    return CLIENT.post(f"{server.url}/json/2/{model}/{method}", content=content, headers=headers)


def _assert_error_shape(response: httpx.Response, status: int, name: str) -> dict:
    body = response.json()
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert list(body) == ["name", "message", "arguments", "context", "debug"]
    assert body["name"] == name
    return body


def test_search_read_bare_result(server):
    response = _call(server, "product.product", "search_read", {"domain": [], "fields": ["name"], "limit": 2})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    rows = response.json()
    assert len(rows) == 2
    assert [list(row) for row in rows] == [["id", "name"], ["id", "name"]]


def test_read_write_create_unlink(server):
    created = _call(server, "maintenance.request", "create", {"vals_list": [{"name": "JSON-2 request"}]}).json()
    written = _call(server, "maintenance.request", "write", {"ids": created, "vals": {"priority": "3"}}).json()
    read = _call(server, "maintenance.request", "read", {"ids": created, "fields": ["name", "priority"]}).json()
    removed = _call(server, "maintenance.request", "unlink", {"ids": created}).json()

    assert len(created) == 1
    assert written is True
    assert read == [{"id": created[0], "name": "JSON-2 request", "priority": "3"}]
    assert removed is True


def test_none_result_is_null(server):
    request = _call(server, "maintenance.request", "search", {"domain": [["archive", "=", False]], "limit": 1}).json()

    response = _call(server, "maintenance.request", "archive_equipment_request", {"ids": request})

    assert response.status_code == 200
    assert response.text == "null"


def test_res_users_search_by_login(server):
    response = _call(server, "res.users", "search", {"domain": [["login", "=", "admin"]], "limit": 1})

    assert response.json() == [2]


def test_missing_key_is_401(server):
    response = _call(server, "res.partner", "search", {"domain": []}, key="")

    _assert_error_shape(response, 401, "werkzeug.exceptions.Unauthorized")
    assert response.headers["www-authenticate"] == "bearer"


def test_wrong_key_is_401(server):
    response = _call(server, "res.partner", "search", {"domain": []}, key="0" * 40)

    _assert_error_shape(response, 401, "werkzeug.exceptions.Unauthorized")
    assert response.headers["www-authenticate"] == "bearer"


def test_access_error_is_403(server):
    server.users.add_api_key("portaluser", "portal-key-for-tests")

    response = _call(server, "stock.quant", "search_read", {"domain": [], "limit": 1}, key="portal-key-for-tests")

    body = _assert_error_shape(response, 403, "odoo.exceptions.AccessError")
    assert body["message"].startswith("You are not allowed to access 'Quants' (stock.quant) records.")


def test_missing_record_is_404(server):
    response = _call(server, "res.partner", "write", {"ids": [999999], "vals": {"name": "x"}})

    body = _assert_error_shape(response, 404, "odoo.exceptions.MissingError")
    assert body["message"] == "Record does not exist or has been deleted.\n(Record: res.partner(999999,), User: 2)"


def test_unknown_model_and_method_are_404(server):
    model = _call(server, "no.such.model", "search", {"domain": []})
    method = _call(server, "res.partner", "no_such_method", {})

    _assert_error_shape(model, 404, "werkzeug.exceptions.NotFound")
    body = _assert_error_shape(method, 404, "builtins.AttributeError")
    assert body["message"] == "The method 'res.partner.no_such_method' does not exist"


def test_user_errors_are_422(server):
    missing_field = _call(server, "maintenance.request", "create", {"vals_list": [{"priority": "1"}]})
    missing_argument = _call(server, "res.partner", "write", {"ids": [1]})

    body = _assert_error_shape(missing_field, 422, "odoo.exceptions.ValidationError")
    assert body["message"].endswith("Field: Subjects (name)\n")
    _assert_error_shape(missing_argument, 422, "builtins.TypeError")


def test_other_errors_are_500(server):
    response = _call(server, "product.product", "search", {"domain": [["no_such_field", "=", 1]]})

    body = _assert_error_shape(response, 500, "builtins.ValueError")
    assert body["message"] == "Invalid field product.product.no_such_field in leaf ('no_such_field', '=', 1)"
    assert body["debug"].startswith("Traceback (most recent call last):\n")


def test_wrong_content_type_is_415_html(server):
    response = _call(server, "res.partner", "search", b"domain=[]", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415
    assert response.headers["content-type"] == "text/html; charset=utf-8"


def test_unknown_database_is_404_html(server):
    response = _call(server, "res.partner", "search", {"domain": []}, database="nosuchdb")

    assert response.status_code == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"


def test_database_down_is_500(sandbox_factory):
    server = sandbox_factory(version="19.0")
    server.faults.database_down(True)

    response = _call(server, "res.partner", "search", {"domain": []})

    body = _assert_error_shape(response, 500, "psycopg2.OperationalError")
    assert "Connection refused" in body["message"]
