"""A sync process killed with SIGKILL half-way: the next run completes it exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.clock import SystemClock
from core.ledger import Ledger, SyncStatus
from tests.sync.support import add_connection, duplicates, keys, make_syncer, record_events, sandbox_ids

CHILD = Path(__file__).with_name("sync_child.py")
PAGE_SIZE = 5
PAGES_BEFORE_KILL = 12


def _wait_for_pages(ledger: Ledger, connection_id: int, child: subprocess.Popen, pages: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert child.poll() is None, f"the sync process ended early with code {child.returncode}"
        runs = ledger.list_runs(connection_id, limit=1).items
        if runs and runs[0].pages >= pages:
            return
        time.sleep(0.02)
    raise AssertionError(f"the sync process committed fewer than {pages} pages in 30 s")


@pytest.mark.slow
async def test_killed_sync_resumes_without_duplicates(ledger, ledger_path, sandbox):
    connection = add_connection(ledger, sandbox)
    ledger.upsert_streams(connection.id, make_syncer(ledger, SystemClock()).streams)
    sandbox.faults.slow(0.03)
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(ledger_path), str(connection.id), str(PAGE_SIZE)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_pages(ledger, connection.id, child, PAGES_BEFORE_KILL)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL

    killed_run = ledger.list_runs(connection.id, limit=1).items[0]
    assert killed_run.status == SyncStatus.RUNNING
    before_resume = record_events(ledger, connection.id)
    assert 0 < len(before_resume) < sum(len(ids) for ids in sandbox_ids(sandbox).values())

    # A record the killed run already stored changes before the next run.
    sandbox.faults.slow(None)
    changed = before_resume[0].data
    model_field = {"assets": "serial_no", "work_orders": "name"}[changed["stream"]]
    sandbox.store.write(changed["model"], [changed["odoo_id"]], {model_field: "changed after the kill"})
    resumed = await make_syncer(ledger, SystemClock(), page_size=PAGE_SIZE).sync(connection.id)

    found = record_events(ledger, connection.id)
    created = {(e.data["stream"], e.data["odoo_id"]) for e in found if e.type == "record.created"}
    expected = {(stream, odoo_id) for stream, ids in sandbox_ids(sandbox).items() for odoo_id in ids}
    assert resumed.status == SyncStatus.SUCCEEDED
    assert created == expected
    assert duplicates(keys(found)) == []
    assert duplicates([e.id for e in found]) == []
    assert [k for k in keys(found) if k[0] == "record.updated"] == [
        ("record.updated", changed["stream"], changed["odoo_id"])
    ]
    # It resumed from the committed cursors instead of reading everything again.
    assert resumed.unchanged < len(before_resume) // 2
    abandoned = ledger.get_run(killed_run.id)
    assert abandoned.status == SyncStatus.FAILED
    assert abandoned.error_class == "SyncInterrupted"
