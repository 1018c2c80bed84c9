"""Scheduler decisions on the fake clock, and backoff against a loopback port with no listener."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from datetime import UTC, datetime, timedelta

import pytest

from core.clock import FakeClock
from core.ledger import (
    Connection,
    ConnectionStatus,
    CredentialKind,
    NewConnection,
    Protocol,
    SyncStatus,
    SyncTrigger,
)
from core.odoo import NO_RETRY
from core.secrets import Secret
from core.sync.client import client_factory
from core.sync.scheduler import (
    ConnectionDisabledError,
    Scheduler,
    is_due,
    pick_due,
    seconds_until_next,
    timer_trigger,
)
from core.sync.syncer import Syncer

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def _connection(cid=1, status=ConnectionStatus.ACTIVE, next_sync_at=None, backoff=0):
    return Connection(
        id=cid, name=f"c{cid}", url="http://127.0.0.1:1", database="db", login="admin",
        credential=Secret("x"), credential_kind=CredentialKind.PASSWORD, protocol=Protocol.AUTO,
        detected_protocol=None, server_version=None, uid=None, status=status, status_reason=None,
        status_changed_at=None, interval_seconds=900, next_sync_at=next_sync_at, last_sync_at=None,
        last_success_at=None, backoff_attempt=backoff, created_at=NOW, updated_at=NOW,
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (ConnectionStatus.PENDING, True),
        (ConnectionStatus.ACTIVE, True),
        (ConnectionStatus.UNREACHABLE, True),
        (ConnectionStatus.AUTH_FAILED, False),
        (ConnectionStatus.DISABLED, False),
    ],
)
def test_is_due_by_status(status, expected):
    assert is_due(_connection(status=status, next_sync_at=NOW), NOW) is expected


def test_is_due_by_time():
    assert is_due(_connection(next_sync_at=None), NOW)
    assert is_due(_connection(next_sync_at=NOW - timedelta(seconds=1)), NOW)
    assert not is_due(_connection(next_sync_at=NOW + timedelta(seconds=1)), NOW)


def test_pick_due_most_overdue_first_within_cap():
    connections = [
        _connection(1, next_sync_at=NOW - timedelta(seconds=10)),
        _connection(2, next_sync_at=NOW - timedelta(seconds=500)),
        _connection(3, next_sync_at=None),
        _connection(4, next_sync_at=NOW + timedelta(seconds=60)),
        _connection(5, next_sync_at=NOW - timedelta(seconds=900)),
    ]
    picked = pick_due(connections, NOW, busy={5}, free_slots=2)
    assert [c.id for c in picked] == [3, 2]


def test_pick_due_with_no_free_slot():
    assert pick_due([_connection(1)], NOW, busy=set(), free_slots=0) == []


def test_seconds_until_next_ignores_busy_and_paused():
    connections = [
        _connection(1, next_sync_at=NOW + timedelta(seconds=40)),
        _connection(2, next_sync_at=NOW + timedelta(seconds=10)),
        _connection(3, status=ConnectionStatus.AUTH_FAILED, next_sync_at=NOW + timedelta(seconds=5)),
    ]
    assert seconds_until_next(connections, NOW, busy={2}) == 40
    assert seconds_until_next([], NOW, busy=set()) is None


def test_timer_trigger_is_retry_while_backing_off():
    assert timer_trigger(_connection(backoff=0)) == SyncTrigger.SCHEDULE
    assert timer_trigger(_connection(backoff=2)) == SyncTrigger.RETRY


# --- against a closed port ---------------------------------------------------


def _dead_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _add(ledger, url, interval=300, name="plant"):
    return ledger.add_connection(
        NewConnection(name, url, "sandbox", "admin", Secret("admin"), CredentialKind.PASSWORD,
                      interval_seconds=interval),
        at=NOW,
    )


def _status_events(ledger, connection_id):
    page = ledger.list_events(connection_id, after_seq=0, limit=1000)
    return [e.data for e in page.items if e.type == "connection.status_changed"]


async def test_unreachable_backoff_grows_then_caps(ledger):
    clock = FakeClock(NOW)
    connection = _add(ledger, _dead_url(), interval=300)
    syncer = Syncer(ledger, clock, client_factory(timeout=2.0, retry=NO_RETRY))
    scheduler = Scheduler(ledger, clock, syncer)

    delays = []
    for _ in range(7):
        assert await scheduler.tick() == 1
        await scheduler.wait_idle()
        current = ledger.get_connection(connection.id)
        delays.append((current.next_sync_at - clock.now()).total_seconds())
        clock.set(current.next_sync_at)

    bases = [30, 60, 120, 240, 300, 300, 300]
    for delay, base in zip(delays, bases):
        assert base <= delay <= min(base * 1.1, 300)
    assert ledger.get_connection(connection.id).backoff_attempt == 7
    changes = _status_events(ledger, connection.id)
    assert len(changes) == 1
    assert (changes[0]["old"], changes[0]["new"]) == ("pending", "unreachable")
    assert changes[0]["reason"].startswith("ServerUnreachableError: ")
    runs = ledger.list_runs(connection.id, limit=10).items
    assert [run.trigger for run in reversed(runs)] == [SyncTrigger.SCHEDULE] + [SyncTrigger.RETRY] * 6
    assert {run.status for run in runs} == {SyncStatus.FAILED}
    assert {run.error_class for run in runs} == {"ServerUnreachableError"}


async def test_not_due_connection_is_left_alone(ledger):
    clock = FakeClock(NOW)
    connection = _add(ledger, _dead_url())
    ledger.schedule(connection.id, NOW + timedelta(seconds=60), 0)
    scheduler = Scheduler(ledger, clock, Syncer(ledger, clock, client_factory(retry=NO_RETRY)))

    assert await scheduler.tick() == 0
    clock.set(NOW + timedelta(seconds=60))
    assert await scheduler.tick() == 1
    await scheduler.wait_idle()


async def test_global_cap_limits_concurrent_runs(ledger):
    clock = FakeClock(NOW)
    url = _dead_url()
    for index in range(5):
        _add(ledger, url, name=f"plant-{index}")
    scheduler = Scheduler(ledger, clock, Syncer(ledger, clock, client_factory(retry=NO_RETRY)),
                          max_concurrent_runs=2)

    assert await scheduler.tick() == 2
    assert len(scheduler.running_connection_ids) == 2
    assert await scheduler.tick() == 0
    await scheduler.wait_idle()
    assert await scheduler.tick() == 2
    await scheduler.wait_idle()


async def test_disabled_connection_rejects_manual_sync(ledger):
    clock = FakeClock(NOW)
    connection = _add(ledger, _dead_url())
    ledger.set_status(connection.id, ConnectionStatus.DISABLED, "test", NOW)
    scheduler = Scheduler(ledger, clock, Syncer(ledger, clock, client_factory(retry=NO_RETRY)))

    waiter = scheduler.request_sync(connection.id)
    await scheduler.tick()
    with pytest.raises(ConnectionDisabledError, match="is disabled; enable it"):
        await waiter


async def test_run_loop_follows_fake_clock(ledger):
    clock = FakeClock(NOW)
    connection = _add(ledger, _dead_url(), interval=300)
    scheduler = Scheduler(ledger, clock, Syncer(ledger, clock, client_factory(retry=NO_RETRY)))
    stop = asyncio.Event()
    loop_task = asyncio.create_task(scheduler.run(stop))

    # One hour of fake time in 5-second steps: the loop must retry on its own.
    for _ in range(720):
        await clock.advance(5)
        await scheduler.wait_idle()
    stop.set()
    await loop_task

    runs = ledger.list_runs(connection.id, limit=100).items
    # Runs at 0, ~30, ~90, ~210, ~450 s, then every 300 s (the interval caps
    # the backoff): 15 runs in the hour, or 14 if jitter adds up late.
    assert 14 <= len(runs) <= 15
    assert ledger.get_connection(connection.id).status == ConnectionStatus.UNREACHABLE


async def test_short_stored_interval_syncs_at_minimum(ledger, caplog):
    clock = FakeClock(NOW)
    connection = _add(ledger, _dead_url(), interval=300)
    ledger.set_interval(connection.id, 5)  # the ledger accepts it; the scheduler must not
    scheduler = Scheduler(ledger, clock, Syncer(ledger, clock, client_factory(retry=NO_RETRY)))

    for _ in range(8):
        await scheduler.tick()
        await scheduler.wait_idle()
        current = ledger.get_connection(connection.id)
        clock.set(current.next_sync_at)

    delay = (current.next_sync_at - ledger.list_runs(connection.id, limit=1).items[0].finished_at)
    assert delay.total_seconds() == 30
    warnings = [r for r in caplog.records if "below the minimum of 30 s" in r.getMessage()]
    assert len(warnings) == 1
