"""Operator commands, engine presence, change detection and totals."""

from __future__ import annotations

import threading

import pytest

from core.ledger import (
    CommandKind,
    CommandStatus,
    DeliveryState,
    EngineInstance,
    Ledger,
    NewEvent,
    NotFoundError,
)
from tests.ledger.helpers import FAILED, T0, add_endpoint, at, attempt, new_connection, retry_at


def test_commands_are_claimed_once_in_order(ledger):
    first = ledger.enqueue_command(CommandKind.SYNC, {"connection_id": 1}, at(1))
    second = ledger.enqueue_command(CommandKind.RETRY_DELIVERY, {"delivery_id": 9, "force": True}, at(2))

    claimed = ledger.claim_commands("engine-a", at(3), limit=10)
    assert [c.id for c in claimed] == [first.id, second.id]
    assert all(c.status == CommandStatus.RUNNING and c.claimed_by == "engine-a" for c in claimed)
    assert ledger.claim_commands("engine-b", at(4), limit=10) == []

    done = ledger.finish_command(first.id, {"run_id": 5}, None, at(5))
    failed = ledger.finish_command(second.id, None, "delivery 9 not found", at(6))
    assert (done.status, done.result, done.finished_at) == (CommandStatus.DONE, {"run_id": 5}, at(5))
    assert (failed.status, failed.error) == (CommandStatus.FAILED, "delivery 9 not found")
    assert ledger.get_command(second.id).args == {"delivery_id": 9, "force": True}


def test_finish_unknown_command(ledger):
    with pytest.raises(NotFoundError):
        ledger.finish_command(77, None, None, T0)


def test_active_engine_by_heartbeat(ledger):
    engine = EngineInstance("engine-a", 4242, "host", "serve", T0, T0)
    ledger.register_engine(engine)

    assert ledger.active_engine(at(10), stale_after_seconds=15) == engine
    assert ledger.active_engine(at(16), stale_after_seconds=15) is None
    assert ledger.heartbeat("engine-a", at(16)) is True
    assert ledger.active_engine(at(20), stale_after_seconds=15).heartbeat_at == at(16)
    assert ledger.heartbeat("engine-gone", at(16)) is False

    ledger.unregister_engine("engine-a")
    assert ledger.active_engine(at(20), stale_after_seconds=15) is None


def test_data_version_sees_own_and_other_commits(ledger, ledger_path):
    viewer = Ledger.open(ledger_path)
    try:
        before_own, before_viewer = ledger.data_version(), viewer.data_version()
        assert ledger.data_version() == before_own  # reading changes nothing

        ledger.add_connection(new_connection())
        after_own, after_viewer = ledger.data_version(), viewer.data_version()
        assert after_own != before_own
        assert after_viewer != before_viewer

        viewer.add_connection(new_connection("second"))
        assert ledger.data_version() != after_own
        assert viewer.data_version() != after_viewer
    finally:
        viewer.close()


def test_totals_and_failing_counts(ledger):
    acme = ledger.add_connection(new_connection())
    add_endpoint(ledger)
    ledger.append_events([NewEvent("record.created", acme.id, {}) for _ in range(3)], T0)
    claims = ledger.claim_due("w", at(0), limit=2, lease_seconds=30)

    ledger.complete(claims[0].delivery_id, claims[0].lease_token, attempt(at(1), 500), FAILED, at(2))
    ledger.complete(claims[1].delivery_id, claims[1].lease_token, attempt(at(1), 500), retry_at(at(60)), at(2))

    totals = ledger.totals()
    assert totals.connections == 1
    assert totals.events == 3
    assert totals.sync_runs == 0
    assert totals.deliveries_by_state == {
        DeliveryState.PENDING: 2,
        DeliveryState.IN_FLIGHT: 0,
        DeliveryState.SUCCEEDED: 0,
        DeliveryState.FAILED: 1,
    }
    assert ledger.failing_deliveries_by_connection() == {acme.id: 2}
    assert ledger.next_due_at() == T0


def test_threads_share_one_ledger(ledger):
    add_endpoint(ledger)
    errors: list[BaseException] = []

    def append(worker: int) -> None:
        try:
            for n in range(50):
                ledger.append_events([NewEvent("record.created", None, {"worker": worker, "n": n})], T0)
                ledger.list_deliveries(limit=5)
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=append, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert ledger.totals().events == 200


def _counted_directly(ledger) -> dict[str, int]:
    found = ledger._db.conn.execute("SELECT state, count(*) FROM deliveries GROUP BY state").fetchall()
    return {state: count for state, count in found}


def test_running_counts_match_table(ledger):
    acme = ledger.add_connection(new_connection())
    first = add_endpoint(ledger)
    add_endpoint(ledger, event_types=["record.*"])
    ledger.append_events([NewEvent("record.created", acme.id, {}) for _ in range(6)], T0)
    ledger.append_events([NewEvent("sync.completed", None, {})], T0)
    claims = ledger.claim_due("w", at(0), limit=8, lease_seconds=30)
    ledger.complete(claims[0].delivery_id, claims[0].lease_token, attempt(at(1), 500), FAILED, at(2))
    ledger.complete(claims[1].delivery_id, claims[1].lease_token, attempt(at(1), 500), retry_at(at(60)), at(2))
    ledger.retry_delivery(claims[0].delivery_id, at(3))
    ledger.release_leases("w", at(4))
    ledger.remove_endpoint(first.id, at(5))

    totals = ledger.totals()
    direct = _counted_directly(ledger)
    assert {str(state): count for state, count in totals.deliveries_by_state.items() if count} == direct
    assert totals.events == 7
    failing = ledger.failing_deliveries_by_connection()
    expected = ledger._db.conn.execute(
        "SELECT connection_id, count(*) FROM deliveries"
        " WHERE state = 'failed' OR (state = 'pending' AND attempts > 0) GROUP BY connection_id"
    ).fetchall()
    assert failing == dict(expected)
    assert failing[None] == 1  # the sync.completed delivery of the removed endpoint


def test_orphaned_commands_fail(ledger):
    ledger.register_engine(EngineInstance("alive", 1, "host", "serve", T0, at(100)))
    ledger.register_engine(EngineInstance("dead", 2, "host", "tui", T0, at(0)))
    alive = ledger.enqueue_command(CommandKind.SYNC, {"connection_id": 1}, at(1))
    orphan = ledger.enqueue_command(CommandKind.SYNC, {"connection_id": 2}, at(2))
    queued = ledger.enqueue_command(CommandKind.SYNC, {"connection_id": 3}, at(3))
    ledger.claim_commands("alive", at(4), limit=1)
    ledger.claim_commands("dead", at(5), limit=1)

    assert ledger.fail_orphaned_commands(at(105), stale_after_seconds=15) == 1

    assert ledger.get_command(alive.id).status == CommandStatus.RUNNING
    failed = ledger.get_command(orphan.id)
    assert (failed.status, failed.finished_at) == (CommandStatus.FAILED, at(105))
    assert "stopped before it finished" in failed.error
    assert ledger.get_command(queued.id).status == CommandStatus.QUEUED
