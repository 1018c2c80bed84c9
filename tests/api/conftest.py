"""Fixtures for the API tests: a ledger with two connections and a served API."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from core.api import ApiSettings, RateLimit, create_api_app
from core.clock import FakeClock
from core.http_server import start_in_thread
from core.ledger import Ledger
from core.ledger.models import (
    Connection,
    CredentialKind,
    NewConnection,
    NewEvent,
    RecordUpsert,
    StreamResult,
    StreamSpec,
    SyncStatus,
    SyncTrigger,
)
from core.secrets import Secret
from core.tokens import generate_token

START = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)
STREAMS = [
    StreamSpec(name="assets", model="maintenance.equipment", fields=["name", "serial_no"]),
    StreamSpec(name="work_orders", model="maintenance.request", fields=["name", "stage_id"]),
]
# Large enough that no test but the rate-limit ones ever meets the limit.
UNLIMITED = RateLimit(per_second=1_000_000, burst=1_000_000)


@dataclass
class ApiWorld:
    """A ledger with connections "north" and "south", each with a live token."""

    path: Path
    ledger: Ledger
    clock: FakeClock
    connections: dict[str, Connection] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def add_connection(self, name: str) -> Connection:
        new = NewConnection(
            name=name,
            url=f"http://127.0.0.1:9/{name}",
            database="sandbox",
            login="admin",
            credential=Secret("admin"),
            credential_kind=CredentialKind.PASSWORD,
        )
        connection = self.ledger.add_connection(new, at=self.clock.now())
        self.ledger.upsert_streams(connection.id, STREAMS)
        issued = generate_token()
        self.ledger.issue_token(connection.id, issued.hash, issued.prefix, self.clock.now())
        self.connections[name] = connection
        self.tokens[name] = issued.value
        return connection

    def append(self, name: str, count: int, event_type: str = "record.updated") -> list[str]:
        """Append ``count`` events for connection ``name`` and return their ids."""
        connection_id = self.connections[name].id
        new_events = [NewEvent(type=event_type, connection_id=connection_id, data={"n": index}) for index in range(count)]
        return [event.id for event in self.ledger.append_events(new_events, self.clock.now())]

    def sync_assets(self, name: str, records: dict[int, str], deleted: Sequence[int] = ()) -> None:
        """Store assets records through a finished sync run, as the syncer does."""
        connection_id = self.connections[name].id
        stream = next(stream for stream in self.ledger.list_streams(connection_id) if stream.name == "assets")
        run = self.ledger.start_run(connection_id, SyncTrigger.MANUAL, ["assets"], self.clock.now())
        upserts = [
            RecordUpsert(odoo_id=odoo_id, content_hash=f"{odoo_id}:{label}", write_date=self.clock.now(), data={"id": odoo_id, "name": label})
            for odoo_id, label in records.items()
        ]
        counts = StreamResult("assets", created=len(upserts), deleted=len(deleted))
        self.ledger.commit_page(run.id, stream.id, upserts, list(deleted), [], None, counts, at=self.clock.now())
        self.ledger.finish_run(run.id, SyncStatus.SUCCEEDED, [counts], None, None, self.clock.now())

    def headers(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}


@pytest.fixture
def world(tmp_path) -> ApiWorld:
    path = tmp_path / "ledger.sqlite3"
    ledger = Ledger.open(path)
    state = ApiWorld(path=path, ledger=ledger, clock=FakeClock(START))
    state.add_connection("north")
    state.add_connection("south")
    yield state
    ledger.close()


def serve_api(world: ApiWorld, settings: ApiSettings | None = None):
    """Start the API on a free loopback port; returns the server handle."""
    app = create_api_app(world.path, world.clock, settings=settings or ApiSettings(rate_limit=UNLIMITED))
    return start_in_thread(app)


@pytest.fixture
def api(world):
    """An httpx client for the API served over a real loopback socket."""
    handle = serve_api(world)
    with httpx.Client(base_url=handle.url, timeout=10) as client:
        yield client
    handle.stop()
