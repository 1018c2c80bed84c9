"""Quitting the demo while its receiver keeps responses open.

Runs the demo's own services (a sandbox Odoo and a receiver that delays
every response), a monitor with its in-process engine, then ``q``. The
bound is generous: it only distinguishes an abandoned attempt from the
dispatcher's and the receiver's graceful waits of several seconds each.
"""

from __future__ import annotations

import logging
import time

import pytest

from cli.commands.demo import DemoServices, prepare_demo_ledger
from core.clock import SystemClock
from core.ledger import Ledger
from core.ledger.models import DeliveryState
from core.sync.streams import default_stream
from tests.tui.test_live import wait_until
from tui.app import create_app

pytestmark = pytest.mark.slow

QUIT_BOUND_SECONDS = 5.0


def count_in_state(ledger_path, state: DeliveryState) -> int:
    with Ledger.open(ledger_path) as ledger:
        return sum(1 for item in ledger.list_deliveries(None, limit=1000).items if item.state is state)


async def test_q_abandons_delayed_attempts(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    ledger_path = tmp_path / "ledger.sqlite3"
    services = DemoServices(trickle_seconds=3600, failure_rate=0.0, timeout_rate=1.0, odoo_version="18.0")

    with services:
        prepare_demo_ledger(ledger_path, services.sandbox, services.receiver_url, services.secret,
                            SystemClock().now(), streams=[default_stream("locations")])
        app = create_app(ledger_path, poll_interval=0.2)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_until(pilot, lambda: count_in_state(ledger_path, DeliveryState.IN_FLIGHT) > 0,
                             "deliveries held open by the receiver")
            started = time.monotonic()
            await pilot.press("q")
        quit_seconds = time.monotonic() - started
        services_started = time.monotonic()
    services_seconds = time.monotonic() - services_started

    assert app.return_code == 0
    assert quit_seconds < QUIT_BOUND_SECONDS
    assert services_seconds < QUIT_BOUND_SECONDS
    assert count_in_state(ledger_path, DeliveryState.IN_FLIGHT) == 0
    assert count_in_state(ledger_path, DeliveryState.PENDING) > 0
    errors = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert errors == []
    assert services.receiver.server.should_exit
    assert not services.receiver.thread.is_alive()
