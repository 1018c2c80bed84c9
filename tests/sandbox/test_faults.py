"""Fault injection: down, slow, proxy 502, 429, password change, trickle and the control routes."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.sandbox.wire import execute_kw_xml, fault_of, parse_xmlrpc, xmlrpc_post


def _version(url: str, timeout: float = 5.0) -> httpx.Response:
    body = b"<?xml version='1.0'?><methodCall><methodName>version</methodName><params></params></methodCall>"
    # A fresh client each time: a pooled connection would hide a server
    # that stopped listening.
    with httpx.Client(timeout=timeout) as client:
        return client.post(url + "/xmlrpc/2/common", content=body, headers={"Content-Type": "text/xml"})


def _wait_until(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def _refuses(url: str) -> bool:
    try:
        _version(url, timeout=1.0)
    except httpx.ConnectError:
        return True
    return False


def test_go_down_and_come_up_same_port(sandbox):
    url = sandbox.url

    sandbox.faults.go_down()
    refused = _refuses(url)
    sandbox.faults.come_up()

    assert refused
    assert sandbox.url == url
    assert _version(url).status_code == 200


def test_slow_responses_time_out(sandbox):
    sandbox.faults.slow(1.0)

    with pytest.raises(httpx.ReadTimeout):
        _version(sandbox.url, timeout=0.2)

    sandbox.faults.slow(None)
    assert _version(sandbox.url, timeout=2.0).status_code == 200


def test_proxy_502_page(sandbox):
    sandbox.faults.proxy_502(True)
    xml = _version(sandbox.url)
    json = httpx.post(sandbox.url + "/jsonrpc", json={"jsonrpc": "2.0", "method": "call", "params": {}, "id": 1})
    sandbox.faults.proxy_502(False)

    for response in (xml, json):
        assert response.status_code == 502
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert "<title>502 Bad Gateway</title>" in response.text
    assert _version(sandbox.url).status_code == 200


def test_rate_limit_retry_after(sandbox):
    sandbox.faults.rate_limit(30)
    limited = _version(sandbox.url)
    sandbox.faults.rate_limit(0.4)
    rounded = _version(sandbox.url)
    sandbox.faults.rate_limit(None)

    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "30"
    assert rounded.headers["retry-after"] == "1"
    assert _version(sandbox.url).status_code == 200


def test_change_password(sandbox):
    sandbox.faults.change_password("admin", "new-secret")

    old_login = xmlrpc_post(sandbox.url, "/xmlrpc/2/common", "authenticate", "sandbox", "admin", "admin", {})
    old_call = fault_of(execute_kw_xml(sandbox.url, "res.partner", "search", [[]], {"limit": 1}))
    new_login = xmlrpc_post(sandbox.url, "/xmlrpc/2/common", "authenticate", "sandbox", "admin", "new-secret", {})
    with_key = execute_kw_xml(sandbox.url, "res.partner", "search", [[]], {"limit": 1}, password=sandbox.api_key.reveal())

    assert parse_xmlrpc(old_login) is False
    assert (old_call.faultCode, old_call.faultString) == (3, "Access Denied")
    assert parse_xmlrpc(new_login) == 2
    assert len(parse_xmlrpc(with_key)) == 1


def test_change_password_unknown_login(sandbox):
    with pytest.raises(ValueError, match="unknown sandbox login 'nobody'"):
        sandbox.faults.change_password("nobody", "x")


def test_trickle_changes_records(sandbox):
    before = sum(sandbox.store.versions.values())

    sandbox.faults.start_trickle(0.02)
    changed = _wait_until(lambda: sandbox.trickle.changes >= 5)
    sandbox.faults.stop_trickle()

    assert changed
    assert sum(sandbox.store.versions.values()) >= before + 5
    assert sandbox.faults.state()["trickle"] is None


def test_trickle_rejects_bad_interval(sandbox):
    with pytest.raises(ValueError, match="positive number of seconds"):
        sandbox.faults.start_trickle(0)


def test_control_route_switches_faults(sandbox):
    control = sandbox.url + "/__sandbox__/faults"

    switched = httpx.post(control, json={"database_down": True, "rate_limit": None})
    during = _version(sandbox.url)
    login = fault_of(xmlrpc_post(sandbox.url, "/xmlrpc/2/common", "authenticate", "sandbox", "admin", "admin", {}))
    limited = httpx.post(control, json={"database_down": False, "rate_limit": 5})
    rpc_limited = _version(sandbox.url)
    state = httpx.get(control).json()
    httpx.post(control, json={"rate_limit": None})

    assert switched.status_code == 200
    assert switched.json()["database_down"] is True
    assert during.status_code == 200
    assert login.faultCode == 1
    assert limited.status_code == 200
    assert rpc_limited.status_code == 429
    assert state["rate_limit"] == 5
    assert state["database_down"] is False


def test_control_route_rejects_unknown_setting(sandbox):
    response = httpx.post(sandbox.url + "/__sandbox__/faults", json={"explode": True})

    assert response.status_code == 400
    assert "unknown fault setting(s) ['explode']" in response.json()["error"]


def test_control_route_down_for(sandbox):
    response = httpx.post(sandbox.url + "/__sandbox__/faults", json={"down_for": 1.5})

    went_down = _wait_until(lambda: sandbox.faults.state()["down"], seconds=3)
    refused = _refuses(sandbox.url)
    came_back = _wait_until(lambda: not sandbox.faults.state()["down"], seconds=5)

    assert response.status_code == 200
    assert went_down
    assert refused
    assert came_back
    assert _version(sandbox.url).status_code == 200


def test_store_route_changes_data(sandbox):
    store = sandbox.url + "/__sandbox__/store"

    created = httpx.post(store, json={"op": "create", "model": "maintenance.request", "values": {"name": "From another process"}})
    record_id = created.json()["result"]
    written = httpx.post(store, json={"op": "write", "model": "maintenance.request", "ids": [record_id], "values": {"priority": "3"}})
    row = parse_xmlrpc(execute_kw_xml(sandbox.url, "maintenance.request", "read", [[record_id]], {"fields": ["name", "priority"]}))
    removed = httpx.post(store, json={"op": "unlink", "model": "maintenance.request", "ids": [record_id]})
    bad = httpx.post(store, json={"op": "truncate", "model": "maintenance.request"})

    assert created.status_code == 200
    assert written.json() == {"result": True}
    assert row == [{"id": record_id, "name": "From another process", "priority": "3"}]
    assert removed.json() == {"result": True}
    assert bad.status_code == 400
    assert "unknown store operation 'truncate'" in bad.json()["error"]
