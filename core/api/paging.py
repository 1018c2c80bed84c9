"""Reading and writing the ``cursor`` and ``limit`` parameters of list endpoints."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from core.api.auth import Caller
from core.api.context import api_context
from core.api.params import page_limit


def request_limit(request: Request) -> int:
    """Return the page size asked for, defaulted and clamped by the API settings."""
    settings = api_context(request).settings
    return page_limit(request, default=settings.default_page_size, maximum=settings.max_page_size)


def request_position(request: Request, caller: Caller, kind: str, param: str = "cursor") -> Any | None:
    """Return the keyset position in the request's cursor, or None without one."""
    raw = request.query_params.get(param)
    if raw is None:
        return None
    position = api_context(request).cursors.decode(raw, caller.connection.id, kind)
    # JSON has no tuples, and the ledger's keyset keys may be tuples.
    return tuple(position) if isinstance(position, list) else position


def cursor_for(request: Request, caller: Caller, kind: str, position: Any | None) -> str | None:
    """Return a cursor for ``position``, or None at the end of the list."""
    if position is None:
        return None
    return api_context(request).cursors.encode(caller.connection.id, kind, position)


def page_body(items: list[dict[str, Any]], next_cursor: str | None, **extra: Any) -> dict[str, Any]:
    return {"data": items, "next_cursor": next_cursor, "has_more": next_cursor is not None, **extra}
