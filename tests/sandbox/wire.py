"""Raw XML-RPC and JSON-RPC calls over httpx, independent of the project's Odoo client."""

from __future__ import annotations

import xmlrpc.client

import httpx

DB = "sandbox"
ADMIN_UID = 2

# One pooled client for the test process: opening a connection per call
# would dominate the run time. Each sandbox has its own port, so a pooled
# connection only meets a restarted server after go_down()/come_up(), and
# those tests use clients of their own.
CLIENT = httpx.Client(timeout=10)


def xmlrpc_post(url: str, path: str, method: str, *params, allow_none: bool = False) -> httpx.Response:
    """POST one XML-RPC call built by the stdlib marshaller."""
    body = xmlrpc.client.dumps(tuple(params), method, allow_none=allow_none)
    return CLIENT.post(url + path, content=body.encode(), headers={"Content-Type": "text/xml"})


def xmlrpc_post_raw(url: str, path: str, body: str) -> httpx.Response:
    """POST a hand-written XML body, for values the stdlib client refuses to send."""
    return CLIENT.post(url + path, content=body.encode(), headers={"Content-Type": "text/xml"})


def parse_xmlrpc(response: httpx.Response):
    """Return the call's value, or the xmlrpc.client.Fault it carried."""
    try:
        (value,), _method = xmlrpc.client.loads(response.content)
    except xmlrpc.client.Fault as fault:
        return fault
    return value


def execute_kw_xml(url: str, model: str, method: str, args, kwargs=None, *, uid=ADMIN_UID, password="admin", db=DB):
    params = [db, uid, password, model, method, args]
    if kwargs is not None:
        params.append(kwargs)
    return xmlrpc_post(url, "/xmlrpc/2/object", "execute_kw", *params)


def jsonrpc_post(url: str, service: str, method: str, args, call_id=1) -> httpx.Response:
    payload = {"jsonrpc": "2.0", "method": "call", "params": {"service": service, "method": method, "args": args}, "id": call_id}
    return CLIENT.post(url + "/jsonrpc", json=payload)


def execute_kw_json(url: str, model: str, method: str, args, kwargs=None, *, uid=ADMIN_UID, password="admin", db=DB, call_id=1):
    params = [db, uid, password, model, method, args]
    if kwargs is not None:
        params.append(kwargs)
    return jsonrpc_post(url, "object", "execute_kw", params, call_id)


def last_line(text: str) -> str:
    """Return the last non-empty line of a fault string or traceback."""
    return [line for line in text.splitlines() if line.strip()][-1]


def fault_of(response: httpx.Response) -> xmlrpc.client.Fault:
    """Return the fault of an XML-RPC response; fails the test when there is none."""
    value = parse_xmlrpc(response)
    assert isinstance(value, xmlrpc.client.Fault), f"expected a fault, got {value!r}"
    return value


def json_error(response: httpx.Response) -> dict:
    """Return the ``error`` member of a JSON-RPC response; fails the test when there is none."""
    payload = response.json()
    assert "error" in payload, f"expected an error, got {payload!r}"
    return payload["error"]


def exception_line(fault_string: str, exception: str) -> str:
    """Return the traceback line that starts with ``exception:`` (the raised error)."""
    lines = [line for line in fault_string.splitlines() if line.startswith(f"{exception}:")]
    assert lines, f"no {exception} line in {fault_string!r}"
    return lines[-1]
