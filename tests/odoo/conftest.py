"""Helpers shared by the Odoo client tests: connecting to a sandbox."""

from __future__ import annotations

import pytest

from core.odoo import CredentialKind, OdooClient, Protocol, RetryPolicy
from core.sandbox import SandboxServer
from core.secrets import Secret

#: Retries that keep a test short when a fault is on.
FAST_RETRY = RetryPolicy(attempts=3, initial_wait=0.01, max_wait=0.2)


async def connect(server, protocol: Protocol = Protocol.AUTO, *, login: str = "admin", credential: Secret | None = None,
                  kind: CredentialKind = CredentialKind.PASSWORD, retry: RetryPolicy = FAST_RETRY, **options) -> OdooClient:
    """Log in to ``server`` as ``login`` (admin/admin by default)."""
    secret = credential if credential is not None else Secret(login)
    return await OdooClient.connect(server.url, server.database, login, secret, kind, protocol=protocol, retry=retry, **options)


@pytest.fixture
def sandbox19(sandbox_factory):
    """A started 19.0 sandbox, the first version with JSON-2."""
    return sandbox_factory(version="19.0")


@pytest.fixture(scope="module")
def shared_sandboxes():
    """One 18.0 and one 19.0 sandbox per test module, for tests that switch no fault.

    Starting a sandbox is quick but stopping one takes about 0.2 s, which
    adds up over a few dozen tests.
    """
    servers = {version: SandboxServer(version=version, port=0, seed=1).start() for version in ("18.0", "19.0")}
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture(params=["xmlrpc", "jsonrpc", "json2"])
async def shared_client(request, shared_sandboxes):
    """Like ``any_client``, on a sandbox shared by the module: only for tests that switch no fault."""
    if request.param == "json2":
        server = shared_sandboxes["19.0"]
        client = await connect(server, Protocol.JSON2, credential=server.api_key, kind=CredentialKind.API_KEY)
    else:
        server = shared_sandboxes["18.0"]
        client = await connect(server, Protocol(request.param))
    client.sandbox = server
    yield client
    await client.aclose()


@pytest.fixture(params=["xmlrpc", "jsonrpc", "json2"])
async def any_client(request, sandbox_factory):
    """A client over each protocol: XML-RPC and JSON-RPC on 18.0, JSON-2 on 19.0 with the API key."""
    if request.param == "json2":
        server = sandbox_factory(version="19.0")
        client = await connect(server, Protocol.JSON2, credential=server.api_key, kind=CredentialKind.API_KEY)
    else:
        server = sandbox_factory(version="18.0")
        client = await connect(server, Protocol(request.param))
    client.sandbox = server
    yield client
    await client.aclose()
