"""The client never follows a redirect: it names the new location instead.

A tiny Starlette app on loopback plays a reverse proxy that sends
plain-http callers to https, since the sandbox never redirects.
"""

import pytest
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from core.http_server import start_in_thread
from core.odoo import CredentialKind, OdooClient, Protocol, RetryPolicy, errors, probe_server
from core.secrets import Secret

HTTPS_BASE = "https://odoo.example.com"


def _redirecting_app(status: int) -> Starlette:
    requests_seen: list[str] = []

    async def redirect(request):
        requests_seen.append(f"{request.method} {request.url.path}")
        return Response(status_code=status, headers={"Location": HTTPS_BASE + request.url.path})

    app = Starlette(routes=[Route("/{path:path}", redirect, methods=["GET", "POST"])])
    app.state.requests_seen = requests_seen
    return app


@pytest.fixture(params=[301, 308])
def redirecting_server(request):
    app = _redirecting_app(request.param)
    handle = start_in_thread(app)
    yield handle, app.state.requests_seen
    handle.stop()


async def test_connect_reports_redirect(redirecting_server):
    handle, seen = redirecting_server
    with pytest.raises(errors.RedirectError) as caught:
        await OdooClient.connect(
            handle.url, "sandbox", "admin", Secret("admin"), CredentialKind.PASSWORD, protocol=Protocol.JSONRPC, retry=RetryPolicy(attempts=3)
        )
    error = caught.value
    assert error.location == HTTPS_BASE + "/web/version"
    assert "fix the base URL" in str(error)
    assert "https://odoo.example.com" in str(error)
    # Not retried and not followed: one request, and none to the https host.
    assert seen == ["GET /web/version"]


async def test_probe_reports_redirect(redirecting_server):
    handle, _ = redirecting_server
    with pytest.raises(errors.RedirectError) as caught:
        await probe_server(handle.url, timeout=5)
    assert caught.value.location.startswith(HTTPS_BASE)
