"""The delivery queue: leased claims, attempt results, retries.

A dispatcher claims due deliveries with a lease (owner, random token,
expiry). Only the holder of the current token can record the result, so a
worker whose lease expired and was claimed again cannot overwrite the newer
outcome. Every change runs in one BEGIN IMMEDIATE transaction, which is what
keeps two processes from claiming the same row.
"""

from __future__ import annotations

import random
import secrets
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from core.ledger import rows
from core.ledger.batch import insert_rows
from core.ledger.codec import dump_json, from_epoch, to_epoch
from core.ledger.db import Database
from core.ledger.endpoints import disable_endpoint
from core.ledger.errors import InvalidValueError
from core.ledger.models import (
    AttemptRecord,
    ClaimedDelivery,
    CompletedAttempt,
    DeliveryOutcome,
    DeliveryState,
    Event,
    RetryResult,
)

RETRY_WINDOW = timedelta(hours=24)
_FINAL_STATES = (DeliveryState.SUCCEEDED, DeliveryState.PENDING, DeliveryState.FAILED)
_IN_CLAUSE_CHUNK = 500  # stays well under SQLite's limit on bound parameters

# One statement completes a whole batch: the results travel in a VALUES
# table, and the join keeps only rows whose lease token is still current.
_COMPLETE_BATCH_SQL = f"""
WITH result (id, token, state, started, next_attempt_at, status_code, error_class, error_message,
             succeeded_at, at) AS (VALUES {{rows}})
UPDATE deliveries SET
    state = result.state,
    attempts = deliveries.attempts + 1,
    first_attempt_at = coalesce(deliveries.first_attempt_at, result.started),
    deadline_at = coalesce(
        deliveries.deadline_at,
        coalesce(deliveries.first_attempt_at, result.started) + {RETRY_WINDOW.total_seconds()}
    ),
    next_attempt_at = result.next_attempt_at,
    last_status_code = result.status_code,
    last_error_class = result.error_class,
    last_error = result.error_message,
    succeeded_at = result.succeeded_at,
    updated_at = result.at,
    lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
FROM result
WHERE deliveries.id = result.id AND deliveries.lease_token = result.token AND deliveries.state = 'in_flight'
RETURNING id, attempts, endpoint_id
"""
_RESULT_ROW = "(" + ", ".join("?" * 10) + ")"
_COMPLETE_CHUNK = 500  # 10 parameters per row

_ATTEMPT_INSERT = (
    "INSERT INTO delivery_attempts (delivery_id, number, started_at, duration_ms, status_code,"
    " error_class, error_message, response_excerpt, request_headers, webhook_timestamp)"
)


def _chunks(values: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), _IN_CLAUSE_CHUNK):
        yield values[start : start + _IN_CLAUSE_CHUNK]


def _leases_per_endpoint(conn: sqlite3.Connection, now: float) -> dict[int, int]:
    found = conn.execute(
        "SELECT endpoint_id, count(*) FROM deliveries WHERE state = 'in_flight' AND lease_expires_at > ?"
        " GROUP BY endpoint_id",
        (now,),
    )
    return {endpoint_id: count for endpoint_id, count in found}


_LEASE_SQL = """
UPDATE deliveries SET state = 'in_flight', lease_owner = :owner, lease_token = :token,
    lease_expires_at = :expires, updated_at = :now
WHERE id IN (SELECT id FROM deliveries WHERE {due} LIMIT :room)
RETURNING id, event_seq, attempts, first_attempt_at
"""
# Expired leases first: those deliveries have waited longest.
_EXPIRED = "endpoint_id = :endpoint_id AND state = 'in_flight' AND lease_expires_at <= :now ORDER BY lease_expires_at"
_PENDING = "endpoint_id = :endpoint_id AND state = 'pending' AND next_attempt_at <= :now ORDER BY next_attempt_at, id"


def _lease_due_rows(conn: sqlite3.Connection, lease: dict[str, object], room: int) -> list[sqlite3.Row]:
    """Lease up to ``room`` due rows of ``lease["endpoint_id"]``; return them."""
    leased = conn.execute(_LEASE_SQL.format(due=_EXPIRED), {**lease, "room": room}).fetchall()
    if len(leased) < room:
        leased += conn.execute(_LEASE_SQL.format(due=_PENDING), {**lease, "room": room - len(leased)}).fetchall()
    return leased


