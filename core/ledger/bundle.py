"""Writes that onboarding needs as one transaction: a new connection with
everything around it, and a credential change with its new token.

Both compose the ledger's own methods inside one ``write()`` block: nested
writes join the outer transaction, so a failure anywhere rolls back all of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from core.ledger.db import Database
from core.ledger.models import (
    ApiToken,
    Connection,
    ConnectionStatus,
    CredentialKind,
    Endpoint,
    NewConnection,
    NewEndpoint,
    Protocol,
    Stream,
    StreamSpec,
)
from core.secrets import Secret


@dataclass(frozen=True, slots=True)
class Probe:
    """The facts of a successful login: server version, protocol used, user id."""

    server_version: str
    protocol: Protocol
    uid: int


@dataclass(frozen=True, slots=True)
class ConnectionBundle:
    """The rows written by ``create_connection_bundle``."""

    connection: Connection
    streams: list[Stream]
    endpoint: Endpoint | None
    token: ApiToken


class BundleMixin:
    """Atomic multi-table writes for onboarding."""

    _db: Database

    def create_connection_bundle(
        self,
        new: NewConnection,
        *,
        streams: Sequence[StreamSpec],
        endpoint: NewEndpoint | None,
        token_hash: str,
        token_prefix: str,
        probe: Probe | None,
        unavailable: Mapping[str, str | None],
        at: datetime,
    ) -> ConnectionBundle:
        """Store a connection, its streams, an optional endpoint and its token in one transaction.

        ``unavailable`` maps stream names that failed the connection test to
        the reason. An endpoint created here is scoped to the new connection.
        """
        with self._db.write():
            connection = self.add_connection(new, at)
            if probe is not None:
                connection = self.record_probe(connection.id, probe.server_version, probe.protocol, probe.uid, at)
            saved_streams = self.upsert_streams(connection.id, streams)
            for stream in saved_streams:
                available = stream.name not in unavailable
                self.set_stream_availability(stream.id, available, unavailable.get(stream.name))
            saved_endpoint = None
            if endpoint is not None:
                scoped = NewEndpoint(endpoint.url, endpoint.secret, list(endpoint.event_types), connection.id,
                                     endpoint.description, endpoint.max_in_flight)
                saved_endpoint = self.add_endpoint(scoped, at)
            token = self.issue_token(connection.id, token_hash, token_prefix, at)
            saved_streams = self.list_streams(connection.id)
        return ConnectionBundle(connection, saved_streams, saved_endpoint, token)

    def replace_credentials(
        self,
        connection_id: int,
        *,
        login: str,
        credential: Secret,
        credential_kind: CredentialKind,
        probe: Probe,
        token_hash: str,
        token_prefix: str,
        at: datetime,
    ) -> tuple[Connection, ApiToken]:
        """Store tested credentials, issue a new token (revoking the old) and leave auth_failed.

        A disabled connection stays disabled; any other status becomes
        pending, so the scheduler syncs it again with the new credentials.
        """
        with self._db.write():
            self.update_credentials(connection_id, login, credential, credential_kind, at)
            self.record_probe(connection_id, probe.server_version, probe.protocol, probe.uid, at)
            token = self.issue_token(connection_id, token_hash, token_prefix, at)
            current = self.get_connection(connection_id)
            if current.status not in (ConnectionStatus.DISABLED, ConnectionStatus.PENDING):
                self.set_status(connection_id, ConnectionStatus.PENDING, "credentials updated", at)
            connection = self.get_connection(connection_id)
        return connection, token
