"""Connection status, backoff and partial runs against the sandbox's faults."""

from __future__ import annotations

from datetime import timedelta

from core.clock import FakeClock
from core.ledger import ConnectionStatus, StreamSpec, SyncStatus, SyncTrigger
from core.odoo import NO_RETRY
from core.secrets import Secret
from core.sync.client import client_factory
from core.sync.scheduler import Scheduler
from core.sync.syncer import Syncer
from core.tokens import generate_token
from tests.sync.support import (
    START,
    add_connection,
    duplicates,
    keys,
    last_seq,
    make_syncer,
    record_events,
    status_changes,
)


async def _tick_and_wait(scheduler):
    started = await scheduler.tick()
    await scheduler.wait_idle()
    return started


async def test_outage_backoff_and_recovery(ledger, sandbox):
    clock = FakeClock(START)
    connection = add_connection(ledger, sandbox, interval=600)
    scheduler = Scheduler(ledger, clock, make_syncer(ledger, clock, page_size=50, reconcile_every=1))
    assert await _tick_and_wait(scheduler) == 1
    mark = last_seq(ledger, connection.id)

    sandbox.faults.go_down()
    delays = []
    for _ in range(6):
        clock.set(ledger.get_connection(connection.id).next_sync_at)
        assert await _tick_and_wait(scheduler) == 1
        current = ledger.get_connection(connection.id)
        assert current.status == ConnectionStatus.UNREACHABLE
        delays.append((current.next_sync_at - clock.now()).total_seconds())

    # Changes made while the sync could not reach Odoo.
    asset = min(sandbox.store.tables["maintenance.equipment"])
    sandbox.store.write("maintenance.equipment", [asset], {"serial_no": "SN-DURING-OUTAGE"})
    gone = max(sandbox.store.tables["stock.quant"])
    sandbox.store.unlink("stock.quant", [gone])
    sandbox.faults.come_up()
    clock.set(ledger.get_connection(connection.id).next_sync_at)
    assert await _tick_and_wait(scheduler) == 1

    for delay, base in zip(delays, [30, 60, 120, 240, 480, 600]):
        assert base <= delay <= min(base * 1.1, 600)
    recovered = ledger.get_connection(connection.id)
    assert recovered.status == ConnectionStatus.ACTIVE
    assert recovered.backoff_attempt == 0
    assert recovered.next_sync_at == clock.now() + timedelta(seconds=600)
    assert status_changes(ledger, connection.id) == [
        ("pending", "active"),
        ("active", "unreachable"),
        ("unreachable", "active"),
    ]
    assert sorted(keys(record_events(ledger, connection.id, after_seq=mark))) == [
        ("record.deleted", "stock_levels", gone),
        ("record.updated", "assets", asset),
    ]
    triggers = [run.trigger for run in reversed(ledger.list_runs(connection.id, limit=20).items)]
    assert triggers == [SyncTrigger.SCHEDULE, SyncTrigger.SCHEDULE] + [SyncTrigger.RETRY] * 6


async def test_rate_limit_retry_after_is_honoured(ledger, sandbox):
    clock = FakeClock(START)
    connection = add_connection(ledger, sandbox, interval=900)
    scheduler = Scheduler(ledger, clock, make_syncer(ledger, clock))
    sandbox.faults.rate_limit(400)

    await _tick_and_wait(scheduler)

    current = ledger.get_connection(connection.id)
    assert current.status == ConnectionStatus.UNREACHABLE
    assert (current.next_sync_at - clock.now()).total_seconds() == 400


async def test_password_change_waits_for_reconnect(ledger, sandbox):
    clock = FakeClock(START)
    connection = add_connection(ledger, sandbox, login="demo", password="demo", interval=60)
    scheduler = Scheduler(ledger, clock, make_syncer(ledger, clock))
    await _tick_and_wait(scheduler)
    old_token = generate_token()
    ledger.issue_token(connection.id, old_token.hash, old_token.prefix, clock.now())

    sandbox.faults.change_password("demo", "rotated-password")
    clock.set(ledger.get_connection(connection.id).next_sync_at)
    assert await _tick_and_wait(scheduler) == 1

    failed = ledger.get_connection(connection.id)
    assert failed.status == ConnectionStatus.AUTH_FAILED
    assert failed.next_sync_at is None
    runs_before = len(ledger.list_runs(connection.id, limit=50).items)
    for _ in range(5):
        clock.set(clock.now() + timedelta(hours=1))
        assert await _tick_and_wait(scheduler) == 0
    assert len(ledger.list_runs(connection.id, limit=50).items) == runs_before
    _, token_connection = ledger.find_token(old_token.hash)
    assert token_connection.status == ConnectionStatus.AUTH_FAILED

    # Reconnect: new credentials, a new token, then a sync.
    ledger.update_credentials(connection.id, "demo", Secret("rotated-password"), connection.credential_kind)
    new_token = generate_token()
    ledger.issue_token(connection.id, new_token.hash, new_token.prefix, clock.now())
    waiter = scheduler.request_sync(connection.id)
    await scheduler.tick()
    run = await waiter

    assert run.status == SyncStatus.SUCCEEDED
    assert run.trigger == SyncTrigger.MANUAL

    assert ledger.get_connection(connection.id).status == ConnectionStatus.ACTIVE
    assert ledger.find_token(old_token.hash) is None
    assert ledger.find_token(new_token.hash)[1].status == ConnectionStatus.ACTIVE
    assert status_changes(ledger, connection.id) == [
        ("pending", "active"),
        ("active", "auth_failed"),
        ("auth_failed", "active"),
    ]


