"""The client against the sandbox over real sockets, on every protocol."""

from datetime import UTC, date, datetime

import pytest

from core.odoo import CredentialKind, Many2one, Protocol, errors, probe_server
from core.secrets import Secret
from tests.odoo.conftest import connect


async def test_connect_reports_protocol_and_uid(shared_client):
    assert shared_client.uid == 2
    assert shared_client.protocol.value in ("xmlrpc", "jsonrpc", "json2")
    assert shared_client.server_version == shared_client.sandbox.version.serie


async def test_search_read_converts_values(shared_client):
    store = shared_client.sandbox.store
    request_id = store.create("maintenance.request", {"name": "Spindle check", "equipment_id": 1, "request_date": "2026-01-10"})
    [record] = await shared_client.search_read(
        "maintenance.request", [("id", "=", request_id)], ["name", "equipment_id", "schedule_date", "request_date", "write_date", "description"]
    )
    assert record["name"] == "Spindle check"
    assert isinstance(record["equipment_id"], Many2one)
    assert record["equipment_id"].id == 1
    assert record["schedule_date"] is None
    assert record["description"] is None
    assert record["request_date"] == date(2026, 1, 10)
    assert record["write_date"].tzinfo is UTC


async def test_read_search_and_count(shared_client):
    ids = await shared_client.search("res.partner", [("is_company", "=", True)], order="id asc", limit=3)
    assert len(ids) == 3
    assert ids == sorted(ids)
    records = await shared_client.read("res.partner", ids, ["name"])
    assert [record["id"] for record in records] == ids
    count = await shared_client.search_count("res.partner", [("is_company", "=", True)])
    assert count >= 3


async def test_fields_get_types(shared_client):
    described = await shared_client.fields_get("maintenance.request", attributes=["type", "string"])
    assert described["equipment_id"]["type"] == "many2one"
    assert described["schedule_date"]["type"] == "datetime"


async def test_create_write_unlink(shared_client):
    moment = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    new_id = await shared_client.create("maintenance.request", {"name": "Replace belt", "schedule_date": moment})
    assert isinstance(new_id, int)
    assert await shared_client.write("maintenance.request", [new_id], {"name": "Replace V-belt"}) is True
    [record] = await shared_client.read("maintenance.request", [new_id], ["name", "schedule_date"])
    assert record["name"] == "Replace V-belt"
    assert record["schedule_date"] == moment
    assert await shared_client.unlink("maintenance.request", [new_id]) is True
    assert await shared_client.read("maintenance.request", [new_id], ["name"]) == []


async def test_iter_pages_reads_everything(shared_client):
    count = await shared_client.search_count("res.partner", [])
    seen = []
    async for page in shared_client.iter_pages("res.partner", [], ["name"], page_size=9):
        assert len(page) <= 9
        seen.extend(record["id"] for record in page)
    assert len(seen) == count
    assert len(set(seen)) == count


async def test_auto_picks_jsonrpc_for_password(sandbox):
    async with await connect(sandbox) as client:
        assert client.protocol == Protocol.JSONRPC


async def test_auto_picks_json2_for_api_key(sandbox19):
    async with await connect(sandbox19, credential=sandbox19.api_key, kind=CredentialKind.API_KEY) as client:
        assert client.protocol == Protocol.JSON2
        assert client.uid == 2


async def test_auto_picks_jsonrpc_for_password_on_19(sandbox19):
    async with await connect(sandbox19) as client:
        assert client.protocol == Protocol.JSONRPC


async def test_json2_refused_before_19(sandbox):
    with pytest.raises(errors.ProtocolError) as caught:
        await connect(sandbox, Protocol.JSON2, credential=sandbox.api_key, kind=CredentialKind.API_KEY)
    assert "Odoo 18.0 has no JSON-2 API" in str(caught.value)


async def test_json2_needs_api_key(sandbox19):
    with pytest.raises(errors.InvalidValueError) as caught:
        await connect(sandbox19, Protocol.JSON2)
    assert "needs an API key" in str(caught.value)


@pytest.mark.parametrize("version", ["18.0", "19.0"])
async def test_probe_reports_version_and_databases(sandbox_factory, version):
    server = sandbox_factory(version=version)
    info = await probe_server(server.url, timeout=5)
    assert info.version == version
    assert info.version_info[0] == int(version.split(".")[0])
    assert info.json2 is (version == "19.0")
    assert info.databases == ["sandbox"]


@pytest.mark.parametrize("protocol", [Protocol.XMLRPC, Protocol.JSONRPC])
async def test_api_key_works_without_session_login(sandbox, protocol):
    # Odoo refuses API keys on its browser session login; the client only
    # uses common.authenticate, which takes them, so a key works on 18.0.
    async with await connect(sandbox, protocol, credential=sandbox.api_key, kind=CredentialKind.API_KEY) as client:
        assert client.uid == 2
        assert client.protocol == protocol


async def test_password_given_as_api_key(sandbox19):
    # JSON-2 takes API keys only, so a password marked as a key is rejected.
    with pytest.raises(errors.AuthenticationError) as caught:
        await connect(sandbox19, credential=Secret("admin"), kind=CredentialKind.API_KEY)
    assert "API key was rejected" in str(caught.value)


async def test_wrong_api_key_over_json2(sandbox19):
    wrong = Secret("0" * 40)
    with pytest.raises(errors.AuthenticationError) as caught:
        await connect(sandbox19, Protocol.JSON2, credential=wrong, kind=CredentialKind.API_KEY)
    assert caught.value.url.endswith("/json/2/res.users/search")


async def test_list_databases(shared_client):
    assert await shared_client.list_databases() == ["sandbox"]
