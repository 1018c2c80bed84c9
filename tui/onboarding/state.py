"""Wizard state: values collected so far, as plain data; nothing here is saved."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.ledger.models import CredentialKind, Protocol, StreamSpec
from core.onboarding import (
    ConnectionDraft,
    ConnectionTest,
    Credentials,
    EndpointDraft,
    Onboarded,
    ServerFacts,
    TestEventResult,
)
from core.secrets import Secret
from core.sync.streams import DEFAULT_STREAMS

STEP_TITLES = (
    "Odoo server",
    "Database",
    "Login",
    "Connection test",
    "Streams",
    "Webhook endpoint",
    "Finish",
)


@dataclass
class WizardState:
    """Values entered and results found, step by step.

    The credential lives here only while the wizard is open; it is written
    to the ledger by the finish step and nowhere else.
    """

    url: str = ""
    facts: ServerFacts | None = None
    database: str = ""
    login: str = ""
    credential: Secret | None = None
    credential_kind: CredentialKind = CredentialKind.PASSWORD
    protocol: Protocol = Protocol.AUTO
    test: ConnectionTest | None = None
    stream_names: list[str] = field(default_factory=list)
    interval_seconds: int = 900
    endpoint_secret: Secret | None = None  # generated when the endpoint step opens
    endpoint: EndpointDraft | None = None
    test_event: TestEventResult | None = None
    test_event_url: str = ""  # the endpoint URL that ``test_event`` was sent to
    name: str = ""
    onboarded: Onboarded | None = None

    def credentials(self) -> Credentials:
        """Return the login details for the connection test."""
        assert self.credential is not None, "credentials are entered before the test step"
        return Credentials(self.url, self.database, self.login, self.credential, self.credential_kind, self.protocol)

    def draft(self) -> ConnectionDraft:
        """Return everything the finish step saves."""
        chosen = set(self.stream_names)
        streams = [StreamSpec(s.name, s.model, s.domain, s.fields, s.name in chosen) for s in DEFAULT_STREAMS]
        return ConnectionDraft(
            name=self.name,
            url=self.url,
            database=self.database,
            login=self.login,
            credential=self.credential,
            credential_kind=self.credential_kind,
            protocol=self.protocol,
            interval_seconds=self.interval_seconds,
            streams=streams,
            endpoint=self.endpoint,
        )
