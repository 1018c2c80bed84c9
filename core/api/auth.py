"""Bearer-token authentication: which connection a request may see.

A token reaches its own connection only. The token and status rules live
in ``core.onboarding.authenticate_token``, shared with the CLI; this module
maps its errors to HTTP responses.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from starlette.requests import Request

from core.api.context import ApiContext, api_context
from core.api.errors import ApiError
from core.api.ratelimit import retry_after_header
from core.ledger import Ledger
from core.ledger.models import Connection
from core.onboarding import ConnectionDisabledError, TokenRejectedError, authenticate_token
from core.tokens import hash_token

_CHALLENGE = 'Bearer realm="odoo-relay"'
_INVALID_TOKEN_CHALLENGE = 'Bearer realm="odoo-relay", error="invalid_token"'


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated connection, and the key of its token's rate-limit bucket."""

    connection: Connection
    token_hash: str


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


def find_caller(ledger: Ledger, token_value: str) -> Caller:
    """Return the token's connection, or raise the 401 or 403 its token or status gets."""
    try:
        connection = authenticate_token(ledger, token_value)
    except TokenRejectedError as error:
        raise _rejected(error) from None
    return Caller(connection=connection, token_hash=hash_token(token_value))


def _rejected(error: TokenRejectedError) -> ApiError:
    # Only a disabled connection is 403. Unknown tokens and connections whose
    # Odoo credentials failed (reconnect_required) are 401, whatever
    # http_status onboarding suggests, because the client needs a new token.
    if isinstance(error, ConnectionDisabledError):
        return ApiError(403, error.code, str(error))
    return _unauthorized(error.code, str(error), _INVALID_TOKEN_CHALLENGE)


async def authenticate(request: Request) -> Caller:
    """Authenticate the request and spend one request of its token's rate limit."""
    context = api_context(request)
    token_value = bearer_token(request)
    caller = context.pool.call_inline(find_caller, token_value)
    request.state.connection_id = caller.connection.id
    _spend_rate_limit(context, caller)
    return caller


def _spend_rate_limit(context: ApiContext, caller: Caller) -> None:
    wait = context.buckets.take(caller.token_hash, context.clock.now().timestamp())
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

    @functools.wraps(handler)
    async def endpoint(request: Request):
        caller = await authenticate(request)
        return await handler(request, caller)

    return endpoint
