"""Pilot tests against a real engine, a sandbox Odoo and a loopback receiver.

The monitor runs its own Engine (on a thread, as ``odoo-relay`` does), so
``s`` and ``r`` go through the ledger's command queue to a real scheduler
and dispatcher. The tests then check the ledger and the receiver.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest

from cli.commands.demo import prepare_demo_ledger
from core.clock import SystemClock
from core.ledger import Ledger
from core.ledger.models import (
    AttemptRecord,
    DeliveryOutcome,
    DeliveryState,
    NewEvent,
    SyncStatus,
)
from core.sync.streams import default_stream
from core.webhooks.signing import generate_secret
from tui.app import create_app
from tui.engine_host import EngineThread

pytestmark = pytest.mark.slow

WAIT_SECONDS = 25.0


def live_ledger(tmp_path: Path, sandbox, receiver, path: str) -> tuple[Path, int]:
    """Write a connection to the sandbox (no sync due) and an endpoint at ``receiver.url + path``."""
    secret = generate_secret()
    receiver.secrets = [secret.reveal()]
    ledger_path = tmp_path / "ledger.sqlite3"
    now = SystemClock().now()
    connection_id = prepare_demo_ledger(ledger_path, sandbox, receiver.url + path, secret, now,
                                        interval_seconds=3600, streams=[default_stream("locations")])
    with Ledger.open(ledger_path) as ledger:
        ledger.schedule(connection_id, now + timedelta(days=1), 0)
    return ledger_path, connection_id


async def wait_until(pilot, condition, what: str, timeout: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        await pilot.pause(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def notifications(app) -> list[str]:
    return [notification.message for notification in app._notifications]


def read(ledger_path: Path, method: str, *args, **kwargs):
    with Ledger.open(ledger_path) as ledger:
        return getattr(ledger, method)(*args, **kwargs)


async def test_s_syncs_selected_connection(tmp_path, sandbox, recording_receiver):
    ledger_path, connection_id = live_ledger(tmp_path, sandbox, recording_receiver, "/ok")
    app = create_app(ledger_path, poll_interval=0.2)

    async with app.run_test(size=(120, 36)) as pilot:
        assert isinstance(app.engine_host, EngineThread)
        await wait_until(pilot, lambda: app.main_screen.overview is not None, "the first ledger read")
        assert app.sub_title == "engine: running here"
        await pilot.press("s")
        await wait_until(pilot, lambda: any("Sync of sandbox-plant: succeeded" in text for text in notifications(app)),
                         "the sync's notification")
        await wait_until(pilot, lambda: app.main_screen.history_table.row_count == 1, "the run in the sync history")

    runs = read(ledger_path, "list_runs", connection_id).items
    assert len(runs) == 1
    assert runs[0].status is SyncStatus.SUCCEEDED
    assert runs[0].created > 0


async def test_r_resends_a_failed_attempt(tmp_path, sandbox, recording_receiver):
    # /flaky/1 responds 500 to the first request of each webhook-id, then 200.
    ledger_path, _ = live_ledger(tmp_path, sandbox, recording_receiver, "/flaky/1")
    app = create_app(ledger_path, poll_interval=0.2)

    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: app.main_screen.overview is not None, "the first ledger read")
        await pilot.press("s")
        table = app.main_screen.log_table
        await pilot.press("tab", "tab")
        assert app.focused is table

        def newest_failed_once() -> bool:
            key = table.selected_key
            delivery = key and app.main_screen._deliveries.get(int(key))
            return bool(delivery) and delivery.state is DeliveryState.PENDING and delivery.attempts == 1

        await wait_until(pilot, newest_failed_once, "a delivery that failed its first attempt")
        delivery_id = int(table.selected_key)
        await pilot.press("r")
        await wait_until(pilot, lambda: read(ledger_path, "get_delivery", delivery_id).state is DeliveryState.SUCCEEDED,
                         "the retried delivery to succeed")
        await wait_until(pilot, lambda: any(f"Retry of delivery #{delivery_id}: sent" in text for text in notifications(app)),
                         "the retry's notification")

    delivery = read(ledger_path, "get_delivery", delivery_id)
    assert delivery.attempts == 2
    assert recording_receiver.ids("/flaky/1").count(delivery.event_id) == 2
    # Every other delivery still waits for its scheduled retry, 30 s out.
    pending = read(ledger_path, "list_deliveries", None, limit=1000).items
    assert all(item.attempts == 1 for item in pending if item.id != delivery_id)


def failed_deliveries(ledger_path: Path, connection_id: int, count: int) -> list[int]:
    """Append ``count`` events and fail each delivery's first attempt for good."""
    now = SystemClock().now()
    with Ledger.open(ledger_path) as ledger:
        events = [NewEvent("record.updated", connection_id, {"stream": "locations", "odoo_id": n}) for n in range(count)]
        ledger.append_events(events, now)
        for claim in ledger.claim_due("test-setup", now, limit=count, lease_seconds=60):
            attempt = AttemptRecord(started_at=now, duration_ms=12.0, status_code=500, error_class="http_error",
                                    error_message="HTTP 500", response_excerpt="", request_headers={},
                                    webhook_timestamp=int(now.timestamp()))
            ledger.complete(claim.delivery_id, claim.lease_token, attempt, DeliveryOutcome(DeliveryState.FAILED), now)
        return [item.id for item in ledger.list_deliveries(None, limit=count).items]


