"""Query and path parameter parsing with 400 errors that name the value and the fix."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request

from core.api.errors import bad_request

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def page_limit(request: Request, default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT) -> int:
    """Return ``limit`` from the query: ``default`` if absent, clamped to ``maximum``."""
    raw = request.query_params.get("limit")
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit():
        raise bad_request("invalid_limit", f"limit must be a whole number from 1 to {maximum}, got {raw!r}")
    value = int(raw)
    if value < 1:
        raise bad_request("invalid_limit", f"limit must be at least 1, got {raw!r}")
    return min(value, maximum)


def optional_datetime(request: Request, name: str) -> datetime | None:
    """Return an ISO 8601 query parameter as an aware UTC datetime; naive means UTC."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw)
        # An offset can push year 1 or 9999 out of range (OverflowError).
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (ValueError, OverflowError):
        raise bad_request(
            "invalid_parameter",
            f"{name} must be an ISO 8601 date-time such as 2026-01-31T08:00:00Z, got {raw!r}",
        ) from None


def optional_bool(request: Request, name: str, default: bool = False) -> bool:
    """Return a boolean query parameter written as true/false (also 1/0, yes/no)."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    lowered = raw.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise bad_request("invalid_parameter", f"{name} must be true or false, got {raw!r}")


def reject_unknown_query(request: Request, accepted: frozenset[str]) -> None:
    """Raise 400 ``invalid_parameter`` for a query parameter the route does not read.

    Without this, a misspelt name such as ``cursor`` for ``after`` is ignored
    and the client silently gets the first page.
    """
    unknown = sorted(set(request.query_params.keys()) - accepted)
    if not unknown:
        return
    names = ", ".join(repr(name) for name in unknown)
    noun = "parameter" if len(unknown) == 1 else "parameters"
    listed = ", ".join(sorted(accepted)) or "none"
    raise bad_request(
        "invalid_parameter",
        f"unknown query {noun} {names} for {request.method} {request.url.path}; accepted parameters: {listed}",
    )


def path_int(request: Request, name: str) -> int:
    """Return a non-negative integer path parameter, or raise 400 ``invalid_parameter``."""
    raw = request.path_params[name]
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise bad_request("invalid_parameter", f"{name} must be a positive whole number, got {raw!r}")
    return int(raw)
