"""Check a presented API token against the ledger and its connection's state."""

from __future__ import annotations

import logging

from core.ledger.models import Connection, ConnectionStatus
from core.tokens import hash_token, looks_like_token

log = logging.getLogger(__name__)


class TokenRejectedError(Exception):
    """The token cannot be used; ``code`` is a stable value for API error bodies."""

    code = "token_rejected"
    http_status = 401


class UnknownTokenError(TokenRejectedError):
    """No live token has this value: never issued, revoked, or its connection was removed."""

    code = "unknown_token"
    http_status = 401


class ReconnectRequiredError(TokenRejectedError):
    """The connection's Odoo credentials stopped working; edit them to get a new token."""

    code = "reconnect_required"
    # 401, not 403: the client must get a new token, which editing the
    # credentials issues.
    http_status = 401


class ConnectionDisabledError(TokenRejectedError):
    """The connection was disabled by an operator."""

    code = "connection_disabled"
    http_status = 403


def authenticate_token(ledger, token: str) -> Connection:
    """Return the connection that ``token`` belongs to, or raise a TokenRejectedError.

    A token is accepted while its connection is pending, active or
    unreachable. Unreachable is a network state, not a credentials state,
    so API clients can still read what was synced before the outage.
    """
    if not looks_like_token(token):
        raise UnknownTokenError("invalid token: expected orl_ followed by 43 characters")

    token_hash = hash_token(token)
    found = ledger.find_token(token_hash)
    if found is None:
        raise UnknownTokenError("unknown or revoked token: rotate it with `odoo-relay tokens rotate CONNECTION`")
    api_token, connection = found
    # The ledger looks the token up by its SHA-256. Timing of that lookup
    # reveals at most how a guess's hash compares to stored hashes, which
    # reveals nothing about the token itself, so no separate compare is needed.
    if api_token.revoked_at is not None:
        raise UnknownTokenError("unknown or revoked token: rotate it with `odoo-relay tokens rotate CONNECTION`")

    return _check_status(api_token.prefix, connection)


def _check_status(prefix: str, connection: Connection) -> Connection:
    if connection.status is ConnectionStatus.AUTH_FAILED:
        log.info("token %s rejected: connection %s needs new credentials", prefix, connection.id)
        raise ReconnectRequiredError(
            f"connection {connection.name!r} needs new Odoo credentials: "
            f"run `odoo-relay connections edit {connection.name}`, then use the new token"
        )
    if connection.status is ConnectionStatus.DISABLED:
        log.info("token %s rejected: connection %s is disabled", prefix, connection.id)
        raise ConnectionDisabledError(
            f"connection {connection.name!r} is disabled: run `odoo-relay connections enable {connection.name}`"
        )
    return connection
