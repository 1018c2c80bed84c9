"""The API on a ledger fed by real syncs of a sandbox Odoo, with webhooks to a real receiver."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from core.api import ApiSettings, create_api_app
from core.clock import FakeClock, SystemClock
from core.engine import Engine
from core.http_server import start_in_thread
from core.ledger import Ledger
from core.ledger.models import ConnectionStatus, CredentialKind, DeliveryFilter, DeliveryState, NewConnection, NewEndpoint
from core.odoo import NO_RETRY
from core.secrets import Secret
from core.sync.client import client_factory
from core.sync.syncer import Syncer
from core.tokens import generate_token
from core.webhooks.signing import generate_secret
from tests.api.conftest import START, UNLIMITED


def _connect(ledger: Ledger, sandbox, clock, interval_seconds: int = 900) -> tuple[int, dict[str, str]]:
    """Add a connection to the sandbox with a token; return its id and the auth headers."""
    new = NewConnection(
        "plant", sandbox.url, sandbox.database, "admin", Secret("admin"), CredentialKind.PASSWORD,
        interval_seconds=interval_seconds,
    )
    connection = ledger.add_connection(new, at=clock.now())
    token = generate_token()
    ledger.issue_token(connection.id, token.hash, token.prefix, clock.now())
    return connection.id, {"Authorization": f"Bearer {token.value}"}


async def test_outage_gives_503_and_aged_cached_reads(sandbox, tmp_path):
    clock = FakeClock(START)
    ledger = Ledger.open(tmp_path / "ledger.sqlite3")
    connection_id, headers = _connect(ledger, sandbox, clock)
    syncer = Syncer(ledger, clock, client_factory(timeout=2.0, retry=NO_RETRY))
    await syncer.sync(connection_id)
    handle = start_in_thread(create_api_app(ledger.path, clock, settings=ApiSettings(rate_limit=UNLIMITED)))
    try:
        async with httpx.AsyncClient(base_url=handle.url, headers=headers) as api:
            before = (await api.get("/v1/records/assets")).json()
            assert before["data"], "the first sync stored no assets"
            assert (await api.post("/v1/syncs")).status_code == 202

            sandbox.faults.go_down()
            clock.set(clock.now() + timedelta(minutes=10))
            await syncer.sync(connection_id)
            assert ledger.get_connection(connection_id).status == ConnectionStatus.UNREACHABLE

            refused = await api.post("/v1/syncs")
            assert refused.status_code == 503
            assert refused.json()["error"]["code"] == "system_unreachable"
            assert int(refused.headers["retry-after"]) >= 1

            cached = (await api.get("/v1/records/assets")).json()
            assert [record["id"] for record in cached["data"]] == [record["id"] for record in before["data"]]
            assert cached["connection_status"] == "unreachable"
            assert cached["data_age_seconds"] == 600
            status = (await api.get("/v1/connection")).json()
            assert status["status"] == "unreachable"
            assert status["data_age_seconds"] == 600

            sandbox.faults.come_up()
            await syncer.sync(connection_id)
            assert (await api.post("/v1/syncs")).status_code == 202
    finally:
        handle.stop()
        ledger.close()


async def _poll_once(api: httpx.AsyncClient, cursor: str | None) -> tuple[list[str], str, bool]:
    params = {"limit": 50} if cursor is None else {"limit": 50, "after": cursor}
    response = await api.get("/v1/events", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    return [event["id"] for event in body["data"]], body["next_cursor"], body["has_more"]


async def _drain(ledger: Ledger, connection_id: int, timeout: float) -> None:
    """Wait until the connection's deliveries have all been sent and no event was added for a while."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last_total, quiet_since = -1, loop.time()
    while loop.time() < deadline:
        unsent = ledger.list_deliveries(DeliveryFilter(state=DeliveryState.PENDING, connection_id=connection_id), limit=1).items
        unsent += ledger.list_deliveries(DeliveryFilter(state=DeliveryState.IN_FLIGHT, connection_id=connection_id), limit=1).items
        total = ledger.totals().events
        if total != last_total:
            last_total, quiet_since = total, loop.time()
        # Quiet for longer than the sync interval: the last sync saw no change.
        if not unsent and loop.time() - quiet_since > 1.5:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"deliveries of connection {connection_id} still unsent after {timeout} s")


@pytest.mark.slow
async def test_polling_returns_exactly_the_webhook_events(sandbox, recording_receiver, tmp_path):
    clock = SystemClock()
    ledger = Ledger.open(tmp_path / "ledger.sqlite3")
    connection_id, headers = _connect(ledger, sandbox, clock, interval_seconds=1)
    secret = generate_secret()
    recording_receiver.secrets = [secret.reveal()]
    ledger.add_endpoint(NewEndpoint(url=f"{recording_receiver.url}/ok", secret=secret, connection_id=connection_id), clock.now())

    handle = start_in_thread(create_api_app(ledger.path, clock, settings=ApiSettings(rate_limit=UNLIMITED)))
    stop = asyncio.Event()
    engine_task = asyncio.create_task(Engine(ledger.path, clock=clock, kind="serve").run(stop))
    sandbox.faults.start_trickle(0.05)
    polled: list[str] = []
    cursor = None
    try:
        async with httpx.AsyncClient(base_url=handle.url, headers=headers) as api:
            # Poll while syncs keep appending events, then once more after the
            # trickle stopped and every webhook went out.
            loop = asyncio.get_running_loop()
            until = loop.time() + 4
            while loop.time() < until:
                ids, cursor, _ = await _poll_once(api, cursor)
                polled.extend(ids)
                await asyncio.sleep(0.05)
            sandbox.faults.stop_trickle()
            polled_while_arriving = len(polled)
            await _drain(ledger, connection_id, timeout=30)
            has_more = True
            while has_more:
                ids, cursor, has_more = await _poll_once(api, cursor)
                polled.extend(ids)
    finally:
        stop.set()
        await engine_task
        handle.stop()

    delivered = recording_receiver.ids("/ok")
    assert len(polled) == len(set(polled)), "a polled event id came twice"
    assert set(polled) == set(delivered)
    assert all(request.signature_valid for request in recording_receiver.requests)
    stored = [event.id for event in ledger.list_events(connection_id, 0, 100_000).items]
    assert polled == stored
    assert len(polled) > 10, "the syncs produced too few events to compare"
    assert polled_while_arriving > 0, "no page was read while events were arriving"
    ledger.close()
