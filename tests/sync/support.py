"""Helpers shared by the sync and engine tests: connections to a sandbox, event queries."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from core.clock import Clock
from core.ledger import CredentialKind, Event, Ledger, NewConnection, Protocol
from core.odoo import NO_RETRY
from core.secrets import Secret
from core.sync.client import client_factory
from core.sync.streams import DEFAULT_STREAMS
from core.sync.syncer import SyncOptions, Syncer

RECORD_TYPES = ("record.created", "record.updated", "record.deleted")
START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def add_connection(
    ledger: Ledger,
    server,
    protocol: Protocol = Protocol.AUTO,
    login: str = "admin",
    password: str = "admin",
    interval: int = 900,
    name: str = "plant",
    credential_kind: CredentialKind = CredentialKind.PASSWORD,
):
    """Add a connection to ``server`` with the given login and return it."""
    new = NewConnection(
        name, server.url, server.database, login, Secret(password), credential_kind,
        protocol=protocol, interval_seconds=interval,
    )
    return ledger.add_connection(new, at=START)


def make_syncer(ledger: Ledger, clock: Clock, page_size: int = 10, reconcile_every: int = 10, **options) -> Syncer:
    """A Syncer whose client does not retry, so outages show at once."""
    settings = SyncOptions(page_size=page_size, reconcile_every=reconcile_every, **options)
    return Syncer(ledger, clock, client_factory(timeout=5.0, retry=NO_RETRY), options=settings)


def events(ledger: Ledger, connection_id: int, after_seq: int = 0, types=None) -> list[Event]:
    """Return every event of the connection after ``after_seq``, across pages."""
    found: list[Event] = []
    cursor = after_seq
    while True:
        page = ledger.list_events(connection_id, after_seq=cursor, limit=500, types=types)
        found.extend(page.items)
        if page.next_key is None or not page.items:
            return found
        cursor = page.next_key


def record_events(ledger: Ledger, connection_id: int, after_seq: int = 0) -> list[Event]:
    return events(ledger, connection_id, after_seq, types=list(RECORD_TYPES))


def last_seq(ledger: Ledger, connection_id: int) -> int:
    found = events(ledger, connection_id)
    return found[-1].seq if found else 0


def keys(found: list[Event]) -> list[tuple[str, str, int]]:
    """Return (type, stream, odoo_id) per record event, in order."""
    return [(e.type, e.data["stream"], e.data["odoo_id"]) for e in found]


def duplicates(items) -> list:
    return [item for item, count in Counter(items).items() if count > 1]


def sandbox_ids(server) -> dict[str, set[int]]:
    """Return the ids each default stream should sync from the sandbox's store right now."""
    expected: dict[str, set[int]] = {}
    for spec in DEFAULT_STREAMS:
        table = server.store.tables[spec.model]
        if spec.name == "vendors":
            expected[spec.name] = {rid for rid, row in table.items() if (row.get("supplier_rank") or 0) > 0}
        else:
            expected[spec.name] = set(table)
    return expected


def status_changes(ledger: Ledger, connection_id: int) -> list[tuple[str, str]]:
    found = events(ledger, connection_id, types=["connection.status_changed"])
    return [(e.data["old"], e.data["new"]) for e in found]
