"""JSON-2 over httpx (Odoo 19+): ``POST /json/2/<model>/<method>`` with named arguments.

The API key travels as ``Authorization: bearer <key>`` and the database as
``X-Odoo-Database``. A 200 carries the bare JSON result. Errors carry
``{name, message, arguments, context, debug}`` with 401, 403, 404, 422 or
500. A wrong Content-Type (415) and an unknown database (404) come back as
text/html instead.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from core.ledger.models import Protocol
from core.odoo import classify, errors
from core.odoo.classify import Location
from core.odoo.jsonrpc import JsonRpc
from core.odoo.transport import Transport, check_shared_status, is_html, load_json, unexpected_reply
from core.secrets import Secret

log = logging.getLogger(__name__)

_CONTENT_TYPE = "application/json"

#: Names of the positional parameters of the ORM methods the client uses,
#: so that execute_kw-style calls map onto JSON-2's named arguments.
POSITIONAL_NAMES: dict[str, tuple[str, ...]] = {
    "search_read": ("domain", "fields", "offset", "limit", "order"),
    "search": ("domain", "offset", "limit", "order"),
    "search_count": ("domain", "limit"),
    "read": ("ids", "fields"),
    "create": ("vals_list",),
    "write": ("ids", "vals"),
    "unlink": ("ids",),
    "fields_get": ("allfields", "attributes"),
    "default_get": ("fields_list",),
    "name_search": ("name", "domain", "operator", "limit"),
    "context_get": (),
}


def named_arguments(model: str, method: str, args: list, kwargs: dict | None) -> dict:
    """Map execute_kw's positional ``args`` and ``kwargs`` onto JSON-2 named arguments.

    Methods not in :data:`POSITIONAL_NAMES` follow the ORM convention that
    a record method's first positional argument is the ids.
    """
    names = POSITIONAL_NAMES.get(method, ("ids",))
    if len(args) > len(names):
        raise errors.InvalidValueError(
            f"{len(args)} positional arguments for {model}.{method}, but JSON-2 maps only {names or 'none'}",
            hint="pass the other arguments by name in kwargs",
            model=model,
            method=method,
        )
    named = dict(zip(names, args, strict=False))
    if kwargs:
        named.update(kwargs)
    return named


def load_reply(response, where: Location, database: str) -> Any:
    """Return the bare JSON result of a JSON-2 reply, or raise its typed error."""
    if response.status_code == 200 and not is_html(response):
        try:
            return load_json(response.content)
        except ValueError as error:
            raise errors.ProtocolError(f"the reply is not valid JSON: {error}", **where.fields()) from None
    raise _error_for(response, where, database)


def _error_for(response, where: Location, database: str) -> errors.OdooError:
    status = response.status_code
    if status in (301, 302, 303, 307, 308) and "/web/login" in response.headers.get("location", ""):
        # Odoo before 19 has no /json/2 route and sends the caller to the login page.
        return errors.ProtocolError(
            "this server has no JSON-2 API (it redirects /json/2 to the login page)",
            hint="JSON-2 needs Odoo 19 or later; use JSON-RPC or XML-RPC with this server",
            **where.fields(),
        )
    check_shared_status(response, where)
    if status == 404 and is_html(response):
        return errors.DatabaseNotFoundError(f'database "{database}" does not exist (JSON-2 responded 404)', **where.fields())
    if status in (401, 403, 404, 422, 500) and "json" in response.headers.get("content-type", "").lower():
        try:
            body = json.loads(response.content)
        except ValueError:
            body = None
        if isinstance(body, dict):
            return classify.from_json2_error(status, body, where)
    return unexpected_reply(response, where, "JSON-2")


class Json2:
    """Calls over JSON-2 with one database and API key."""

    protocol = Protocol.JSON2

    def __init__(self, transport: Transport, database: str, login: str, credential: Secret) -> None:
        self._transport = transport
        self._database = database
        self._login = login
        self._credential = credential
        self.uid: int | None = None

    def _headers(self) -> dict:
        return {"Authorization": f"bearer {self._credential.reveal()}", "X-Odoo-Database": self._database}

    async def call_named(self, model: str, method: str, named: dict) -> Any:
        """Call ``model.method`` with JSON-2 named arguments."""
        where = Location(self._transport.url(f"/json/2/{model}/{method}"), model, method)
        body = json.dumps(named, separators=(",", ":")).encode("utf-8")
        response = await self._transport.post(where, body, _CONTENT_TYPE, self._headers())
        return load_reply(response, where, self._database)

    async def execute_kw(self, model: str, method: str, args: list, kwargs: dict | None) -> Any:
        return await self.call_named(model, method, named_arguments(model, method, args, kwargs))

    async def authenticate(self) -> Any:
        """Check the API key with a cheap call and return the uid of the login.

        JSON-2 has no authenticate: a search on res.users both proves the
        key works (401 otherwise) and finds the uid of the login. Where
        res.users cannot be searched, the key has still been accepted, and
        common.authenticate over JSON-RPC (which takes API keys too) gives
        the uid.
        """
        try:
            found = await self.call_named("res.users", "search", {"domain": [["login", "=", self._login]], "limit": 1})
        except (errors.UnknownModelError, errors.UnknownMethodError, errors.AccessError) as error:
            log.info("cannot search res.users over JSON-2 (%s); taking the uid of %s from JSON-RPC", type(error).__name__, self._login)
            return await self._uid_over_jsonrpc()
        if isinstance(found, list) and found and isinstance(found[0], int):
            return found[0]
        return False

    async def _uid_over_jsonrpc(self) -> Any:
        return await JsonRpc(self._transport, self._database, self._login, self._credential).authenticate()

    def __repr__(self) -> str:
        return f"Json2({self._transport.base_url!r}, database={self._database!r}, uid={self.uid!r})"