def _lease_rows(
    conn: sqlite3.Connection, lease: dict[str, object], limit: int
) -> tuple[dict[int, sqlite3.Row], list[tuple[int, sqlite3.Row]]]:
    """Lease due rows endpoint by endpoint; return the enabled endpoints and (endpoint id, row) pairs."""
    endpoints = {
        row["id"]: row for row in conn.execute("SELECT * FROM endpoints WHERE enabled = 1 AND removed_at IS NULL")
    }
    leased = _leases_per_endpoint(conn, lease["now"])
    order = list(endpoints)
    random.shuffle(order)

    picked: list[tuple[int, sqlite3.Row]] = []
    for endpoint_id in order:
        room = min(endpoints[endpoint_id]["max_in_flight"] - leased.get(endpoint_id, 0), limit - len(picked))
        if room > 0:
            due = _lease_due_rows(conn, {**lease, "endpoint_id": endpoint_id}, room)
            picked.extend((endpoint_id, row) for row in due)
    return endpoints, picked


def _load_events(conn: sqlite3.Connection, seqs: set[int]) -> dict[int, Event]:
    events: dict[int, Event] = {}
    for chunk in _chunks(sorted(seqs)):
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(f"SELECT * FROM events WHERE seq IN ({marks})", chunk):
            events[row["seq"]] = rows.event(row)
    return events


def _check_outcome(outcome: DeliveryOutcome) -> None:
    if outcome.state not in _FINAL_STATES:
        raise InvalidValueError(
            f"a delivery outcome must be succeeded, pending or failed, got {outcome.state!r}"
        )


class Completion(NamedTuple):
    """A finished attempt with its SQL values encoded ahead of the transaction."""

    item: CompletedAttempt
    at: datetime
    result_values: tuple  # one row of the VALUES table in _COMPLETE_BATCH_SQL
    attempt_values: tuple  # delivery_attempts columns after delivery_id and number


def prepare_completion(item: CompletedAttempt, at: datetime) -> Completion:
    """Validate one result and encode its values; needs no transaction."""
    delivery_id, lease_token, attempt, outcome = item
    _check_outcome(outcome)
    at_epoch = to_epoch(at)
    next_attempt = None
    if outcome.state == DeliveryState.PENDING:
        next_attempt = to_epoch(outcome.next_attempt_at) if outcome.next_attempt_at else at_epoch
    succeeded = at_epoch if outcome.state == DeliveryState.SUCCEEDED else None
    started = to_epoch(attempt.started_at)
    result_values = (
        delivery_id, lease_token, str(outcome.state), started, next_attempt,
        attempt.status_code, attempt.error_class, attempt.error_message, succeeded, at_epoch,
    )
    attempt_values = (
        started, attempt.duration_ms, attempt.status_code, attempt.error_class, attempt.error_message,
        attempt.response_excerpt, dump_json(attempt.request_headers), attempt.webhook_timestamp,
    )
    return Completion(item, at, result_values, attempt_values)


def _unique_runs(completions: Sequence[Completion]) -> Iterable[Sequence[Completion]]:
    # The batch UPDATE matches each delivery once, so a delivery named twice
    # in one call is split into consecutive runs that are applied in order.
    run: list[Completion] = []
    seen: set[int] = set()
    for completion in completions:
        delivery_id = completion.item.delivery_id
        if delivery_id in seen or len(run) == _COMPLETE_CHUNK:
            yield run
            run, seen = [], set()
        run.append(completion)
        seen.add(delivery_id)
    if run:
        yield run


