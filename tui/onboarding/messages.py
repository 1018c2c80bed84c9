"""Messages the wizard's steps post: each names what the person did.

Steps only post these; the screen runs the core work in workers.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from core.ledger.models import CredentialKind, Protocol
from core.secrets import Secret


@dataclass
class UrlEntered(Message):
    """The person typed a server URL and pressed enter."""

    text: str


@dataclass
class DatabaseChosen(Message):
    """A database was picked from the list or typed."""

    name: str


@dataclass
class CredentialsEntered(Message):
    """Login and password or API key were entered."""

    login: str
    credential: Secret
    credential_kind: CredentialKind
    protocol: Protocol


@dataclass
class StreamsChosen(Message):
    """The streams to sync and the interval were confirmed."""

    names: list[str]
    interval_text: str


@dataclass
class EndpointEntered(Message):
    """An endpoint URL and event filter were confirmed; an empty URL skips the endpoint."""

    url: str
    event_filter: str


@dataclass
class TestEventRequested(Message):
    """The person asked to send a test event to the endpoint URL."""

    url: str


@dataclass
class FinishRequested(Message):
    """The person confirmed the summary and asked to save the connection."""

    name: str


@dataclass
class StepBackRequested(Message):
    """The person asked to return to the previous step."""


@dataclass
class ContinueRequested(Message):
    """The person asked to go on from a step that has no input of its own."""
