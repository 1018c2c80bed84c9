"""A ledger with fixed, demo-like contents, written through the Ledger API.

Snapshot tests and screenshots/generate.py read it with a frozen clock at
``NOW``, so every age and countdown on screen is the same on every run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.ledger import Ledger
from core.ledger.models import (
    AttemptRecord,
    ConnectionStatus,
    CredentialKind,
    DeliveryOutcome,
    DeliveryState,
    NewConnection,
    NewEndpoint,
    NewEvent,
    Protocol,
    StreamResult,
    SyncStatus,
    SyncTrigger,
)
from core.secrets import Secret
from core.sync.streams import DEFAULT_STREAMS

NOW = datetime(2026, 3, 2, 9, 30, 0, tzinfo=UTC)
# A fixed, valid Standard Webhooks secret ("whsec_" + base64 of 24 bytes).
ENDPOINT_SECRET = Secret("whsec_c2FtcGxlLXNlY3JldC1mb3ItdGVzdHMtMDE=")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True)
class SampleIds:
    """Ids of the rows tests point at."""

    plant: int
    warehouse: int
    finance: int
    endpoint: int
    failed_delivery: int
    in_flight_delivery: int
    retrying_delivery: int
    failed_run: int
    ok_run: int


def event_id(rng: random.Random, at: datetime) -> str:
    """Return a ULID-shaped event id drawn from ``rng`` (stable across runs)."""
    value = (int(at.timestamp() * 1000) << 80) | rng.getrandbits(80)
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "evt_" + "".join(reversed(chars))


def build_sample_ledger(path: Path, now: datetime = NOW) -> SampleIds:
    """Write three connections, their runs, one endpoint and its deliveries."""
    rng = random.Random(7)
    with Ledger.open(path) as ledger:
        plant = _connection(ledger, "plant-brussels", "https://odoo.plant-bru.example", "plant", "18.0", Protocol.JSON2, now)
        warehouse = _connection(ledger, "warehouse-lyon", "http://10.20.0.14:8069", "lyon_prod", "17.0", Protocol.XMLRPC, now)
        finance = _connection(ledger, "hq-finance", "https://erp.acme-hq.example", "finance", "19.0", Protocol.JSONRPC, now)
        _statuses(ledger, plant, warehouse, finance, now)
        ok_run, failed_run = _runs(ledger, plant, warehouse, now)
        endpoint = ledger.add_endpoint(
            NewEndpoint(url="https://hooks.acme.example/odoo", secret=ENDPOINT_SECRET, description="ACME integration"),
            now - timedelta(days=3),
        )
        deliveries = _deliveries(ledger, rng, plant, warehouse, now)
    return SampleIds(
        plant=plant, warehouse=warehouse, finance=finance, endpoint=endpoint.id,
        failed_delivery=deliveries["failed"], in_flight_delivery=deliveries["in_flight"],
        retrying_delivery=deliveries["retrying"], failed_run=failed_run, ok_run=ok_run,
    )


def _connection(ledger: Ledger, name: str, url: str, database: str, version: str, protocol: Protocol, now: datetime) -> int:
    created = now - timedelta(days=3)
    connection = ledger.add_connection(
        NewConnection(name=name, url=url, database=database, login="integration@acme.example",
                      credential=Secret("sample-api-key"), credential_kind=CredentialKind.API_KEY, interval_seconds=300),
        at=created,
    )
    ledger.record_probe(connection.id, version, protocol, 7, at=created)
    ledger.upsert_streams(connection.id, DEFAULT_STREAMS)
    return connection.id


def _statuses(ledger: Ledger, plant: int, warehouse: int, finance: int, now: datetime) -> None:
    day = timedelta(days=1)
    ledger.set_status(plant, ConnectionStatus.ACTIVE, "connection test passed", now - 3 * day)
    ledger.set_status(plant, ConnectionStatus.UNREACHABLE, "ServerUnreachableError: connection refused", now - day)
    ledger.set_status(plant, ConnectionStatus.ACTIVE, "sync succeeded", now - day + timedelta(minutes=20))
    ledger.set_status(warehouse, ConnectionStatus.ACTIVE, "connection test passed", now - 3 * day)
    ledger.set_status(warehouse, ConnectionStatus.UNREACHABLE, "ServerUnreachableError: timed out after 30 s", now - timedelta(minutes=14))
    ledger.set_status(finance, ConnectionStatus.AUTH_FAILED, "AuthenticationError: the API key was revoked", now - timedelta(hours=5))
    ledger.schedule(plant, now + timedelta(seconds=204), 0)
    ledger.schedule(warehouse, now + timedelta(seconds=95), 3)
    ledger.schedule(finance, None, 0)
    streams = ledger.list_streams(plant)
    for stream in streams:
        ledger.set_stream_availability(stream.id, stream.name != "stock_levels", None if stream.name != "stock_levels" else "AccessError: no read access on stock.quant")


def _runs(ledger: Ledger, plant: int, warehouse: int, now: datetime) -> tuple[int, int]:
    names = [spec.name for spec in DEFAULT_STREAMS]
    ok_run = failed_run = 0
    for index in range(14):
        started = now - timedelta(minutes=5 * (14 - index), seconds=index * 7)
        trigger = SyncTrigger.MANUAL if index == 11 else SyncTrigger.SCHEDULE
        run = ledger.start_run(plant, trigger, names, started)
        results = _stream_results(names, index)
        _add_counts(ledger, run.id, plant, results)
        ledger.finish_run(run.id, SyncStatus.SUCCEEDED if index != 9 else SyncStatus.PARTIAL, results,
                          None if index != 9 else "AccessError", None if index != 9 else "stock_levels: no read access on stock.quant",
                          started + timedelta(seconds=1.4 + index % 4))
        ok_run = run.id
    for index in range(3):
        started = now - timedelta(minutes=14 - 5 * index)
        run = ledger.start_run(warehouse, SyncTrigger.RETRY if index else SyncTrigger.SCHEDULE, names, started)
        ledger.finish_run(run.id, SyncStatus.FAILED, [], "ServerUnreachableError",
                          "http://10.20.0.14:8069 did not answer within 30 s", started + timedelta(seconds=30))
        failed_run = run.id
    running = ledger.start_run(plant, SyncTrigger.SCHEDULE, names, now - timedelta(seconds=3))
    _add_counts(ledger, running.id, plant, [StreamResult("assets", created=2, pages=1)])
    return ok_run, failed_run


def _stream_results(names: list[str], index: int) -> list[StreamResult]:
    results = []
    for position, name in enumerate(names):
        created = (index * 3 + position) % 5 if index else 120 + position * 40
        updated = (index + position) % 4
        deleted = 1 if (index + position) % 9 == 0 else 0
        error = ("AccessError", "no read access on stock.quant") if index == 9 and name == "stock_levels" else (None, None)
        results.append(StreamResult(name, created=created, updated=updated, deleted=deleted, unchanged=40 + position,
                                    pages=1, error_class=error[0], error_message=error[1]))
    return results


def _add_counts(ledger: Ledger, run_id: int, connection_id: int, results: list[StreamResult]) -> None:
    streams = {stream.name: stream.id for stream in ledger.list_streams(connection_id)}
    for result in results:
        counts = {"created": result.created, "updated": result.updated, "deleted": result.deleted,
                  "unchanged": result.unchanged, "pages": result.pages}
        ledger.commit_page(run_id, streams[result.stream], [], [], [], None, counts)


# What happens to each delivery, in order of creation: a list of attempt
# results ("200", "500", "timeout", "refused") and the final state.
_PLAN = [
    (["200"], "succeeded"), (["500", "200"], "succeeded"), (["200"], "succeeded"), (["500", "500", "timeout", "500"], "failed"),
    (["200"], "succeeded"), (["timeout"], "retrying"), (["200"], "succeeded"), (["200"], "succeeded"),
    (["refused", "refused", "refused"], "failed"), (["500"], "retrying"), (["200"], "succeeded"), (["200"], "succeeded"),
    (["200"], "in_flight"), (["500", "200"], "succeeded"), (["200"], "succeeded"), ([], "pending"),
    (["200"], "succeeded"),
]


def _deliveries(ledger: Ledger, rng: random.Random, plant: int, warehouse: int, now: datetime) -> dict[str, int]:
    start = now - timedelta(minutes=30)
    planned = {}
    for index, plan in enumerate(_PLAN):
        if plan[1] == "pending":
            continue  # appended after the attempt rounds, so nothing claims them
        at = start + timedelta(seconds=20 * index)
        planned[_append(ledger, rng, index, plant if index % 5 else warehouse, at)] = plan
    _attempt_rounds(ledger, planned, now)
    for index in (15, 16):
        planned[_append(ledger, rng, index, plant, now - timedelta(seconds=20 - index))] = ([], "pending")
    by_state = {plan[1]: delivery_id for delivery_id, plan in planned.items()}
    return {"failed": by_state["failed"], "in_flight": by_state["in_flight"], "retrying": by_state["retrying"]}


def _append(ledger: Ledger, rng: random.Random, index: int, connection_id: int, at: datetime) -> int:
    kind, _, data = _sample_event(index, connection_id)
    ledger.append_events([NewEvent(kind, connection_id, data, id=event_id(rng, at))], at)
    return ledger.list_deliveries(None, limit=1).items[0].id


def _sample_event(index: int, connection_id: int) -> tuple[str, int, dict]:
    kinds = ["record.updated", "record.created", "sync.completed", "record.updated", "record.deleted"]
    kind = kinds[index % len(kinds)]
    if kind == "sync.completed":
        return kind, connection_id, {"run_id": 100 + index, "status": "succeeded", "trigger": "schedule",
                                     "streams": ["assets", "work_orders"], "created": 2, "updated": 5, "deleted": 0,
                                     "unchanged": 311, "pages": 2, "error_class": None, "error_message": None}
    record = {"id": 4100 + index, "name": f"Pump P-{210 + index}", "stage": "In progress", "priority": "2",
              "equipment_id": {"id": 77, "name": "Hydraulic press HP-4"}}
    data = {"stream": "work_orders", "model": "maintenance.request", "odoo_id": 4100 + index}
    if kind == "record.updated":
        data |= {"changed_fields": ["stage"], "old": {"stage": "New"}, "new": {"stage": "In progress"}, "record": record}
    elif kind == "record.created":
        data |= {"record": record}
    return kind, connection_id, data


def _attempt_rounds(ledger: Ledger, planned: dict[int, tuple[list[str], str]], now: datetime) -> None:
    for round_number in range(4):
        at = now - timedelta(minutes=20) + timedelta(minutes=4 * round_number)
        while True:
            claimed = ledger.claim_due("sample-engine", at, limit=100, lease_seconds=3600)
            if not claimed:
                break
            for claim in claimed:
                _complete(ledger, claim, planned[claim.delivery_id], at, now)


def _complete(ledger: Ledger, claim, plan: tuple[list[str], str], at: datetime, now: datetime) -> None:
    results, final = plan
    number = claim.attempt_number
    if final == "in_flight" or number > len(results):
        return  # stays leased: shown as in flight
    attempt = _attempt(results[number - 1], number, claim.event.id, at)
    last = number == len(results)
    ledger.complete(claim.delivery_id, claim.lease_token, attempt, _outcome(final, last, at, now), at)


# Status code, error class, error message and response excerpt per result.
_RESULTS = {
    "200": (200, None, None, '{"received": true}'),
    "500": (500, "http_error", "HTTP 500 from the endpoint", '{"error": "simulated failure"}'),
    "timeout": (None, "timeout", "timeout while sending", None),
    "refused": (None, "connection_refused", "refused while sending", None),
}


def _attempt(result: str, number: int, event_id: str, at: datetime) -> AttemptRecord:
    status, error_class, error_message, excerpt = _RESULTS[result]
    headers = {
        "content-type": "application/json",
        "user-agent": "odoo-relay/0.1.0",
        "webhook-id": event_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
    }
    duration = 15000.0 if result == "timeout" else 40.0 + number * 13
    return AttemptRecord(started_at=at, duration_ms=duration, status_code=status, error_class=error_class,
                         error_message=error_message, response_excerpt=excerpt, request_headers=headers,
                         webhook_timestamp=int(at.timestamp()))


def _outcome(final: str, last: bool, at: datetime, now: datetime) -> DeliveryOutcome:
    if not last:
        return DeliveryOutcome(DeliveryState.PENDING, next_attempt_at=at + timedelta(minutes=1))
    if final == "succeeded":
        return DeliveryOutcome(DeliveryState.SUCCEEDED)
    if final == "failed":
        return DeliveryOutcome(DeliveryState.FAILED)
    return DeliveryOutcome(DeliveryState.PENDING, next_attempt_at=now + timedelta(seconds=118))
