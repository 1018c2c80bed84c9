"""A steady stream of record changes, as a busy Odoo database produces them."""

from __future__ import annotations

import logging
import random
import threading

from core.sandbox.data import REQUEST_SUBJECTS
from core.sandbox.store import Store

log = logging.getLogger(__name__)


class Trickle:
    """Applies one change every ``interval`` seconds from a daemon thread.

    Changes are updates, creations, archivals and deletions spread over the
    business models. The sequence is deterministic for a seed.
    """

    def __init__(self, store: Store, seed: int) -> None:
        self._store = store
        self._rng = random.Random(f"trickle:{seed}")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.interval: float | None = None
        self.changes = 0

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, interval: float) -> None:
        if interval <= 0:
            raise ValueError(f"trickle interval must be a positive number of seconds, got {interval!r}")
        self.stop()
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sandbox-trickle", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self._thread = None
        self.interval = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.step()
            except Exception:  # noqa: BLE001 - keep trickling after one bad change
                log.exception("sandbox trickle change %d failed", self.changes + 1)

    def step(self) -> str:
        """Apply one change now and return a short description of it."""
        roll = self._rng.random()
        if roll < 0.55:
            description = self._update()
        elif roll < 0.75:
            description = self._create()
        elif roll < 0.9:
            description = self._archive()
        else:
            description = self._delete()
        self.changes += 1
        log.info("sandbox trickle: %s", description)
        return description

    def _pick(self, model: str) -> int | None:
        with self._store.lock:
            ids = list(self._store.tables[model])
        return self._rng.choice(ids) if ids else None

    def _update(self) -> str:
        rng = self._rng
        choices = [
            ("maintenance.request", lambda: {"stage_id": rng.choice([1, 2, 3]), "priority": rng.choice(["0", "1", "2", "3"])}),
            ("product.product", lambda: {"list_price": round(rng.uniform(5, 2000), 2)}),
            ("stock.quant", lambda: {"inventory_quantity": float(rng.randint(0, 600))}),
            ("maintenance.equipment", lambda: {"location": f"Hall {rng.randint(1, 6)}"}),
            ("res.partner", lambda: {"phone": f"+1 555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"}),
            ("purchase.order", lambda: {"date_planned": None, "origin": f"MR/{rng.randint(1, 999):04d}"}),
        ]
        model, values = rng.choice(choices)
        record_id = self._pick(model)
        if record_id is None:
            return f"no {model} record to update"
        self._store.write(model, [record_id], values())
        return f"updated {model} {record_id}"

    def _create(self) -> str:
        equipment_id = self._pick("maintenance.equipment")
        values = {"name": self._rng.choice(REQUEST_SUBJECTS), "equipment_id": equipment_id, "priority": self._rng.choice(["0", "1", "2"])}
        record_id = self._store.create("maintenance.request", values)
        return f"created maintenance.request {record_id}"

    def _archive(self) -> str:
        model = self._rng.choice(["res.partner", "product.product", "maintenance.equipment", "maintenance.request"])
        record_id = self._pick(model)
        if record_id is None:
            return f"no {model} record to archive"
        self._store.archive(model, [record_id])
        return f"archived {model} {record_id}"

    def _delete(self) -> str:
        record_id = self._pick("maintenance.request")
        if record_id is None:
            return "no maintenance.request record to delete"
        self._store.unlink("maintenance.request", [record_id])
        return f"deleted maintenance.request {record_id}"
