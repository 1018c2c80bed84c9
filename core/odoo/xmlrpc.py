"""XML-RPC over httpx: ``/xmlrpc/2/common``, ``/xmlrpc/2/object``, ``/xmlrpc/2/db``."""

from __future__ import annotations

import xmlrpc.client
from typing import Any
from xml.parsers.expat import ExpatError

from core.ledger.models import Protocol
from core.odoo import classify, errors
from core.odoo.classify import Location
from core.odoo.transport import Transport, check_shared_status, unexpected_reply
from core.odoo.values import XMLRPC_INT_MAX, XMLRPC_INT_MIN, find_big_integer
from core.secrets import Secret

_CONTENT_TYPE = "text/xml"


def dump_call(method: str, params: tuple, where: Location) -> bytes:
    """Marshal an XML-RPC call, refusing integers XML-RPC cannot carry.

    Odoo accepts <nil/> in arguments, so None is allowed. Integers beyond
    32 bits are refused here: Odoo would take an <i8> only to fail later in
    PostgreSQL, and the stdlib marshaller refuses them anyway.
    """
    try:
        return xmlrpc.client.dumps(params, method, allow_none=True, encoding="utf-8").encode("utf-8")
    except OverflowError:
        raise _big_integer_error(params, where) from None


def _big_integer_error(params: tuple, where: Location) -> errors.InvalidValueError:
    # Only the call's own arguments are searched, so the message can name a
    # path into them without ever touching the credential.
    if where.model:
        found = find_big_integer(params[5], "args") or find_big_integer(params[6], "kwargs")
    else:
        found = find_big_integer(list(params), "params")
    path, value = found if found else ("arguments", None)
    return errors.InvalidValueError(
        f"integer {value} at {path} is outside XML-RPC's range {XMLRPC_INT_MIN}..{XMLRPC_INT_MAX}",
        hint="use JSON-RPC for values this large, or check the value",
        **where.fields(),
    )


def load_reply(response, where: Location) -> Any:
    """Return the result of an XML-RPC reply, or raise its typed error."""
    check_shared_status(response, where)
    if response.status_code != 200 or not _looks_like_xml(response):
        raise unexpected_reply(response, where, "XML-RPC")
    try:
        params, _ = xmlrpc.client.loads(response.content)
    except xmlrpc.client.Fault as fault:
        raise classify.from_fault(fault.faultCode, fault.faultString, where) from None
    except (ExpatError, xmlrpc.client.ResponseError, ValueError, TypeError, IndexError) as error:
        raise errors.ProtocolError(f"the reply is not valid XML-RPC: {error}", **where.fields()) from None
    return params[0] if params else None


def _looks_like_xml(response) -> bool:
    content_type = response.headers.get("content-type", "").lower()
    return "xml" in content_type or (not content_type and response.content.lstrip().startswith(b"<?xml"))


class XmlRpc:
    """Calls over XML-RPC with one database, uid and credential."""

    protocol = Protocol.XMLRPC

    def __init__(self, transport: Transport, database: str, login: str, credential: Secret) -> None:
        self._transport = transport
        self._database = database
        self._login = login
        self._credential = credential
        self._object_url = transport.url("/xmlrpc/2/object")
        self.uid: int | None = None

    async def call(self, service: str, method: str, params: tuple, model: str | None = None, model_method: str | None = None) -> Any:
        """Call ``method`` of the ``service`` endpoint (common, object, db)."""
        where = Location(self._transport.url(f"/xmlrpc/2/{service}"), model, model_method or method)
        body = dump_call(method, params, where)
        response = await self._transport.post(where, body, _CONTENT_TYPE)
        return load_reply(response, where)

    async def version(self) -> dict:
        return await self.call("common", "version", ())

    async def authenticate(self) -> Any:
        """Return Odoo's raw result of common.authenticate (an int uid, or False)."""
        params = (self._database, self._login, self._credential.reveal(), {})
        return await self.call("common", "authenticate", params)

    async def list_databases(self) -> list[str]:
        return await self.call("db", "list", ())

    async def execute_kw(self, model: str, method: str, args: list, kwargs: dict | None) -> Any:
        params = (self._database, self.uid, self._credential.reveal(), model, method, args, kwargs or {})
        where = Location(self._object_url, model, method)
        body = dump_call("execute_kw", params, where)
        response = await self._transport.post(where, body, _CONTENT_TYPE)
        return load_reply(response, where)

    def __repr__(self) -> str:
        return f"XmlRpc({self._transport.base_url!r}, database={self._database!r}, uid={self.uid!r})"
