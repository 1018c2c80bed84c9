"""Every error class, raised by the sandbox over real sockets, on every protocol."""

import httpx
import pytest

from core.odoo import NO_RETRY, CredentialKind, OdooClient, Protocol, errors
from core.secrets import Secret
from tests.odoo.conftest import connect

RPC_PROTOCOLS = [Protocol.XMLRPC, Protocol.JSONRPC]


@pytest.mark.parametrize("protocol", RPC_PROTOCOLS)
async def test_wrong_password_is_authentication_error(sandbox, protocol):
    with pytest.raises(errors.AuthenticationError) as caught:
        await connect(sandbox, protocol, credential=Secret("wrong-pw"))
    assert "login 'admin' was rejected by database 'sandbox'" in str(caught.value)
    assert errors.is_credentials(caught.value)


@pytest.mark.parametrize("protocol", RPC_PROTOCOLS)
async def test_changed_password_fails_later_calls(sandbox, protocol):
    async with await connect(sandbox, protocol) as client:
        sandbox.faults.change_password("admin", "a-new-password")
        with pytest.raises(errors.AuthenticationError) as caught:
            await client.search("res.partner", [], limit=1)
    assert caught.value.odoo_exception == "odoo.exceptions.AccessDenied"


@pytest.mark.parametrize("protocol", RPC_PROTOCOLS)
async def test_portal_user_access_error(sandbox, protocol):
    async with await connect(sandbox, protocol, login="portaluser") as client:
        with pytest.raises(errors.AccessError) as caught:
            await client.search_read("stock.quant", [], ["quantity"])
    assert caught.value.model == "stock.quant"
    assert "stock.quant" in str(caught.value)


@pytest.mark.parametrize("protocol", RPC_PROTOCOLS)
async def test_write_without_rights(sandbox, protocol):
    async with await connect(sandbox, protocol, login="nostock") as client:
        with pytest.raises(errors.AccessError):
            await client.write("stock.quant", [1], {"quantity": 3.0})


async def test_unknown_model(shared_client):
    with pytest.raises(errors.UnknownModelError) as caught:
        await shared_client.search_read("no.such.model", [], ["name"])
    assert "no.such.model" in str(caught.value)


async def test_unknown_method(shared_client):
    with pytest.raises(errors.UnknownMethodError) as caught:
        await shared_client.execute_kw("res.partner", "no_such_method", [[1]])
    assert caught.value.method == "no_such_method"


async def test_missing_required_field_is_user_error(shared_client):
    with pytest.raises(errors.UserError) as caught:
        await shared_client.create("maintenance.request", {})
    assert caught.value.odoo_exception in ("odoo.exceptions.ValidationError", "odoo.exceptions.UserError")


async def test_unknown_field_in_domain_is_server_error(shared_client):
    with pytest.raises(errors.ServerError) as caught:
        await shared_client.search_read("product.product", [("no_such_field", "=", 1)], ["name"])
    assert caught.value.exception_name == "ValueError"
    assert "no_such_field" in caught.value.last_line


@pytest.mark.parametrize("protocol", [*RPC_PROTOCOLS, Protocol.JSON2])
async def test_wrong_database(sandbox_factory, protocol):
    # NOTE: the sandbox serves one database, so this checks the error a
    # multi-database server gives for a wrong name, not the choice among many.
    server = sandbox_factory(version="19.0")
    kind = CredentialKind.API_KEY if protocol == Protocol.JSON2 else CredentialKind.PASSWORD
    credential = server.api_key if protocol == Protocol.JSON2 else Secret("admin")
    with pytest.raises(errors.DatabaseNotFoundError) as caught:
        await OdooClient.connect(server.url, "nosuchdb", "admin", credential, kind, protocol=protocol, retry=NO_RETRY)
    assert '"nosuchdb"' in str(caught.value)


async def test_database_down(any_client):
    any_client.sandbox.faults.database_down(True)
    with pytest.raises(errors.DatabaseUnavailableError) as caught:
        await any_client.search("res.partner", [], limit=1)
    assert errors.is_connectivity(caught.value)


async def test_server_down_is_unreachable(any_client):
    any_client.retry = NO_RETRY
    any_client.sandbox.faults.go_down()
    with pytest.raises(errors.ServerUnreachableError) as caught:
        await any_client.search("res.partner", [], limit=1)
    assert "cannot connect" in str(caught.value)


async def test_slow_server_times_out(sandbox):
    async with await connect(sandbox, Protocol.JSONRPC, retry=NO_RETRY, timeout=httpx.Timeout(2.0, read=0.2)) as client:
        sandbox.faults.slow(1.0)
        with pytest.raises(errors.ServerUnreachableError) as caught:
            await client.search("res.partner", [], limit=1)
    assert "no reply" in str(caught.value)


async def test_proxy_502_is_unreachable(any_client):
    any_client.retry = NO_RETRY
    any_client.sandbox.faults.proxy_502(True)
    with pytest.raises(errors.ServerUnreachableError) as caught:
        await any_client.search_read("res.partner", [], ["name"], limit=1)
    assert "502" in str(caught.value)


async def test_rate_limited_carries_retry_after(any_client):
    any_client.retry = NO_RETRY
    any_client.sandbox.faults.rate_limit(7)
    with pytest.raises(errors.RateLimitedError) as caught:
        await any_client.search("res.partner", [], limit=1)
    assert caught.value.retry_after == 7


async def test_none_result_over_xmlrpc(sandbox):
    async with await connect(sandbox, Protocol.XMLRPC) as client:
        request_id = sandbox.store.create("maintenance.request", {"name": "Archive me"})
        writes_before = sandbox.store.versions["maintenance.request"]
        with pytest.raises(errors.ResultNotMarshallableError) as caught:
            await client.execute_kw("maintenance.request", "archive_equipment_request", [[request_id]])
        writes_after = sandbox.store.versions["maintenance.request"]
        [record] = await client.read("maintenance.request", [request_id], ["archive"])
    assert record["archive"] is True
    assert writes_after - writes_before == 1
    assert "do not repeat" in str(caught.value)


async def test_none_result_over_jsonrpc(sandbox):
    async with await connect(sandbox, Protocol.JSONRPC) as client:
        request_id = sandbox.store.create("maintenance.request", {"name": "Archive me"})
        assert await client.execute_kw("maintenance.request", "archive_equipment_request", [[request_id]]) is None


async def test_get_on_rpc_path_is_protocol_error(sandbox):
    from core.odoo.classify import Location
    from core.odoo.transport import Transport
    from core.odoo.xmlrpc import load_reply

    transport = Transport(sandbox.url)
    where = Location(transport.url("/xmlrpc/2/object"))
    try:
        response = await transport.get(where)
        with pytest.raises(errors.ProtocolError) as caught:
            load_reply(response, where)
    finally:
        await transport.aclose()
    assert "405" in str(caught.value)
