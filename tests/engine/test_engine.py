"""The Engine against the sandbox: presence, operator commands, delivery retries, shutdown."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest

from core.clock import SystemClock
from core.engine import Engine, EngineSettings
from core.ledger import (
    CommandKind,
    CommandStatus,
    ConnectionStatus,
    DeliveryFilter,
    DeliveryState,
    EngineInstance,
    Ledger,
    NewEndpoint,
    SyncStatus,
)
from core.odoo import NO_RETRY
from core.sync.client import client_factory
from core.sync.syncer import SyncOptions
from core.webhooks.signing import generate_secret
from tests.sync.support import add_connection, sandbox_ids

SETTINGS = EngineSettings(
    sync=SyncOptions(page_size=100),
    heartbeat_seconds=0.2,
    command_poll_seconds=0.1,
    dispatcher={"attempt_timeout": 5.0, "connect_timeout": 2.0},
)


async def _until(condition, timeout=15.0, what="the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class RunningEngine:
    """An Engine running in a task of the test's event loop."""

    def __init__(self, ledger_path, settings=SETTINGS, kind="serve"):
        self.engine = Engine(ledger_path, SystemClock(), kind, client_factory(timeout=5.0, retry=NO_RETRY), settings)
        self.stop = asyncio.Event()
        self.task: asyncio.Task | None = None

    async def __aenter__(self):
        self.task = asyncio.create_task(self.engine.run(self.stop))
        await _until(self.engine.started.is_set, what="the engine to start")
        return self.engine

    async def __aexit__(self, *exc_info):
        self.stop.set()
        await asyncio.wait_for(self.task, timeout=15)


def _command_done(ledger, command_id):
    command = ledger.get_command(command_id)
    return command if command.status in (CommandStatus.DONE, CommandStatus.FAILED) else None


async def _run_command(ledger, kind, args):
    command = ledger.enqueue_command(kind, args, datetime.now(UTC))
    return await _until(lambda: _command_done(ledger, command.id), what=f"command {kind}")


async def test_engine_presence_and_sync_command(ledger, ledger_path, sandbox):
    connection = add_connection(ledger, sandbox)

    async with RunningEngine(ledger_path) as engine:
        running = Engine.find_running(ledger)
        assert running is not None
        assert running.owner_id == engine.owner_id
        assert running.kind == "serve"
        done = await _run_command(ledger, CommandKind.SYNC, {"connection_id": connection.id})

    assert done.status == CommandStatus.DONE
    run = ledger.get_run(done.result["run_id"])
    assert run.status == SyncStatus.SUCCEEDED
    assert ledger.get_connection(connection.id).status == ConnectionStatus.ACTIVE
    assert Engine.find_running(ledger) is None


async def test_resync_command_reads_everything_again(ledger, ledger_path, sandbox):
    connection = add_connection(ledger, sandbox)

    async with RunningEngine(ledger_path):
        first = await _run_command(ledger, CommandKind.SYNC, {"connection_id": connection.id})
        again = await _run_command(ledger, CommandKind.RESYNC, {"connection_id": connection.id})

    assert first.status == CommandStatus.DONE
    full_run = ledger.get_run(again.result["run_id"])
    assert full_run.created == 0
    assert full_run.unchanged == sum(len(ids) for ids in sandbox_ids(sandbox).values())


async def test_disable_and_enable_commands(ledger, ledger_path, sandbox):
    connection = add_connection(ledger, sandbox)

    async with RunningEngine(ledger_path):
        disabled = await _run_command(ledger, CommandKind.DISABLE, {"connection_id": connection.id})
        refused = await _run_command(ledger, CommandKind.SYNC, {"connection_id": connection.id})
        assert ledger.get_connection(connection.id).status == ConnectionStatus.DISABLED
        enabled = await _run_command(ledger, CommandKind.ENABLE, {"connection_id": connection.id})
        await _until(
            lambda: ledger.get_connection(connection.id).status == ConnectionStatus.ACTIVE,
            what="the enabled connection to sync",
        )

    assert disabled.status == CommandStatus.DONE
    assert refused.status == CommandStatus.FAILED
    assert "is disabled; enable it" in refused.error
    assert enabled.result["status"] == "pending"