def _complete_run(conn: sqlite3.Connection, run: Sequence[Completion]) -> list[bool]:
    values = [value for completion in run for value in completion.result_values]
    sql = _COMPLETE_BATCH_SQL.format(rows=", ".join([_RESULT_ROW] * len(run)))
    updated = {row[0]: (row[1], row[2]) for row in conn.execute(sql, values)}

    insert_rows(
        conn,
        _ATTEMPT_INSERT,
        [
            (c.item.delivery_id, updated[c.item.delivery_id][0], *c.attempt_values)
            for c in run
            if c.item.delivery_id in updated
        ],
    )
    for item, at, _, _ in run:
        if item.delivery_id in updated and item.outcome.disable_endpoint_reason:
            disable_endpoint(conn, updated[item.delivery_id][1], item.outcome.disable_endpoint_reason, at)
    # A delivery missing from the result lost its lease: it expired and was
    # claimed again, was released, or was already completed.
    return [c.item.delivery_id in updated for c in run]


def complete_batch(conn: sqlite3.Connection, completions: Sequence[Completion]) -> list[bool]:
    """Record prepared attempts inside the caller's transaction; one bool per item."""
    results: list[bool] = []
    for run in _unique_runs(completions):
        results.extend(_complete_run(conn, run))
    return results


def _attempt_end(attempt: AttemptRecord) -> datetime:
    return attempt.started_at + timedelta(milliseconds=attempt.duration_ms)


def _prepare_completions(items: Sequence[CompletedAttempt | tuple], at: datetime | None) -> list[Completion]:
    completions = []
    for item in items:
        completed = item if type(item) is CompletedAttempt else CompletedAttempt(*item)
        completions.append(prepare_completion(completed, at or _attempt_end(completed.attempt)))
    return completions