async def test_space_and_R_retry_tagged_then_all_failed(tmp_path, sandbox, recording_receiver):
    ledger_path, connection_id = live_ledger(tmp_path, sandbox, recording_receiver, "/ok")
    newest, *older = failed_deliveries(ledger_path, connection_id, 3)
    app = create_app(ledger_path, poll_interval=0.2)

    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: app.main_screen.log_table.row_count == 3, "three failed deliveries")
        await pilot.press("tab", "tab", "space", "R")
        await wait_until(pilot, lambda: app.screen.__class__.__name__ == "ConfirmScreen", "the confirmation")
        assert app.screen.question == "Retry 1 tagged delivery?"
        await pilot.press("y")
        await wait_until(pilot, lambda: read(ledger_path, "get_delivery", newest).state is DeliveryState.SUCCEEDED,
                         "the tagged delivery to succeed")
        assert all(read(ledger_path, "get_delivery", other).state is DeliveryState.FAILED for other in older)

        await pilot.press("R")
        await wait_until(pilot, lambda: app.screen.__class__.__name__ == "ConfirmScreen", "the second confirmation")
        assert app.screen.question == "Retry 2 failed deliveries, every endpoint?"
        await pilot.press("y")
        await wait_until(pilot, lambda: all(read(ledger_path, "get_delivery", other).state is DeliveryState.SUCCEEDED
                                            for other in older), "the other two to succeed")

    assert len(recording_receiver.ids("/ok")) == 3


def deliveries_in_each_state(ledger_path: Path, connection_id: int) -> dict[DeliveryState, int]:
    """Append four events; leave one delivery in flight, one pending a retry 30 min out, one failed, one succeeded."""
    now = SystemClock().now()
    outcomes = [DeliveryOutcome(DeliveryState.PENDING, next_attempt_at=now + timedelta(minutes=30)),
                DeliveryOutcome(DeliveryState.FAILED), DeliveryOutcome(DeliveryState.SUCCEEDED)]
    with Ledger.open(ledger_path) as ledger:
        events = [NewEvent("record.updated", connection_id, {"stream": "locations", "odoo_id": n}) for n in range(4)]
        ledger.append_events(events, now)
        # Another engine holds this lease for an hour, so the delivery stays in flight.
        [in_flight] = ledger.claim_due("other-engine", now, limit=1, lease_seconds=3600)
        ids = {DeliveryState.IN_FLIGHT: in_flight.delivery_id}
        for claim, outcome in zip(ledger.claim_due("test-setup", now, limit=3, lease_seconds=60), outcomes, strict=True):
            attempt = AttemptRecord(started_at=now, duration_ms=12.0, status_code=500, error_class="http_error",
                                    error_message="HTTP 500", response_excerpt="", request_headers={},
                                    webhook_timestamp=int(now.timestamp()))
            ledger.complete(claim.delivery_id, claim.lease_token, attempt, outcome, now)
            ids[outcome.state] = claim.delivery_id
        return ids


