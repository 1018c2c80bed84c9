"""The HTTP layer: network failures, status codes and base URLs."""

import email.utils
import gc
import json
import socket
import time
import weakref

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from core.http_server import start_in_thread
from core.odoo import NO_RETRY, CredentialKind, OdooClient, errors, probe_server
from core.odoo.classify import Location
from core.odoo.json2 import load_reply as load_json2_reply
from core.odoo.transport import DEFAULT_TIMEOUT, Transport, network_error, normalise_base_url, parse_retry_after
from core.secrets import Secret

WHERE = Location("http://odoo.invalid:8069/jsonrpc", "res.partner", "search")


def test_dns_failure_names_host():
    # Built by hand: resolving a real name would send traffic off loopback.
    cause = socket.gaierror(-2, "Name or service not known")
    error = httpx.ConnectError("[Errno -2] Name or service not known")
    error.__cause__ = cause
    mapped = network_error(error, WHERE, DEFAULT_TIMEOUT)
    assert isinstance(mapped, errors.ServerUnreachableError)
    assert "cannot resolve the host name 'odoo.invalid'" in str(mapped)


def test_connect_timeout_names_seconds():
    mapped = network_error(httpx.ConnectTimeout("timed out"), WHERE, httpx.Timeout(10.0, connect=3.0))
    assert isinstance(mapped, errors.ServerUnreachableError)
    assert "timed out after 3.0 s" in str(mapped)


async def test_undecodable_body_is_protocol_error():
    # A gzip header on a body that is not gzip: httpx fails while reading it.
    async def broken(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json"), (b"content-encoding", b"gzip")]})
        await send({"type": "http.response.body", "body": b"not gzip at all"})

    handle = start_in_thread(broken)
    transport = Transport(handle.url)
    where = Location(transport.url("/jsonrpc"), "res.partner", "search")
    try:
        with pytest.raises(errors.ProtocolError) as caught:
            await transport.post(where, b"{}", "application/json")
    finally:
        await transport.aclose()
        handle.stop()
    assert "could not be decoded" in str(caught.value)


def test_retry_after_forms():
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    in_ten = email.utils.formatdate(time.time() + 10, usegmt=True)
    assert 8.0 <= parse_retry_after(in_ten) <= 10.0


@pytest.mark.parametrize("url", ["odoo.example.com", "ftp://odoo.example.com", "http://", "https://odoo.example.com/?db=x"])
def test_invalid_base_url(url):
    with pytest.raises(errors.InvalidValueError) as caught:
        normalise_base_url(url)
    assert repr(url) in str(caught.value)


def test_base_url_trailing_slash_dropped():
    assert normalise_base_url(" https://odoo.example.com/ ") == "https://odoo.example.com"


async def test_json2_wrong_content_type(sandbox19):
    transport = Transport(sandbox19.url)
    where = Location(transport.url("/json/2/res.partner/search"), "res.partner", "search")
    headers = {"Authorization": f"bearer {sandbox19.api_key.reveal()}", "X-Odoo-Database": "sandbox"}
    try:
        response = await transport.post(where, b"domain=[]", "text/plain", headers)
    finally:
        await transport.aclose()
    assert response.status_code == 415
    with pytest.raises(errors.ProtocolError) as caught:
        load_json2_reply(response, where, "sandbox")
    assert "415" in str(caught.value)


def _odoo_without_database_listing() -> Starlette:
    """An Odoo 18.0 with ``list_db = False``, which the sandbox cannot be switched to.

    The replies are the JSON-RPC shapes Odoo 18.0 sends: common.version,
    and AccessDenied for db.list. Its common.authenticate returns ``true``,
    which no Odoo does, to check that a bool is never taken for a uid.
    """

    async def jsonrpc(request):
        call = json.loads(await request.body())
        params = call["params"]
        if params["service"] == "common" and params["method"] == "version":
            version = {"server_version": "18.0", "server_version_info": [18, 0, 0, "final", 0, ""], "server_serie": "18.0", "protocol_version": 1}
            return JSONResponse({"jsonrpc": "2.0", "id": call.get("id"), "result": version})
        if params["service"] == "common" and params["method"] == "authenticate":
            return JSONResponse({"jsonrpc": "2.0", "id": call.get("id"), "result": True})
        data = {"name": "odoo.exceptions.AccessDenied", "debug": "", "message": "Access Denied", "arguments": ["Access Denied"], "context": {}}
        return JSONResponse({"jsonrpc": "2.0", "id": call.get("id"), "error": {"code": 200, "message": "Odoo Server Error", "data": data}})

    async def not_found(request):
        return JSONResponse({}, status_code=404)

    return Starlette(routes=[Route("/jsonrpc", jsonrpc, methods=["POST"]), Route("/web/version", not_found)])


async def test_probe_without_database_listing():
    handle = start_in_thread(_odoo_without_database_listing())
    try:
        info = await probe_server(handle.url, timeout=5)
    finally:
        handle.stop()
    assert info.version == "18.0"
    assert info.json2 is False
    assert info.databases is None


async def test_true_is_not_a_uid():
    handle = start_in_thread(_odoo_without_database_listing())
    try:
        with pytest.raises(errors.AuthenticationError) as caught:
            await OdooClient.connect(handle.url, "sandbox", "admin", Secret("admin"), CredentialKind.PASSWORD, retry=NO_RETRY)
    finally:
        handle.stop()
    assert "login 'admin' was rejected" in str(caught.value)


async def test_probe_unreachable_port():
    # Bind a socket and close it, so the port is free and refuses connections.
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        port = probe_socket.getsockname()[1]
    with pytest.raises(errors.ServerUnreachableError) as caught:
        await probe_server(f"http://127.0.0.1:{port}", timeout=2)
    assert f"127.0.0.1:{port}" in str(caught.value)


async def test_responses_freed_without_the_collector():
    # httpx's response stream refers back to its response. The engine runs
    # the cyclic collector rarely, so a reply left in that cycle stays in
    # memory. The transport breaks the cycle, so reference counting frees it.
    body = {"jsonrpc": "2.0", "id": 1, "result": "x" * 100_000}
    app = Starlette(routes=[Route("/jsonrpc", lambda request: JSONResponse(body), methods=["POST"])])
    handle = start_in_thread(app)
    transport = Transport(handle.url)
    where = Location(transport.url("/jsonrpc"), "res.partner", "search")
    gc.disable()
    try:
        response = await transport.post(where, b"{}", "application/json")
        get_response = await transport.get(Location(transport.url("/jsonrpc"), None, None))
        freed = weakref.ref(response)
        freed_get = weakref.ref(get_response)
        assert response.json() == body
        del response, get_response

        assert freed() is None
        assert freed_get() is None
    finally:
        gc.enable()
        await transport.aclose()
        handle.stop()
