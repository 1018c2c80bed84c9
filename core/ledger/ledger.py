"""The Ledger class: one SQLite file, one connection, every table's methods."""

from __future__ import annotations

from pathlib import Path

from core.ledger.bundle import BundleMixin
from core.ledger.commands import CommandsMixin, EnginesMixin
from core.ledger.connections import ConnectionsMixin, TokensMixin
from core.ledger.db import Database, open_connection
from core.ledger.deliveries import DeliveryQueueMixin
from core.ledger.delivery_views import DeliveryViewsMixin
from core.ledger.endpoints import EndpointsMixin
from core.ledger.events import EventsMixin
from core.ledger.models import DeliveryState, Totals
from core.ledger.records import RecordsMixin
from core.ledger.settings import SettingsMixin
from core.ledger.sync import RunsMixin, StreamsMixin


class Ledger(
    ConnectionsMixin,
    TokensMixin,
    StreamsMixin,
    RunsMixin,
    RecordsMixin,
    EventsMixin,
    EndpointsMixin,
    DeliveryQueueMixin,
    DeliveryViewsMixin,
    CommandsMixin,
    EnginesMixin,
    BundleMixin,
    SettingsMixin,
):
    """The odoo-relay ledger. Every method is synchronous and runs one short transaction.

    One Ledger wraps one sqlite3 connection behind a lock, so threads may
    share it; a second reader in the same process opens its own Ledger.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    @classmethod
    def open(cls, path: Path | str, create: bool = True) -> Ledger:
        """Open (and with ``create``, create) the ledger at ``path``, migrating it forward."""
        path = Path(path).expanduser()
        return cls(Database(open_connection(path, create), path))

    @property
    def path(self) -> Path:
        return self._db.path

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Ledger({str(self._db.path)!r})"

    def data_version(self) -> int:
        """Return a number that changes whenever any connection, this one included, commits.

        PRAGMA data_version moves only for other connections' commits and
        total_changes only for ours; both only grow, so their sum changes
        whenever either does.
        """
        with self._db.read() as conn:
            version = conn.execute("PRAGMA data_version").fetchone()[0]
            return version + conn.total_changes

    def totals(self) -> Totals:
        """Return counts for a status line: connections, deliveries per state, events, runs."""
        with self._db.read() as conn:
            connections = conn.execute("SELECT count(*) FROM connections").fetchone()[0]
            by_state = {state: 0 for state in DeliveryState}
            # Trigger-maintained counts: a few rows, whatever the table size.
            for state, count in conn.execute("SELECT state, sum(count) FROM delivery_counts GROUP BY state"):
                by_state[DeliveryState(state)] = count
            events = conn.execute("SELECT value FROM counters WHERE name = 'events'").fetchone()[0]
            runs = conn.execute("SELECT count(*) FROM sync_runs").fetchone()[0]
        return Totals(connections, by_state, events, runs)