async def test_R_retries_tagged_rows_in_any_state(tmp_path, sandbox, recording_receiver):
    ledger_path, connection_id = live_ledger(tmp_path, sandbox, recording_receiver, "/ok")
    ids = deliveries_in_each_state(ledger_path, connection_id)
    app = create_app(ledger_path, poll_interval=0.2)

    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: app.main_screen.log_table.row_count == 4, "four deliveries")
        await pilot.press("tab", "tab", "space", "down", "space", "down", "space", "down", "space", "R")
        await wait_until(pilot, lambda: app.screen.__class__.__name__ == "ConfirmScreen", "the confirmation")
        assert app.screen.question == "Retry 4 tagged deliveries? Not retried: 1 in flight, 1 already succeeded."
        await pilot.press("y")
        await wait_until(pilot, lambda: read(ledger_path, "get_delivery", ids[DeliveryState.PENDING]).state
                         is DeliveryState.SUCCEEDED, "the pending delivery to be sent now")
        await wait_until(pilot, lambda: read(ledger_path, "get_delivery", ids[DeliveryState.FAILED]).state
                         is DeliveryState.SUCCEEDED, "the failed delivery to be sent again")
        expected = ("Retry of 4 tagged deliveries: 2 of 4 queued for a new attempt;"
                    " not retried: 1 already succeeded, 1 in flight")
        await wait_until(pilot, lambda: expected in notifications(app), "the retry's counts")

    assert read(ledger_path, "get_delivery", ids[DeliveryState.IN_FLIGHT]).state is DeliveryState.IN_FLIGHT
    assert read(ledger_path, "get_delivery", ids[DeliveryState.SUCCEEDED]).attempts == 1
    assert sorted(recording_receiver.ids("/ok")) == sorted(
        read(ledger_path, "get_delivery", ids[state]).event_id for state in (DeliveryState.PENDING, DeliveryState.FAILED))



async def test_r_in_details_shows_new_attempt(tmp_path, sandbox, recording_receiver):
    # /flaky/1 responds 500 to the first request of each webhook-id, then 200.
    ledger_path, connection_id = live_ledger(tmp_path, sandbox, recording_receiver, "/flaky/1")
    app = create_app(ledger_path, poll_interval=0.2)

    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: app.main_screen.overview is not None, "the first ledger read")
        await pilot.press("s", "tab", "tab")
        table = app.main_screen.log_table

        def newest_failed_once() -> bool:
            delivery = table.selected_key and app.main_screen._deliveries.get(int(table.selected_key))
            return bool(delivery) and delivery.state is DeliveryState.PENDING and delivery.attempts == 1

        await wait_until(pilot, newest_failed_once, "a delivery that failed its first attempt")
        await pilot.press("enter")
        await wait_until(pilot, lambda: getattr(app.screen, "details", None) is not None, "the delivery details")
        details_screen = app.screen
        await pilot.press("r")
        await wait_until(pilot, lambda: details_screen.details.delivery.attempts == 2, "the new attempt in the details")

        assert app.screen is details_screen
        assert details_screen.details.delivery.state is DeliveryState.SUCCEEDED
        assert [attempt.status_code for attempt in details_screen.details.attempts] == [500, 200]
        await wait_until(pilot, lambda: any("sent for a new attempt" in text for text in notifications(app)),
                         "the retry's notification")


async def test_s_in_details_shows_new_sync(tmp_path, sandbox, recording_receiver):
    ledger_path, connection_id = live_ledger(tmp_path, sandbox, recording_receiver, "/ok")
    app = create_app(ledger_path, poll_interval=0.2)

    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: app.main_screen.overview is not None, "the first ledger read")
        await pilot.press("enter")
        await wait_until(pilot, lambda: getattr(app.screen, "details", None) is not None, "the connection details")
        details_screen = app.screen
        assert details_screen.details.connection.last_sync_at is None
        await pilot.press("s")
        await wait_until(pilot, lambda: details_screen.details.connection.last_success_at is not None,
                         "the sync in the details")

        assert app.screen is details_screen
        await wait_until(pilot, lambda: any("Sync of sandbox-plant: succeeded" in text for text in notifications(app)),
                         "the sync's notification")