async def test_command_with_unknown_connection_fails(ledger, ledger_path):
    async with RunningEngine(ledger_path):
        missing = await _run_command(ledger, CommandKind.SYNC, {"connection_id": 999})
        malformed = await _run_command(ledger, CommandKind.DISABLE, {"connection_id": "first"})

    assert missing.status == CommandStatus.FAILED
    assert "connection 999 not found" in missing.error
    assert malformed.status == CommandStatus.FAILED
    assert "must be an integer id" in malformed.error


async def test_retry_delivery_command_wakes_dispatcher(ledger, ledger_path, sandbox, recording_receiver):
    secret = generate_secret()
    recording_receiver.secrets = [secret.reveal()]
    connection = add_connection(ledger, sandbox)
    ledger.add_endpoint(
        NewEndpoint(f"{recording_receiver.url}/flaky/1", secret, event_types=["sync.completed"]),
        at=datetime.now(UTC),
    )

    async with RunningEngine(ledger_path):
        # The first attempt gets a 500, so the retry waits 30 s or more.
        delivery = await _until(lambda: _retry_pending(ledger), what="a failed first attempt")
        assert delivery.next_attempt_at > datetime.now(UTC) + timedelta(seconds=20)
        done = await _run_command(ledger, CommandKind.RETRY_DELIVERY, {"delivery_id": delivery.id})
        await _until(
            lambda: ledger.get_delivery(delivery.id).state == DeliveryState.SUCCEEDED,
            timeout=5, what="the retried delivery to succeed",
        )
        none_failed = await _run_command(ledger, CommandKind.RETRY_FAILED, {})

    assert done.result["retried"] is True
    assert none_failed.result == {"retried": 0}
    assert ledger.get_delivery(delivery.id).attempts == 2
    assert recording_receiver.ids("/flaky/1") == [delivery.event_id, delivery.event_id]
    assert all(request.signature_valid for request in recording_receiver.requests)
    assert connection.id == delivery.connection_id


def _retry_pending(ledger):
    page = ledger.list_deliveries(DeliveryFilter(state=DeliveryState.PENDING), limit=5)
    retried = [d for d in page.items if d.attempts == 1]
    return retried[0] if retried else None


async def test_stale_engine_is_not_running(ledger):
    long_ago = datetime.now(UTC) - timedelta(minutes=5)
    ledger.register_engine(EngineInstance("old", 1, "host", "serve", long_ago, long_ago))
    assert Engine.find_running(ledger) is None


def test_engine_rejects_unknown_kind(ledger_path):
    with pytest.raises(ValueError, match="engine kind must be one of"):
        Engine(ledger_path, kind="daemon")


async def test_stop_ends_sync_after_its_page(ledger, ledger_path, sandbox):
    connection = add_connection(ledger, sandbox)
    sandbox.faults.slow(0.05)
    settings = EngineSettings(sync=SyncOptions(page_size=5), heartbeat_seconds=0.2, command_poll_seconds=0.1)

    async with RunningEngine(ledger_path, settings=settings):
        await _until(
            lambda: (runs := ledger.list_runs(connection.id, limit=1).items) and runs[0].pages >= 3,
            what="three committed pages",
        )

    run = ledger.list_runs(connection.id, limit=1).items[0]
    assert run.status == SyncStatus.FAILED
    assert run.error_class == "SyncInterrupted"
    assert 3 <= run.pages < 20
    assert sum(result.pages for result in run.stream_results) == run.pages
    assert run.stream_results[-1].error_class == "SyncInterrupted"
    assert ledger.get_connection(connection.id).status == ConnectionStatus.PENDING
    assert ledger.get_connection(connection.id).next_sync_at is not None
    assert Engine.find_running(ledger) is None


async def test_start_fails_commands_of_dead_engine(ledger_path):
    ledger = Ledger.open(ledger_path)
    try:
        long_ago = datetime.now(UTC) - timedelta(minutes=5)
        ledger.register_engine(
            EngineInstance(owner_id="serve-gone-1", pid=1, hostname="gone", kind="serve", started_at=long_ago, heartbeat_at=long_ago)
        )
        queued = ledger.enqueue_command(CommandKind.SYNC, {"connection_id": 1}, long_ago)
        ledger.claim_commands("serve-gone-1", long_ago)
        assert ledger.get_command(queued.id).status == CommandStatus.RUNNING

        async with RunningEngine(ledger_path):
            orphan = ledger.get_command(queued.id)
    finally:
        ledger.close()

    assert orphan.status == CommandStatus.FAILED
    assert "stopped before it finished" in orphan.error
