"""JSON-RPC over httpx: ``POST /jsonrpc`` with ``{"service", "method", "args"}``."""

from __future__ import annotations

import itertools
import json
from typing import Any

from core.ledger.models import Protocol
from core.odoo import classify, errors
from core.odoo.classify import Location
from core.odoo.transport import Transport, check_shared_status, load_json, unexpected_reply
from core.secrets import Secret

_CONTENT_TYPE = "application/json"


def dump_call(service: str, method: str, args: list, request_id: int) -> bytes:
    payload = {"jsonrpc": "2.0", "method": "call", "params": {"service": service, "method": method, "args": args}, "id": request_id}
    return json.dumps(payload, separators=(",", ":")).encode("utf-8")


def load_reply(response, where: Location) -> Any:
    """Return the ``result`` of a JSON-RPC reply, or raise its typed error.

    A reply without ``result`` and without ``error`` means the method
    returned None: Odoo 18 leaves the member out.
    """
    check_shared_status(response, where)
    if response.status_code != 200 or "json" not in response.headers.get("content-type", "").lower():
        raise unexpected_reply(response, where, "JSON-RPC")
    try:
        data = load_json(response.content)
    except ValueError as error:
        raise errors.ProtocolError(f"the reply is not valid JSON: {error}", **where.fields()) from None
    if not isinstance(data, dict):
        raise errors.ProtocolError("the reply is not a JSON-RPC object", **where.fields())
    error = data.get("error")
    if error is not None:
        raise classify.from_jsonrpc_error(error if isinstance(error, dict) else {"message": str(error)}, where)
    return data.get("result")


class JsonRpc:
    """Calls over JSON-RPC with one database, uid and credential."""

    protocol = Protocol.JSONRPC

    def __init__(self, transport: Transport, database: str, login: str, credential: Secret) -> None:
        self._transport = transport
        self._database = database
        self._login = login
        self._credential = credential
        self._url = transport.url("/jsonrpc")
        self._ids = itertools.count(1)
        self.uid: int | None = None

    async def call(self, service: str, method: str, args: list, model: str | None = None, model_method: str | None = None) -> Any:
        """Call ``service.method`` with positional ``args``."""
        where = Location(self._url, model, model_method or method)
        body = dump_call(service, method, args, next(self._ids))
        response = await self._transport.post(where, body, _CONTENT_TYPE)
        return load_reply(response, where)

    async def version(self) -> dict:
        return await self.call("common", "version", [])

    async def authenticate(self) -> Any:
        """Return Odoo's raw result of common.authenticate (an int uid, or False)."""
        return await self.call("common", "authenticate", [self._database, self._login, self._credential.reveal(), {}])

    async def list_databases(self) -> list[str]:
        return await self.call("db", "list", [])

    async def execute_kw(self, model: str, method: str, args: list, kwargs: dict | None) -> Any:
        call_args = [self._database, self.uid, self._credential.reveal(), model, method, args, kwargs or {}]
        return await self.call("object", "execute_kw", call_args, model, method)

    def __repr__(self) -> str:
        return f"JsonRpc({self._transport.base_url!r}, database={self._database!r}, uid={self.uid!r})"
