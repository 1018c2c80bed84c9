"""Ask an Odoo server what it is, and test credentials and streams against it.

Every function here raises OnboardingError carrying a Failure (cause and
fix), never a raw client error, so the wizard and the CLI show the same text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from core.ledger.models import CredentialKind, Protocol, StreamSpec
from core.odoo import OdooClient, errors, probe_server
from core.onboarding.failures import Attempt, Cause, Failure, classify
from core.secrets import Secret
from core.sync.availability import NO_ARCHIVE_FILTER
from core.sync.streams import REQUIRED_FIELDS

log = logging.getLogger(__name__)

PROBE_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class OnboardingError(Exception):
    """A step failed; ``failure`` names the cause and the fix."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(str(failure))
        self.failure = failure


@dataclass(frozen=True, slots=True)
class ServerFacts:
    """Facts the server reports before any login."""

    url: str
    version: str
    json2: bool
    databases: list[str] | None  # None when the server hides its database list

    @property
    def suggested_database(self) -> str | None:
        """Return the only database of a single-database server."""
        if self.databases and len(self.databases) == 1:
            return self.databases[0]
        return None


@dataclass(frozen=True, slots=True)
class Credentials:
    """The server, database and login to test."""

    url: str
    database: str
    login: str
    credential: Secret
    credential_kind: CredentialKind
    protocol: Protocol = Protocol.AUTO

    def attempt(self) -> Attempt:
        """Return the non-secret values that a failure message may name."""
        return Attempt(self.url, self.database, self.login, self.credential_kind)


@dataclass(frozen=True, slots=True)
class StreamCheck:
    """Whether one stream can be synced: a tick, or a cross with the reason."""

    spec: StreamSpec
    available: bool
    record_count: int | None = None
    failure: Failure | None = None

    @property
    def reason(self) -> str | None:
        """Return the one-line reason for a cross."""
        return None if self.failure is None else str(self.failure)


@dataclass(frozen=True, slots=True)
class ConnectionTest:
    """The result of logging in and checking every stream."""

    version: str
    protocol: Protocol
    uid: int
    streams: list[StreamCheck]

    @property
    def available_streams(self) -> list[StreamSpec]:
        """Return the specs of the streams that passed."""
        return [check.spec for check in self.streams if check.available]


async def discover_server(url: str) -> ServerFacts:
    """Probe ``url`` for its Odoo version and, when it lists them, its databases."""
    try:
        info = await probe_server(url, timeout=PROBE_TIMEOUT)
    except Exception as error:  # noqa: BLE001 - every failure becomes a cause and a fix
        raise _failed(error, Attempt(url)) from error
    log.info("probed %s: Odoo %s, json2=%s, %s databases listed", url, info.version, info.json2,
             "no" if info.databases is None else len(info.databases))
    return ServerFacts(url=url, version=info.version, json2=info.json2, databases=info.databases)


async def open_client(credentials: Credentials) -> OdooClient:
    """Log in and return a client; the caller closes it."""
    try:
        return await OdooClient.connect(
            credentials.url,
            credentials.database,
            credentials.login,
            credentials.credential,
            credential_kind=credentials.credential_kind,
            protocol=credentials.protocol,
            timeout=PROBE_TIMEOUT,
        )
    except Exception as error:  # noqa: BLE001 - every failure becomes a cause and a fix
        raise _failed(error, credentials.attempt()) from error


async def test_connection(
    credentials: Credentials,
    streams: list[StreamSpec],
    on_check: Callable[[StreamCheck], None] | None = None,
) -> ConnectionTest:
    """Log in, detect version and protocol, and check each stream.

    ``on_check`` is called with each stream's result as soon as it is
    known, so a screen can tick streams off one by one.
    """
    client = await open_client(credentials)
    checks = []
    async with client:
        for spec in streams:
            checks.append(await check_stream(client, spec, credentials.attempt()))
            if on_check is not None:
                on_check(checks[-1])
    log.info("tested login %s on %s db %s: uid %s over %s, %d/%d streams available", credentials.login,
             credentials.url, credentials.database, client.uid, client.protocol,
             sum(check.available for check in checks), len(checks))
    return ConnectionTest(version=client.server_version, protocol=Protocol(client.protocol), uid=client.uid,
                          streams=checks)


async def check_stream(client: OdooClient, spec: StreamSpec, attempt: Attempt) -> StreamCheck:
    """Check that a stream's model is installed, has the cursor fields and is readable.

    The checks are the syncer's own (core.sync.availability); the record
    count is extra, for the wizard's tick. Connectivity and credential
    errors are raised, because they reveal nothing about the stream.
    """
    try:
        fields = await client.fields_get(spec.model, attributes=["type"])
        missing = [name for name in REQUIRED_FIELDS if name not in fields]
        if missing:
            return StreamCheck(spec, False, failure=_missing_fields(spec, missing))
        count = await client.search_count(spec.model, list(spec.domain), context=NO_ARCHIVE_FILTER)
    except errors.OdooError as error:
        if errors.is_connectivity(error) or errors.is_credentials(error):
            raise _failed(error, attempt) from error
        return StreamCheck(spec, False, failure=classify(error, attempt))
    return StreamCheck(spec, True, record_count=count)


def _missing_fields(spec: StreamSpec, missing: list[str]) -> Failure:
    return Failure(
        Cause.MODEL_MISSING,
        f"{spec.model} has no field {', '.join(missing)}",
        "install the Odoo app that adds it, or leave the stream out",
    )


def _failed(error: BaseException, attempt: Attempt) -> OnboardingError:
    failure = classify(error, attempt)
    log.warning("onboarding step failed on %s: %s (%s)", attempt.url, failure.cause, type(error).__name__)
    return OnboardingError(failure)
