"""Helpers shared by the Odoo client tests: connecting to a sandbox."""

from __future__ import annotations

import pytest

from core.odoo import CredentialKind, OdooClient, Protocol, RetryPolicy
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
