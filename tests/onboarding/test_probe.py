"""Discovery and connection tests against real loopback servers, through the real Odoo client."""

import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Route

from core.http_server import start_in_thread
from core.ledger.models import CredentialKind, Protocol
from core.onboarding import Cause, Credentials, OnboardingError, discover_server
from core.onboarding import test_connection as run_connection_test
from core.secrets import Secret
from core.sync.streams import DEFAULT_STREAMS


def _serve(*routes):
    return start_in_thread(Starlette(routes=list(routes)))


async def _cause_of_discovery(url: str) -> OnboardingError:
    with pytest.raises(OnboardingError) as caught:
        await discover_server(url)
    return caught.value


async def test_sandbox_lists_its_single_database(sandbox):
    facts = await discover_server(sandbox.url)
    assert facts.version == "18.0"
    assert facts.json2 is False
    assert facts.suggested_database == "sandbox"


async def test_19_offers_json2(sandbox_factory):
    facts = await discover_server(sandbox_factory(version="19.0").url)
    assert facts.json2 is True


async def test_html_page_is_not_odoo():
    page = HTMLResponse("<html><body>Welcome to nginx</body></html>")
    with _serve(Route("/{path:path}", lambda request: page, methods=["GET", "POST"])) as server:
        error = await _cause_of_discovery(server.url)
    assert error.failure.cause is Cause.NOT_ODOO
    assert server.url in error.failure.message


async def test_404_on_rpc_path_is_not_odoo():
    with _serve() as server:
        error = await _cause_of_discovery(server.url)
    assert error.failure.cause is Cause.NOT_ODOO


async def test_redirect_names_target():
    target = "https://erp.example.com/web/login"
    with _serve(Route("/{path:path}", lambda request: RedirectResponse(target, 301), methods=["GET", "POST"])) as server:
        error = await _cause_of_discovery(server.url)
    assert error.failure.cause is Cause.REDIRECT
    assert target in error.failure.message
    assert "https://erp.example.com" in error.failure.fix


async def test_closed_port_is_unreachable(refused_url):
    error = await _cause_of_discovery(refused_url)
    assert error.failure.cause is Cause.UNREACHABLE


async def test_https_to_plain_http_is_tls_error(sandbox):
    error = await _cause_of_discovery(sandbox.url.replace("http://", "https://"))
    assert error.failure.cause is Cause.TLS_ERROR


def _credentials(server, database="sandbox", login="admin", secret="admin", kind=CredentialKind.PASSWORD,
                 protocol=Protocol.AUTO):
    return Credentials(server.url, database, login, Secret(secret), kind, protocol)


async def test_unknown_database(sandbox):
    with pytest.raises(OnboardingError) as caught:
        await run_connection_test(_credentials(sandbox, database="prod"), DEFAULT_STREAMS)
    assert caught.value.failure.cause is Cause.DATABASE_NOT_FOUND
    assert "'prod'" in caught.value.failure.message


async def test_wrong_password_suggests_api_key(sandbox):
    with pytest.raises(OnboardingError) as caught:
        await run_connection_test(_credentials(sandbox, secret="nope"), DEFAULT_STREAMS)
    assert caught.value.failure.cause is Cause.TWO_FACTOR
    assert "nope" not in str(caught.value)


async def test_wrong_api_key_on_json2(sandbox_factory):
    server = sandbox_factory(version="19.0")
    with pytest.raises(OnboardingError) as caught:
        await run_connection_test(_credentials(server, secret="0" * 40, kind=CredentialKind.API_KEY), DEFAULT_STREAMS)
    assert caught.value.failure.cause is Cause.WRONG_CREDENTIALS


@pytest.mark.parametrize("protocol", [Protocol.XMLRPC, Protocol.JSONRPC])
async def test_forced_protocol_is_used(sandbox, protocol):
    result = await run_connection_test(_credentials(sandbox, protocol=protocol), DEFAULT_STREAMS[:1])
    assert result.protocol is protocol
    assert result.uid == 2


async def test_portal_user_gets_crosses_with_reasons(sandbox):
    seen = []
    credentials = _credentials(sandbox, login="portaluser", secret="portaluser")
    result = await run_connection_test(credentials, DEFAULT_STREAMS, on_check=seen.append)
    assert seen == result.streams
    checks = {check.spec.name: check for check in result.streams}
    assert checks["vendors"].available is True
    assert checks["stock_levels"].available is False
    assert checks["stock_levels"].failure.cause is Cause.ACCESS_DENIED
    assert "stock.quant" in checks["stock_levels"].reason
