"""Bearer-token authentication: which connection a request may see.

A token reaches its own connection only. The status rules (reconnect
required, disabled) live in ``check_connection_status`` so the CLI and the
API answer the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from core.api.context import ApiContext, api_context
from core.api.errors import ApiError
from core.api.ratelimit import retry_after_header
from core.ledger import Ledger
from core.ledger.models import ApiToken, Connection, ConnectionStatus
from core.tokens import hash_token, looks_like_token

_CHALLENGE = 'Bearer realm="odoo-relay"'
_INVALID_TOKEN_CHALLENGE = 'Bearer realm="odoo-relay", error="invalid_token"'


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated token and the connection it belongs to."""

    token: ApiToken
    connection: Connection


def bearer_token(request: Request) -> str:
    """Return the token from ``Authorization: Bearer <token>`` or raise 401."""
    header = request.headers.get("authorization")
    if header is None:
        raise _unauthorized("missing_token", "missing Authorization header; send Authorization: Bearer <token>", _CHALLENGE)
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value:
        raise _unauthorized("missing_token", "the Authorization header must be Bearer <token>", _CHALLENGE)
    return value


def find_caller(ledger: Ledger, token_value: str) -> Caller | None:
    """Return the live token and its connection, or None for an unknown or revoked token."""
    if not looks_like_token(token_value):
        return None
    found = ledger.find_token(hash_token(token_value))
    if found is None:
        return None
    token, connection = found
    if token.revoked_at is not None:
        return None
    return Caller(token=token, connection=connection)


def check_connection_status(connection: Connection) -> None:
    """Raise the error a token of a connection in this status gets, if any."""
    if connection.status == ConnectionStatus.AUTH_FAILED:
        raise _unauthorized(
            "reconnect_required",
            f"Odoo rejected the credentials of connection {connection.id}; reconnect it in odoo-relay",
            _INVALID_TOKEN_CHALLENGE,
        )
    if connection.status == ConnectionStatus.DISABLED:
        raise ApiError(403, "connection_disabled", f"connection {connection.id} is disabled; enable it in odoo-relay")


async def authenticate(request: Request) -> Caller:
    """Authenticate the request, spend one rate-limit token, and check the connection."""
    context = api_context(request)
    token_value = bearer_token(request)
    caller = context.pool.call_inline(find_caller, token_value)
    if caller is None:
        raise _unauthorized("invalid_token", "unknown or revoked token; issue a new one with odoo-relay tokens", _INVALID_TOKEN_CHALLENGE)

    request.state.connection_id = caller.connection.id
    _spend_rate_limit(context, caller)
    check_connection_status(caller.connection)
    return caller


def _spend_rate_limit(context: ApiContext, caller: Caller) -> None:
    wait = context.buckets.take(caller.token.id, context.clock.now().timestamp())
    if wait > 0:
        limit = context.buckets.limit
        raise ApiError(
            429,
            "rate_limited",
            f"too many requests for this token (limit {limit.per_second:g}/s, burst {limit.burst}); retry after the Retry-After delay",
            headers={"Retry-After": retry_after_header(wait)},
        )


def _unauthorized(code: str, message: str, challenge: str) -> ApiError:
    return ApiError(401, code, message, headers={"WWW-Authenticate": challenge})


def authenticated(handler):
    """Wrap ``handler(request, caller)`` as a Starlette endpoint that authenticates first."""

    async def endpoint(request: Request):
        caller = await authenticate(request)
        return await handler(request, caller)

    endpoint.__name__ = handler.__name__
    endpoint.__doc__ = handler.__doc__
    return endpoint
