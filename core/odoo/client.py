"""The async Odoo client: one connection to one database as one user."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx

from core.ledger.models import CredentialKind, Protocol
from core.odoo import errors
from core.odoo.json2 import Json2
from core.odoo.jsonrpc import JsonRpc
from core.odoo.pages import RawPage, iter_pages
from core.odoo.probe import Detection, ServerInfo, _as_timeout, detect, list_databases_or_none
from core.odoo.retry import READ_METHODS, RetryPolicy, run_read
from core.odoo.transport import Transport
from core.odoo.values import RecordDecoder, encode, encode_domain, encode_values
from core.odoo.xmlrpc import XmlRpc
from core.secrets import Secret

log = logging.getLogger(__name__)

_RPC_CLASSES = {Protocol.XMLRPC: XmlRpc, Protocol.JSONRPC: JsonRpc, Protocol.JSON2: Json2}


def choose_protocol(requested: Protocol, detection: Detection, kind: CredentialKind, url: str) -> Protocol:
    """Pick the protocol: JSON-2 for an API key where the server has it, else JSON-RPC, else XML-RPC."""
    requested = Protocol(requested)
    if requested == Protocol.JSON2:
        if not detection.info.json2:
            raise errors.ProtocolError(
                f"JSON-2 was requested but Odoo {detection.info.version} has no JSON-2 API",
                url=url,
                hint="JSON-2 needs Odoo 19 or later; choose JSON-RPC or XML-RPC, or leave the protocol on auto",
            )
        if CredentialKind(kind) != CredentialKind.API_KEY:
            raise errors.InvalidValueError(
                "JSON-2 needs an API key, but the credential is a password",
                url=url,
                hint="create an API key in Odoo (Preferences > Account Security) or choose another protocol",
            )
        return requested
    if requested != Protocol.AUTO:
        return requested
    if detection.info.json2 and CredentialKind(kind) == CredentialKind.API_KEY:
        return Protocol.JSON2
    return Protocol.JSONRPC if detection.jsonrpc else Protocol.XMLRPC


class OdooClient:
    """An authenticated connection to one Odoo database.

    Build it with :meth:`connect`. Reads convert values with the model's
    fields_get types (cached per model) and are retried under the retry
    policy; writes are sent once. Close it with :meth:`aclose` or use it
    as an async context manager.
    """

    def __init__(self, transport: Transport, rpc, info: ServerInfo, database: str, login: str, retry: RetryPolicy) -> None:
        self._transport = transport
        self._rpc = rpc
        self._info = info
        self.database = database
        self.login = login
        self.retry = retry
        self._field_types: dict[str, dict[str, str]] = {}
        self._decoders: dict[tuple, RecordDecoder] = {}

    @classmethod
    async def connect(
        cls,
        url: str,
        database: str,
        login: str,
        credential: Secret,
        credential_kind: CredentialKind,
        protocol: Protocol = Protocol.AUTO,
        timeout: httpx.Timeout | float | None = None,
        retry: RetryPolicy | None = None,
    ) -> OdooClient:
        """Detect the server, pick the protocol and log in; raise a typed error on failure."""
        _check_connect_arguments(database, login, credential)
        policy = retry or RetryPolicy()
        transport = Transport(url, _as_timeout(timeout))
        try:
            detection = await run_read(policy, lambda: detect(transport))
            chosen = choose_protocol(protocol, detection, credential_kind, transport.base_url)
            rpc = _RPC_CLASSES[chosen](transport, database, login, credential)
            client = cls(transport, rpc, detection.info, database, login, policy)
            await client._authenticate()
        except BaseException:
            await transport.aclose()
            raise
        log.info("connected to %s database %s as uid %s over %s", transport.base_url, database, client.uid, chosen.value)
        return client

    async def _authenticate(self) -> None:
        answer = await run_read(self.retry, self._rpc.authenticate)
        # Odoo returns False for a bad login; a bool is never a uid (True == 1).
        if isinstance(answer, bool) or not isinstance(answer, int) or answer <= 0:
            raise errors.AuthenticationError(
                f"login {self.login!r} was rejected by database {self.database!r}",
                url=self._transport.base_url,
                method="authenticate",
            )
        self._rpc.uid = answer

    # --- what the connection is ----------------------------------------------

    @property
    def protocol(self) -> Protocol:
        return self._rpc.protocol

    @property
    def server_version(self) -> str:
        return self._info.version

    @property
    def server_info(self) -> ServerInfo:
        return self._info

    @property
    def uid(self) -> int | None:
        return self._rpc.uid

    @property
    def url(self) -> str:
        return self._transport.base_url

    def __repr__(self) -> str:
        return (
            f"OdooClient(url={self.url!r}, database={self.database!r}, login={self.login!r}, "
            f"uid={self.uid!r}, protocol={self.protocol.value!r}, version={self.server_version!r})"
        )

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def __aenter__(self) -> OdooClient:
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.aclose()

    # --- raw calls -------------------------------------------------------------

    async def execute_kw(self, model: str, method: str, args: list, kwargs: dict | None = None) -> Any:
        """Call any model method; retried only when ``method`` only reads."""
        args = encode(list(args), f"{model}.{method} arguments")
        kwargs = encode(kwargs, f"{model}.{method} arguments") if kwargs else None
        if method in READ_METHODS:
            return await self._read(model, method, args, kwargs)
        return await self._rpc.execute_kw(model, method, args, kwargs)

    async def _read(self, model: str, method: str, args: list, kwargs: dict | None) -> Any:
        return await run_read(self.retry, lambda: self._rpc.execute_kw(model, method, args, kwargs))

    # --- reads -----------------------------------------------------------------

    async def field_types(self, model: str) -> dict[str, str]:
        """Return {field: type} of ``model`` from fields_get, cached for the connection."""
        types = self._field_types.get(model)
        if types is None:
            described = await self._read(model, "fields_get", [], {"attributes": ["type"]})
            types = {name: info.get("type") for name, info in described.items() if isinstance(info, dict)}
            self._field_types[model] = types
        return types

    async def fields_get(self, model: str, attributes: list[str] | None = None) -> dict[str, dict]:
        described = await self._read(model, "fields_get", [], {"attributes": attributes} if attributes else {})
        if all(isinstance(info, dict) and "type" in info for info in described.values()):
            self._field_types[model] = {name: info["type"] for name, info in described.items()}
        return described

    def _decoder(self, model: str, fields, types: dict[str, str]) -> RecordDecoder:
        key = (model, tuple(fields) if fields else None)
        decoder = self._decoders.get(key)
        if decoder is None:
            decoder = self._decoders[key] = RecordDecoder(types, fields)
        return decoder

    async def search_read(
        self, model: str, domain: list, fields: list[str] | None = None, order: str | None = None,
        limit: int | None = None, offset: int = 0, context: dict | None = None,
    ) -> list[dict]:
        records, decoder = await self.search_read_raw(model, domain, fields, order, limit, offset, context)
        return decoder.decode(records)

    async def search_read_raw(
        self, model: str, domain: list, fields: list[str] | None = None, order: str | None = None,
        limit: int | None = None, offset: int = 0, context: dict | None = None,
    ) -> tuple[list[dict], RecordDecoder]:
        """Return search_read's records as Odoo sent them, and the decoder that converts them."""
        types = await self.field_types(model)
        kwargs = _read_kwargs(fields=list(fields or []), offset=offset, limit=limit, order=order, context=context)
        records = await self._read(model, "search_read", [encode_domain(model, domain, types)], kwargs)
        return records, self._decoder(model, fields, types)

    async def read(self, model: str, ids: list[int], fields: list[str] | None = None, context: dict | None = None) -> list[dict]:
        types = await self.field_types(model)
        records = await self._read(model, "read", [list(ids)], _read_kwargs(fields=list(fields or []), context=context))
        return self._decoder(model, fields, types).decode(records)

    async def search(
        self, model: str, domain: list, order: str | None = None, limit: int | None = None, offset: int = 0, context: dict | None = None
    ) -> list[int]:
        types = await self.field_types(model)
        kwargs = _read_kwargs(offset=offset, limit=limit, order=order, context=context)
        return await self._read(model, "search", [encode_domain(model, domain, types)], kwargs)

    async def search_count(self, model: str, domain: list, context: dict | None = None) -> int:
        types = await self.field_types(model)
        return await self._read(model, "search_count", [encode_domain(model, domain, types)], _read_kwargs(context=context))

    def iter_pages(
        self, model: str, domain: list, fields: list[str] | None, order: str = "write_date asc, id asc",
        page_size: int = 500, context: dict | None = None, since: datetime | None = None, decode: bool = True,
    ) -> AsyncIterator[list[dict]] | AsyncIterator[RawPage]:
        """Stream search_read pages; see core.odoo.pages for why it stays correct under writes.

        With the default order, pages come in write_date order and every
        record carries ``id`` and ``write_date`` even when not asked for.
        ``since`` (an aware datetime) reads only records with ``write_date >=
        since`` cut to the second, and so none with an empty write_date. It
        needs the default order and raises ValueError with any other. With
        ``decode`` False, pages come as (records as Odoo sent them, their
        decoder), for a caller that converts them elsewhere.
        """
        return iter_pages(self, model, list(domain), fields, order, page_size, context, since, decode)

    async def list_databases(self) -> list[str]:
        """Return the server's databases; raise AccessError when it refuses to list them."""
        rpc = self._rpc if not isinstance(self._rpc, Json2) else JsonRpc(self._transport, "", "", Secret(""))
        databases = await run_read(self.retry, lambda: list_databases_or_none(rpc))
        if databases is None:
            raise errors.AccessError("the server does not allow listing its databases", url=self.url, method="db.list", hint="ask the Odoo administrator for the database name")
        return databases

    # --- writes (never retried) --------------------------------------------------

    async def create(self, model: str, values: dict, context: dict | None = None) -> int:
        types = await self.field_types(model)
        encoded = encode_values(model, values, types)
        if isinstance(self._rpc, Json2):
            created = await self._rpc.execute_kw(model, "create", [[encoded]], _read_kwargs(context=context))
            return created[0] if isinstance(created, list) else created
        return await self._rpc.execute_kw(model, "create", [encoded], _read_kwargs(context=context))

    async def write(self, model: str, ids: list[int], values: dict, context: dict | None = None) -> bool:
        types = await self.field_types(model)
        return await self._rpc.execute_kw(model, "write", [list(ids), encode_values(model, values, types)], _read_kwargs(context=context))

    async def unlink(self, model: str, ids: list[int], context: dict | None = None) -> bool:
        return await self._rpc.execute_kw(model, "unlink", [list(ids)], _read_kwargs(context=context))


def _read_kwargs(**values) -> dict:
    """Keep the keyword arguments that were given; offset 0 is Odoo's default, so it is left out."""
    kwargs = {key: value for key, value in values.items() if value is not None}
    if kwargs.get("offset") == 0:
        del kwargs["offset"]
    return kwargs


def _check_connect_arguments(database: str, login: str, credential: Secret) -> None:
    if not isinstance(credential, Secret):
        # The value itself is never shown: it may be the password.
        raise TypeError(f"credential must be a core.secrets.Secret, got {type(credential).__name__}")
    if not database or not isinstance(database, str):
        raise errors.InvalidValueError(f"invalid database name {database!r}", hint="give the database name shown on the Odoo login page")
    if not login or not isinstance(login, str):
        raise errors.InvalidValueError(f"invalid login {login!r}", hint="give the Odoo user's login (often an email address)")

