"""The failures integrators hit most, each against a real loopback server."""

from datetime import UTC, datetime

import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from core.http_server import start_in_thread
from core.odoo import NO_RETRY, Protocol, errors, probe_server
from tests.odoo.conftest import connect


async def test_proxy_html_page(sandbox):
    async with await connect(sandbox, Protocol.XMLRPC, retry=NO_RETRY) as client:
        sandbox.faults.proxy_502(True)
        with pytest.raises(errors.ServerUnreachableError) as caught:
            await client.search_read("res.partner", [], ["name"], limit=1)
    assert "502 Bad Gateway" in str(caught.value)
    assert errors.is_connectivity(caught.value)


async def test_big_integer_refused_over_xmlrpc(sandbox):
    async with await connect(sandbox, Protocol.XMLRPC) as client:
        with pytest.raises(errors.InvalidValueError) as caught:
            await client.search("res.partner", [("id", "=", 2**40)])
    assert "integer 1099511627776 at args[0][0][2]" in str(caught.value)
    assert "use JSON-RPC" in str(caught.value)


async def test_big_integer_sent_over_jsonrpc(sandbox):
    # JSON carries the value; the database then rejects it for an int4 column.
    async with await connect(sandbox, Protocol.JSONRPC) as client:
        with pytest.raises(errors.ServerError) as caught:
            await client.search("res.partner", [("id", "=", 2**40)])
    assert caught.value.exception_name == "psycopg2.errors.NumericValueOutOfRange"


@pytest.mark.parametrize("protocol", [Protocol.XMLRPC, Protocol.JSONRPC])
async def test_big_integer_read_back_as_int(sandbox, protocol):
    # Odoo sends integers above 2**31-1 as doubles; an integer field reads back as int.
    async with await connect(sandbox, protocol) as client:
        with sandbox.store.lock:
            sandbox.store.tables["res.partner"][1]["color"] = 2**40
        [record] = await client.read("res.partner", [1], ["color"])
    assert record["color"] == 2**40
    assert type(record["color"]) is int


@pytest.mark.parametrize("protocol", [Protocol.XMLRPC, Protocol.JSONRPC])
async def test_datetime_with_t_and_offset_converted(sandbox, protocol):
    async with await connect(sandbox, protocol) as client:
        request_id = await client.create("maintenance.request", {"name": "Offset", "schedule_date": "2026-03-01T12:00:00+02:00"})
        [record] = await client.read("maintenance.request", [request_id], ["schedule_date"])
    assert record["schedule_date"] == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


async def test_datetime_with_t_without_offset_rejected(sandbox):
    async with await connect(sandbox, Protocol.XMLRPC) as client:
        count_before = len(sandbox.store.tables["maintenance.request"])
        with pytest.raises(errors.InvalidValueError) as caught:
            await client.create("maintenance.request", {"name": "No zone", "schedule_date": "2026-03-01T10:00:00"})
    assert "maintenance.request.schedule_date" in str(caught.value)
    assert len(sandbox.store.tables["maintenance.request"]) == count_before


async def test_naive_datetime_rejected(sandbox):
    async with await connect(sandbox, Protocol.JSONRPC) as client:
        with pytest.raises(errors.InvalidValueError) as caught:
            await client.search("maintenance.request", [("write_date", ">", datetime(2026, 1, 1))])
    assert "naive datetime" in str(caught.value)


async def test_archived_record(shared_client):
    store = shared_client.sandbox.store
    partner_id = store.create("res.partner", {"name": "To archive"})
    store.archive("res.partner", [partner_id])
    domain = [("id", "=", partner_id)]
    assert await shared_client.search_read("res.partner", domain, ["name"]) == []
    with_archived = await shared_client.search_read("res.partner", domain, ["name", "active"], context={"active_test": False})
    assert [record["id"] for record in with_archived] == [partner_id]
    assert with_archived[0]["active"] is False
    [by_id] = await shared_client.read("res.partner", [partner_id], ["name"])
    assert by_id["name"] == "To archive"


async def test_deleted_id(shared_client):
    store = shared_client.sandbox.store
    partner_id = store.create("res.partner", {"name": "To delete"})
    store.unlink("res.partner", [partner_id])
    assert await shared_client.read("res.partner", [partner_id], ["name"]) == []
    with pytest.raises(errors.MissingRecordError):
        await shared_client.write("res.partner", [partner_id], {"name": "Back"})
    with pytest.raises(errors.MissingRecordError):
        await shared_client.unlink("res.partner", [partner_id])


def _html_site(status: int) -> Starlette:
    async def page(request):
        return HTMLResponse("<!doctype html><title>Company site</title><p>Welcome</p>", status_code=status)

    return Starlette(routes=[Route("/{path:path}", page, methods=["GET", "POST"])])


@pytest.mark.parametrize("status", [200, 404])
async def test_probe_not_odoo(status):
    handle = start_in_thread(_html_site(status))
    try:
        with pytest.raises(errors.NotOdooError) as caught:
            await probe_server(handle.url, timeout=5)
    finally:
        handle.stop()
    assert isinstance(caught.value, errors.ProtocolError)
    assert "base URL" in str(caught.value)