class DeliveryQueueMixin:
    """Claiming, completing, releasing and retrying deliveries."""

    _db: Database

    def claim_due(
        self, owner: str, now: datetime, limit: int = 100, lease_seconds: float = 60.0
    ) -> list[ClaimedDelivery]:
        """Lease up to ``limit`` due deliveries to ``owner``.

        Due means pending with ``next_attempt_at <= now``, or in flight with
        an expired lease. Each enabled endpoint gets at most
        ``max_in_flight`` unexpired leases; endpoints are visited in random
        order so a busy one cannot starve the others.
        """
        if not lease_seconds > 0:
            raise InvalidValueError(f"lease_seconds must be positive, got {lease_seconds!r}")
        now_epoch = to_epoch(now)
        # One token per claim: a later claim of the same row draws a new
        # token, which is all the lease check in complete() needs.
        lease = {"owner": owner, "token": secrets.token_hex(16), "expires": now_epoch + lease_seconds, "now": now_epoch}
        with self._db.write() as conn:
            endpoints, picked = _lease_rows(conn, lease, limit)
            if not picked:
                return []
            events = _load_events(conn, {row["event_seq"] for _, row in picked})

        endpoint_objects = {endpoint_id: rows.endpoint(endpoints[endpoint_id]) for endpoint_id in {e for e, _ in picked}}
        # Every row of one claim shares the token and the expiry.
        lease_expires_at = from_epoch(lease["expires"])
        return [
            ClaimedDelivery(
                delivery_id=row["id"],
                lease_token=lease["token"],
                lease_expires_at=lease_expires_at,
                attempt_number=row["attempts"] + 1,
                first_attempt_at=from_epoch(row["first_attempt_at"]),
                event=events[row["event_seq"]],
                endpoint=endpoint_objects[endpoint_id],
            )
            for endpoint_id, row in picked
        ]

    def complete(
        self,
        delivery_id: int,
        lease_token: str,
        attempt: AttemptRecord,
        outcome: DeliveryOutcome,
        at: datetime,
    ) -> bool:
        """Record an attempt and the delivery's new state; False if the lease was lost.

        The first attempt starts the 24-hour retry window (``deadline_at``).
        ``outcome.disable_endpoint_reason`` disables the endpoint and appends
        ``endpoint.disabled`` in the same transaction.
        """
        completion = prepare_completion(CompletedAttempt(delivery_id, lease_token, attempt, outcome), at)
        with self._db.write() as conn:
            return complete_batch(conn, [completion])[0]

    def complete_many(
        self, items: Sequence[CompletedAttempt | tuple], at: datetime | None = None
    ) -> list[bool]:
        """Complete a batch in one transaction; one bool per item, as ``complete`` returns.

        Without ``at``, each item's completion time is its attempt's start
        plus its duration.
        """
        completions = _prepare_completions(items, at)
        with self._db.write() as conn:
            return complete_batch(conn, completions)

    def complete_and_claim(
        self,
        items: Sequence[CompletedAttempt | tuple],
        owner: str,
        now: datetime,
        limit: int = 100,
        lease_seconds: float = 60.0,
    ) -> tuple[list[bool], list[ClaimedDelivery]]:
        """Record ``items`` as ``complete_many`` does, then ``claim_due``, in one transaction.

        A dispatcher does both every round, and one commit instead of two
        saves about half a millisecond per round. When the transaction
        fails, neither the attempts nor the claim are written.
        """
        completions = _prepare_completions(items, None)
        if not completions and limit <= 0:
            return [], []
        with self._db.write() as conn:
            stored = complete_batch(conn, completions)
            claimed = self.claim_due(owner, now, limit, lease_seconds) if limit > 0 else []
        return stored, claimed

    def release_leases(self, owner: str, at: datetime | None = None) -> int:
        """Return ``owner``'s in-flight deliveries to pending (a clean shutdown); return the count."""
        with self._db.write() as conn:
            cursor = conn.execute(
                "UPDATE deliveries SET state = 'pending', lease_owner = NULL, lease_token = NULL,"
                " lease_expires_at = NULL, updated_at = coalesce(?, updated_at)"
                " WHERE state = 'in_flight' AND lease_owner = ?",
                (to_epoch(at), owner),
            )
            return cursor.rowcount

    def retry_delivery(self, delivery_id: int, now: datetime, force: bool = False) -> RetryResult:
        """Make a delivery due now with a fresh 24-hour window, keeping its event id.

        Rejected with a reason for a delivery in flight, for a succeeded one
        unless ``force``, and when its endpoint was removed.
        """
        now_epoch = to_epoch(now)
        with self._db.write() as conn:
            row = conn.execute(
                "SELECT d.state, d.lease_expires_at, e.removed_at FROM deliveries d"
                " JOIN endpoints e ON e.id = d.endpoint_id WHERE d.id = ?",
                (delivery_id,),
            ).fetchone()
            reason = _retry_refusal(row, now_epoch, force)
            if reason:
                return RetryResult(delivery_id, False, reason)
            _requeue(conn, "id = ?", (delivery_id,), now_epoch)
        return RetryResult(delivery_id, True, None)

    def retry_failed(
        self,
        now: datetime,
        endpoint_id: int | None = None,
        since: datetime | None = None,
        ids: Sequence[int] | None = None,
    ) -> int:
        """Requeue failed deliveries (optionally of one endpoint, failed since ``since``, or by id)."""
        clauses = ["state = 'failed'", "endpoint_id IN (SELECT id FROM endpoints WHERE removed_at IS NULL)"]
        params: list[object] = []
        if endpoint_id is not None:
            clauses.append("endpoint_id = ?")
            params.append(endpoint_id)
        if since is not None:
            clauses.append("updated_at >= ?")
            params.append(to_epoch(since))
        if ids is not None:
            clauses.append(f"id IN ({','.join('?' * len(ids)) or 'NULL'})")
            params.extend(ids)
        with self._db.write() as conn:
            return _requeue(conn, " AND ".join(clauses), params, to_epoch(now))


def _retry_refusal(row: sqlite3.Row | None, now: float, force: bool) -> str | None:
    if row is None:
        return "not found"
    if row["removed_at"] is not None:
        return "endpoint removed"
    if row["state"] == DeliveryState.IN_FLIGHT and row["lease_expires_at"] > now:
        return "in flight"
    if row["state"] == DeliveryState.SUCCEEDED and not force:
        return "already succeeded; use force"
    return None


def _requeue(conn: sqlite3.Connection, where: str, params: Sequence[object], now: float) -> int:
    cursor = conn.execute(
        "UPDATE deliveries SET state = 'pending', next_attempt_at = ?, first_attempt_at = NULL,"
        " deadline_at = NULL, succeeded_at = NULL, lease_owner = NULL, lease_token = NULL,"
        f" lease_expires_at = NULL, updated_at = ? WHERE {where}",
        (now, now, *params),
    )
    return cursor.rowcount
