"""Connection status after a sync run, and when the scheduler syncs it next.

A connection is ``pending`` until its first success. It is ``active`` after
any run that reached Odoo with valid credentials and synced at least one
stream, and ``unreachable`` after connectivity errors, which back off. It is
``auth_failed`` when the credentials are rejected, and then waits for a
reconnect instead of retrying on a timer. Only the operator sets ``disabled``. The ledger's ``set_status``
writes ``connection.status_changed`` once per real transition.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from core.ledger import ConnectionStatus, Ledger, SyncStatus
from core.odoo import errors
from core.sync.backoff import next_regular_sync, retry_delay

log = logging.getLogger(__name__)

# Error messages are stored on runs and sent in events; a full traceback from
# a ServerError stays in the log instead.
MAX_ERROR_MESSAGE = 1000


class FailureKind(StrEnum):
    CONNECTIVITY = "connectivity"  # try again later, with backoff
    CREDENTIALS = "credentials"  # wait for a reconnect
    OTHER = "other"  # a bug, a broken model: retry on the normal schedule
    INTERRUPTED = "interrupted"  # the engine stopped mid-run: resume at the next start


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """The end of a sync run, as status and scheduling use it."""

    status: SyncStatus
    failure: FailureKind | None = None
    error_class: str | None = None
    error_message: str | None = None
    retry_after: float | None = None
    reached_odoo: bool = False  # logged in and read at least one stream


def failure_kind(error: BaseException) -> FailureKind:
    """Classify an error from the Odoo client by what the scheduler should do about it."""
    if errors.is_connectivity(error):
        return FailureKind.CONNECTIVITY
    if errors.is_credentials(error):
        return FailureKind.CREDENTIALS
    return FailureKind.OTHER


def describe(error: BaseException) -> tuple[str, str]:
    """Return (error class, message) for a run row or an event, the message cut to 1000 characters."""
    message = str(error) or type(error).__name__
    if len(message) > MAX_ERROR_MESSAGE:
        message = message[: MAX_ERROR_MESSAGE - 1] + "…"
    return type(error).__name__, message


def outcome_of_error(error: BaseException, status: SyncStatus = SyncStatus.FAILED) -> RunOutcome:
    """Build the outcome of a run that ``error`` ended."""
    error_class, message = describe(error)
    retry_after = getattr(error, "retry_after", None) if isinstance(error, errors.RateLimitedError) else None
    return RunOutcome(status, failure_kind(error), error_class, message, retry_after)


def record_outcome(
    ledger: Ledger,
    connection_id: int,
    outcome: RunOutcome,
    now: datetime,
    rng: random.Random | None = None,
) -> None:
    """Move the connection's status and set its next sync after a run."""
    connection = ledger.get_connection(connection_id)
    if connection is None:
        log.info("connection %s was removed during its sync; nothing to schedule", connection_id)
        return
    if connection.status == ConnectionStatus.DISABLED:
        # The operator disabled it while the run was going; that wins.
        ledger.schedule(connection_id, None, 0)
        return

    if outcome.failure == FailureKind.CONNECTIVITY:
        _record_unreachable(ledger, connection.id, connection.backoff_attempt + 1,
                            connection.interval_seconds, outcome, now, rng)
    elif outcome.failure == FailureKind.CREDENTIALS:
        reason = f"credentials rejected: {outcome.error_message}"
        ledger.set_status(connection.id, ConnectionStatus.AUTH_FAILED, reason, now)
        ledger.schedule(connection.id, None, 0)
        log.warning("connection %s: credentials rejected; waiting for a reconnect", connection.id)
    elif outcome.status in (SyncStatus.SUCCEEDED, SyncStatus.PARTIAL):
        reason = "first sync succeeded" if connection.status == ConnectionStatus.PENDING else "sync succeeded"
        ledger.set_status(connection.id, ConnectionStatus.ACTIVE, reason, now)
        ledger.schedule(connection.id, next_regular_sync(now, connection.interval_seconds), 0)
    else:
        if outcome.reached_odoo and connection.status == ConnectionStatus.UNREACHABLE:
            # Every stream failed, but the server responded, so it is no
            # longer unreachable. The run row records what failed.
            reason = f"Odoo is reachable again, but every stream failed ({outcome.error_class})"
            ledger.set_status(connection.id, ConnectionStatus.ACTIVE, reason, now)
        ledger.schedule(connection.id, next_regular_sync(now, connection.interval_seconds), 0)


def _record_unreachable(
    ledger: Ledger,
    connection_id: int,
    attempt: int,
    interval_seconds: int,
    outcome: RunOutcome,
    now: datetime,
    rng: random.Random | None,
) -> None:
    reason = f"{outcome.error_class}: {outcome.error_message}"
    ledger.set_status(connection_id, ConnectionStatus.UNREACHABLE, reason, now)
    delay = retry_delay(attempt, interval_seconds, outcome.retry_after, rng)
    ledger.schedule(connection_id, now + timedelta(seconds=delay), attempt)
    log.warning(
        "connection %s unreachable (%s); retry %d in %.0f s",
        connection_id, outcome.error_class, attempt, delay,
    )
