"""No password or API key shows in a repr, a message or a traceback."""

import traceback

import pytest

from core.odoo import NO_RETRY, CredentialKind, OdooClient, Protocol, errors
from core.secrets import Secret
from tests.odoo.conftest import connect

PASSWORD = "Tr0ub4dor-relay-pw-7731"


def _rendered(value) -> str:
    text = [repr(value), str(value)]
    if isinstance(value, BaseException):
        text.append("".join(traceback.format_exception(value)))
    return "\n".join(text)


async def _errors_from(client, sandbox) -> list[BaseException]:
    """Provoke one error of each kind a logged-in client can meet."""
    found = []
    calls = [
        lambda: client.search_read("no.such.model", [], ["name"]),
        lambda: client.execute_kw("res.partner", "no_such_method", [[1]]),
        lambda: client.create("maintenance.request", {}),
        lambda: client.search_read("product.product", [("no_such_field", "=", 1)], ["name"]),
        lambda: client.write("res.partner", [999999], {"name": "x"}),
        lambda: client.search("res.partner", [("id", "=", 2**40)]),
    ]
    faults = [
        (lambda: sandbox.faults.database_down(True), lambda: sandbox.faults.database_down(False)),
        (lambda: sandbox.faults.proxy_502(True), lambda: sandbox.faults.proxy_502(False)),
        (lambda: sandbox.faults.rate_limit(3), lambda: sandbox.faults.rate_limit(None)),
        (lambda: sandbox.faults.change_password("admin", "other-pw"), lambda: sandbox.faults.change_password("admin", PASSWORD)),
    ]
    for call in calls:
        found.append(await _caught(call))
    for switch_on, switch_off in faults:
        switch_on()
        found.append(await _caught(lambda: client.search("res.partner", [], limit=1)))
        switch_off()
    return found


async def _caught(call) -> BaseException:
    with pytest.raises(errors.OdooError) as caught:
        await call()
    return caught.value


@pytest.mark.parametrize("protocol", [Protocol.XMLRPC, Protocol.JSONRPC])
async def test_password_never_rendered(sandbox, protocol):
    sandbox.faults.change_password("admin", PASSWORD)
    client = await connect(sandbox, protocol, credential=Secret(PASSWORD), retry=NO_RETRY)
    try:
        rendered = [_rendered(client)] + [_rendered(error) for error in await _errors_from(client, sandbox)]
    finally:
        await client.aclose()
    assert len(rendered) == 11
    for text in rendered:
        assert PASSWORD not in text


async def test_api_key_never_rendered(sandbox19):
    key = sandbox19.api_key
    client = await connect(sandbox19, Protocol.JSON2, credential=key, kind=CredentialKind.API_KEY, retry=NO_RETRY)
    try:
        found = [await _caught(lambda: client.search_read("no.such.model", [], ["name"]))]
        sandbox19.faults.proxy_502(True)
        found.append(await _caught(lambda: client.search("res.partner", [], limit=1)))
        rendered = [_rendered(client), *(_rendered(error) for error in found)]
    finally:
        await client.aclose()
    for text in rendered:
        assert key.reveal() not in text


@pytest.mark.parametrize("protocol", [Protocol.XMLRPC, Protocol.JSONRPC])
async def test_failed_login_hides_password(sandbox, protocol):
    with pytest.raises(errors.AuthenticationError) as caught:
        await OdooClient.connect(sandbox.url, "sandbox", "admin", Secret(PASSWORD), CredentialKind.PASSWORD, protocol=protocol, retry=NO_RETRY)
    assert PASSWORD not in _rendered(caught.value)


async def test_wrong_api_key_hidden(sandbox19):
    wrong = Secret("f" * 40)
    with pytest.raises(errors.AuthenticationError) as caught:
        await connect(sandbox19, Protocol.JSON2, credential=wrong, kind=CredentialKind.API_KEY, retry=NO_RETRY)
    assert wrong.reveal() not in _rendered(caught.value)


async def test_plain_string_credential_rejected(sandbox):
    with pytest.raises(TypeError) as caught:
        await OdooClient.connect(sandbox.url, "sandbox", "admin", PASSWORD, CredentialKind.PASSWORD)
    assert PASSWORD not in str(caught.value)
