"""Save an onboarded connection, and change its credentials or token later.

These are the only onboarding functions that write to the ledger.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from core.clock import Clock
from core.ledger.models import (
    ApiToken,
    Command,
    CommandKind,
    Connection,
    CredentialKind,
    Endpoint,
    StreamSpec,
)
from core.ledger.bundle import Probe
from core.onboarding.draft import ConnectionDraft
from core.onboarding.probe import ConnectionTest, Credentials, test_connection
from core.secrets import Secret
from core.tokens import IssuedToken, generate_token

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Onboarded:
    """The saved rows shown by the last wizard step; ``token.value`` exists only here."""

    connection: Connection
    token: IssuedToken
    api_token: ApiToken
    endpoint: Endpoint | None
    first_sync: Command


@dataclass(frozen=True, slots=True)
class CredentialsChanged:
    """The connection after new credentials passed the test, with its new token."""

    connection: Connection
    token: IssuedToken
    test: ConnectionTest


def finish_onboarding(ledger, draft: ConnectionDraft, test: ConnectionTest, clock: Clock) -> Onboarded:
    """Save connection, streams, endpoint and token in one transaction, then queue the first sync.

    Only the token's hash reaches the ledger; ``Onboarded.token.value`` is
    the one copy of the clear token.
    """
    token = generate_token()
    now = clock.now()
    bundle = ledger.create_connection_bundle(
        draft.new_connection(),
        streams=stream_specs_for(draft, test),
        endpoint=draft.new_endpoint(),
        token_hash=token.hash,
        token_prefix=token.prefix,
        probe=Probe(test.version, test.protocol, test.uid),
        unavailable={check.spec.name: check.reason for check in test.streams if not check.available},
        at=now,
    )
    command = ledger.enqueue_command(CommandKind.SYNC, {"connection_id": bundle.connection.id}, now)
    log.info("saved connection %s (%s) with token %s, endpoint %s; queued first sync as command %s",
             bundle.connection.id, bundle.connection.name, token.prefix,
             bundle.endpoint.id if bundle.endpoint else None, command.id)
    return Onboarded(bundle.connection, token, bundle.token, bundle.endpoint, command)


def stream_specs_for(draft: ConnectionDraft, test: ConnectionTest) -> list[StreamSpec]:
    """Return every tested stream, enabled only when chosen and available.

    Streams left out are saved disabled, so they can be switched on later
    without running the wizard again.
    """
    chosen = {spec.name for spec in draft.streams if spec.enabled}
    specs = []
    for check in test.streams:
        enabled = check.available and check.spec.name in chosen
        specs.append(StreamSpec(check.spec.name, check.spec.model, list(check.spec.domain),
                                list(check.spec.fields), enabled))
    return specs


async def change_credentials(ledger, connection_id: int, login: str, credential: Secret,
                             credential_kind: CredentialKind, clock: Clock) -> CredentialsChanged:
    """Test new credentials, store them, and replace the connection's token.

    Nothing is written unless the test logs in. Credentials, the new token
    and the revocation of the old one are one transaction, and the
    connection goes back to pending so the scheduler syncs it again.
    """
    connection = _require(ledger, connection_id)
    credentials = Credentials(connection.url, connection.database, login, credential, credential_kind,
                              connection.protocol)
    specs = [StreamSpec(s.name, s.model, s.domain, s.fields, s.enabled) for s in ledger.list_streams(connection_id)]
    test = await test_connection(credentials, specs)

    token = generate_token()
    connection, _ = ledger.replace_credentials(
        connection_id,
        login=login,
        credential=credential,
        credential_kind=credential_kind,
        probe=Probe(test.version, test.protocol, test.uid),
        token_hash=token.hash,
        token_prefix=token.prefix,
        at=clock.now(),
    )
    log.info("updated credentials of connection %s (login %s) and issued token %s", connection_id, login, token.prefix)
    return CredentialsChanged(connection, token, test)


def rotate_token(ledger, connection_id: int, clock: Clock) -> IssuedToken:
    """Issue a new token for the connection; the old one stops working at once."""
    _require(ledger, connection_id)
    token = _issue(ledger, connection_id, clock.now())
    log.info("rotated the token of connection %s; new token %s", connection_id, token.prefix)
    return token


def _issue(ledger, connection_id: int, now) -> IssuedToken:
    token = generate_token()
    ledger.issue_token(connection_id, token.hash, token.prefix, now)
    return token


def _require(ledger, connection_id: int) -> Connection:
    connection = ledger.get_connection(connection_id)
    if connection is None:
        raise LookupError(f"connection {connection_id} not found; list them with `odoo-relay connections list`")
    return connection