async def test_unreadable_model_makes_run_partial(ledger, sandbox):
    clock = FakeClock(START)
    # The sandbox's demo user may not read purchase.order.
    connection = add_connection(ledger, sandbox, login="demo", password="demo")
    syncer = make_syncer(ledger, clock, page_size=100)

    run = await syncer.sync(connection.id)

    results = {result.stream: result for result in run.stream_results}
    assert run.status == SyncStatus.PARTIAL
    assert run.error_class == "AccessError"
    assert results["purchase_orders"].error_class == "AccessError"
    assert all(r.error_class is None and r.created > 0 for name, r in results.items() if name != "purchase_orders")
    assert ledger.get_connection(connection.id).status == ConnectionStatus.ACTIVE
    streams = {stream.name: stream for stream in ledger.list_streams(connection.id)}
    assert streams["purchase_orders"].available is False
    assert "purchase.order" in streams["purchase_orders"].unavailable_reason

    # The next run skips the stream instead of failing on it again.
    again = await syncer.sync(connection.id)
    assert again.status == SyncStatus.SUCCEEDED
    assert "purchase_orders" not in again.streams
    assert duplicates(keys(record_events(ledger, connection.id))) == []


async def test_check_streams_marks_unreadable_models(ledger, sandbox):
    clock = FakeClock(START)
    connection = add_connection(ledger, sandbox, login="portaluser", password="portaluser")
    syncer = make_syncer(ledger, clock)

    streams = {stream.name: stream for stream in await syncer.check_streams(connection.id)}

    assert streams["stock_levels"].available is False
    assert "stock.quant" in streams["stock_levels"].unavailable_reason
    assert streams["inventory_items"].available is True
    assert streams["vendors"].available is True
    run = await syncer.sync(connection.id)
    assert run.status == SyncStatus.SUCCEEDED
    assert set(run.streams) == {name for name, stream in streams.items() if stream.available}


async def test_reconnect_through_onboarding_resumes_timer(ledger, sandbox):
    from core.onboarding import change_credentials

    clock = FakeClock(START)
    connection = add_connection(ledger, sandbox, login="demo", password="demo", interval=60)
    scheduler = Scheduler(ledger, clock, make_syncer(ledger, clock))
    await _tick_and_wait(scheduler)
    sandbox.faults.change_password("demo", "second-password")
    clock.set(ledger.get_connection(connection.id).next_sync_at)
    await _tick_and_wait(scheduler)
    assert ledger.get_connection(connection.id).status == ConnectionStatus.AUTH_FAILED

    await change_credentials(
        ledger, connection.id, "demo", Secret("second-password"), connection.credential_kind, clock
    )

    # No operator sync: the timer picks the connection up again by itself.
    assert await _tick_and_wait(scheduler) == 1
    assert ledger.get_connection(connection.id).status == ConnectionStatus.ACTIVE
    assert status_changes(ledger, connection.id) == [
        ("pending", "active"),
        ("active", "auth_failed"),
        ("auth_failed", "pending"),
        ("pending", "active"),
    ]


async def test_failed_run_on_answering_server_ends_unreachable(ledger, sandbox):
    clock = FakeClock(START)
    connection = add_connection(ledger, sandbox)
    ghost = StreamSpec("ghosts", "x_ghost.model", fields=["id", "write_date", "name"])
    syncer = Syncer(ledger, clock, client_factory(timeout=5.0, retry=NO_RETRY), streams=[ghost])
    sandbox.faults.go_down()
    await syncer.sync(connection.id)
    assert ledger.get_connection(connection.id).status == ConnectionStatus.UNREACHABLE

    sandbox.faults.come_up()
    run = await syncer.sync(connection.id)

    current = ledger.get_connection(connection.id)
    assert run.status == SyncStatus.FAILED
    assert run.error_class == "UnknownModelError"
    assert current.status == ConnectionStatus.ACTIVE
    assert "every stream failed" in current.status_reason
    assert current.backoff_attempt == 0
    assert ledger.list_streams(connection.id)[0].available is False
