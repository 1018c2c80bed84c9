"""Find out what an Odoo server is before logging in: version, JSON-2, databases."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import httpx

from core.odoo import errors
from core.odoo.classify import Location
from core.odoo.jsonrpc import JsonRpc
from core.odoo.retry import NO_RETRY, RetryPolicy, run_read
from core.odoo.transport import Transport, check_shared_status, is_html
from core.odoo.xmlrpc import XmlRpc
from core.secrets import Secret

log = logging.getLogger(__name__)

#: First major version with the JSON-2 API.
JSON2_MAJOR = 19


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """Version facts a server reports about itself, and its databases.

    ``databases`` is None when the server refuses to list them (Odoo's
    ``list_db = False``) or when listing was not asked for.
    """

    version: str
    version_info: tuple
    json2: bool
    databases: list[str] | None = None


@dataclass(frozen=True, slots=True)
class Detection:
    """A ServerInfo plus the RPC endpoints that responded while finding it."""

    info: ServerInfo
    jsonrpc: bool
    xmlrpc: bool


def _info(version: str, version_info) -> ServerInfo:
    parts = tuple(version_info) if isinstance(version_info, list | tuple) else ()
    major = parts[0] if parts and isinstance(parts[0], int) else 0
    return ServerInfo(version=str(version), version_info=parts, json2=major >= JSON2_MAJOR)


def _from_common_version(result) -> ServerInfo:
    if not isinstance(result, dict) or "server_version" not in result:
        raise errors.ProtocolError("common.version returned no server_version")
    version = result.get("server_serie") or result["server_version"]
    return _info(version, result.get("server_version_info"))


async def _web_version(transport: Transport) -> ServerInfo | None:
    """Return the info from ``GET /web/version`` (Odoo 19 has it), or None."""
    where = Location(transport.url("/web/version"), None, "GET /web/version")
    response = await transport.get(where)
    if response.is_redirect and "/web/login" in response.headers.get("location", ""):
        # The route needs a session here, so the version comes from RPC instead.
        return None
    check_shared_status(response, where)
    if response.status_code != 200 or is_html(response):
        return None
    try:
        data = json.loads(response.content)
    except ValueError:
        return None
    if not isinstance(data, dict) or "version" not in data:
        return None
    return _info(data["version"], data.get("version_info"))


async def detect(transport: Transport) -> Detection:
    """Detect the server version: ``/web/version``, else common.version().

    Connectivity errors and redirects are raised at once. A path that is
    missing, or responds with something that is not RPC, moves on to the
    next way of asking. When none works, the URL is not an Odoo server.
    """
    info = await _web_version(transport)
    if info is not None:
        return Detection(info, jsonrpc=True, xmlrpc=True)
    anonymous = Secret("")
    for rpc_class in (JsonRpc, XmlRpc):
        rpc = rpc_class(transport, "", "", anonymous)
        try:
            result = await rpc.version()
        except (errors.NotOdooError, errors.ProtocolError, errors.UnexpectedHtmlError):
            continue
        return Detection(_from_common_version(result), jsonrpc=rpc_class is JsonRpc, xmlrpc=rpc_class is XmlRpc)
    raise errors.NotOdooError(
        "not an Odoo server: /web/version, /jsonrpc and /xmlrpc/2/common returned no Odoo response",
        url=transport.base_url,
    )


async def list_databases_or_none(rpc) -> list[str] | None:
    """Return db.list(), or None when the server refuses to list databases."""
    try:
        databases = await rpc.list_databases()
    except (errors.AuthenticationError, errors.AccessError, errors.NotOdooError) as error:
        # AccessDenied is Odoo's reply under list_db = False; a missing
        # /jsonrpc (a JSON-2-only server) leaves no way to list them either.
        log.info("database listing not available: %s", error)
        return None
    return list(databases) if isinstance(databases, list) else None


async def probe_server(url: str, timeout: httpx.Timeout | float | None = None, retry: RetryPolicy = NO_RETRY) -> ServerInfo:
    """Probe ``url`` for onboarding: version, JSON-2 availability and databases.

    Raises NotOdooError when the URL responds but not as Odoo, and the
    other typed errors (unreachable, redirect, ...) as a call would.
    """
    transport = Transport(url, _as_timeout(timeout))
    try:
        detection = await run_read(retry, lambda: detect(transport))
        rpc_class = JsonRpc if detection.jsonrpc else XmlRpc
        databases = await run_read(retry, lambda: list_databases_or_none(rpc_class(transport, "", "", Secret(""))))
    finally:
        await transport.aclose()
    info = detection.info
    return ServerInfo(info.version, info.version_info, info.json2, databases)


def _as_timeout(timeout: httpx.Timeout | float | None) -> httpx.Timeout | None:
    if timeout is None or isinstance(timeout, httpx.Timeout):
        return timeout
    return httpx.Timeout(timeout, connect=min(float(timeout), 5.0))
