"""Connection drafts: values a person has entered, before anything reaches the ledger."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.ledger.models import CredentialKind, NewConnection, NewEndpoint, Protocol, StreamSpec
from core.secrets import Secret
from core.sync.backoff import MIN_INTERVAL_SECONDS

DEFAULT_INTERVAL_SECONDS = 900


@dataclass(frozen=True, slots=True)
class EndpointDraft:
    """A webhook endpoint to create with the connection; ``secret`` is shown once."""

    url: str
    secret: Secret
    event_types: list[str] = field(default_factory=lambda: ["*"])


@dataclass(frozen=True, slots=True)
class ConnectionDraft:
    """Everything needed to save a connection in one transaction."""

    name: str
    url: str
    database: str
    login: str
    credential: Secret
    credential_kind: CredentialKind
    protocol: Protocol = Protocol.AUTO
    interval_seconds: int = DEFAULT_INTERVAL_SECONDS
    streams: list[StreamSpec] = field(default_factory=list)
    endpoint: EndpointDraft | None = None

    def new_connection(self) -> NewConnection:
        """Return the ledger row for this draft."""
        return NewConnection(
            name=self.name,
            url=self.url,
            database=self.database,
            login=self.login,
            credential=self.credential,
            credential_kind=self.credential_kind,
            protocol=self.protocol,
            interval_seconds=self.interval_seconds,
        )

    def new_endpoint(self) -> NewEndpoint | None:
        """Return the ledger row for the endpoint, or None when it was skipped."""
        if self.endpoint is None:
            return None
        return NewEndpoint(url=self.endpoint.url, secret=self.endpoint.secret, event_types=list(self.endpoint.event_types))


def check_interval(seconds: int) -> int:
    """Return ``seconds`` if it is a usable sync interval, else raise ValueError."""
    if seconds < MIN_INTERVAL_SECONDS:
        raise ValueError(f"invalid interval {seconds} s: use at least {MIN_INTERVAL_SECONDS} s")
    return seconds


def parse_event_filter(text: str) -> list[str]:
    """Split a comma-separated event filter such as ``record.*, sync.failed``.

    An empty filter means every event type (``*``).
    """
    types = [part.strip() for part in text.split(",") if part.strip()]
    for event_type in types:
        if " " in event_type:
            raise ValueError(f"invalid event type {event_type!r}: separate types with commas")
    return types or ["*"]


def default_name(database: str, taken: set[str]) -> str:
    """Return a connection name based on the database that no connection uses yet."""
    if database not in taken:
        return database
    number = 2
    while f"{database}-{number}" in taken:
        number += 1
    return f"{database}-{number}"
