"""``odoo-relay serve`` as a real subprocess, stopped with real signals."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from core.ledger import Ledger
from core.ledger.models import CredentialKind, DeliveryFilter, DeliveryState, EngineInstance, NewConnection, NewEndpoint, NewEvent
from core.secrets import Secret
from core.tokens import generate_token
from core.webhooks.signing import generate_secret

REPO = Path(__file__).resolve().parents[2]


class ServeProcess:
    """A running ``odoo-relay serve``; its stdout JSON lines are collected by a thread."""

    def __init__(self, ledger_path: Path) -> None:
        self.process = subprocess.Popen(
            # Not `-m cli.main`: that would run a second copy of cli.main as
            # __main__, whose group has no subcommands registered.
            [sys.executable, "-c", "from cli.main import main; main()", "serve", "--db", str(ledger_path), "--port", "0"],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)
            self._queue.put(line)

    def wait_for_url(self, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            if line.startswith("{") and "url" in (entry := json.loads(line)):
                return entry["url"]
        raise AssertionError(f"serve printed no URL; output:\n{''.join(self.lines)}")

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 30) -> int:
        self.process.send_signal(signum)
        return self.process.wait(timeout)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.lines if line.startswith("{")]


@pytest.fixture
def serve_processes():
    """Start ServeProcess objects; any still running after the test is killed."""
    started: list[ServeProcess] = []

    def start(ledger_path: Path) -> ServeProcess:
        process = ServeProcess(ledger_path)
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()


def _setup(ledger: Ledger, sandbox, receiver) -> tuple[int, str]:
    now = datetime.now(UTC)
    new = NewConnection("plant", sandbox.url, sandbox.database, "admin", Secret("admin"), CredentialKind.PASSWORD, interval_seconds=1)
    connection = ledger.add_connection(new, at=now)
    token = generate_token()
    ledger.issue_token(connection.id, token.hash, token.prefix, now)
    secret = generate_secret()
    receiver.secrets = [secret.reveal()]
    # A slow receiver keeps deliveries in flight when the signal arrives.
    endpoint = NewEndpoint(url=f"{receiver.url}/sleep/0.1", secret=secret, connection_id=connection.id, max_in_flight=64)
    ledger.add_endpoint(endpoint, now)
    return connection.id, token.value


def _append_load(ledger: Ledger, connection_id: int, batches: int, stop: threading.Event) -> None:
    for batch in range(batches):
        if stop.is_set():
            return
        events = [NewEvent("record.updated", connection_id, {"batch": batch, "n": n}) for n in range(20)]
        ledger.append_events(events, datetime.now(UTC))
        time.sleep(0.02)


def _all_deliveries(ledger: Ledger, connection_id: int) -> list:
    found, before = [], None
    while True:
        page = ledger.list_deliveries(DeliveryFilter(connection_id=connection_id), before=before, limit=1000)
        found.extend(page.items)
        if page.next_key is None:
            return found
        before = page.next_key


def _all_event_ids(ledger: Ledger, connection_id: int) -> list[str]:
    return [event.id for event in ledger.list_events(connection_id, 0, 1_000_000).items]


def _wait_all_succeeded(ledger: Ledger, connection_id: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        deliveries = _all_deliveries(ledger, connection_id)
        if deliveries and all(delivery.state == DeliveryState.SUCCEEDED for delivery in deliveries):
            return
        time.sleep(0.2)
    states = {delivery.state for delivery in _all_deliveries(ledger, connection_id)}
    raise AssertionError(f"deliveries not all succeeded after {timeout} s; states seen: {states}")


@pytest.mark.slow
def test_sigterm_during_load_loses_nothing(sandbox, recording_receiver, serve_processes, tmp_path):
    ledger_path = tmp_path / "ledger.sqlite3"
    ledger = Ledger.open(ledger_path)
    connection_id, token = _setup(ledger, sandbox, recording_receiver)

    first = serve_processes(ledger_path)
    url = first.wait_for_url()
    sandbox.faults.start_trickle(0.02)
    stop_load = threading.Event()
    loader = threading.Thread(target=_append_load, args=(ledger, connection_id, 60, stop_load))
    loader.start()
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as api:
        for _ in range(20):
            assert api.get("/v1/events", params={"limit": 50}).status_code == 200
            time.sleep(0.05)
    assert first.stop(signal.SIGTERM) == 0
    stop_load.set()
    loader.join()
    sandbox.faults.stop_trickle()

    # After a clean stop: no lease left, every event has its delivery, the engine is gone.
    deliveries = _all_deliveries(ledger, connection_id)
    assert [d.id for d in deliveries if d.state == DeliveryState.IN_FLIGHT] == []
    assert sorted(d.event_id for d in deliveries) == sorted(_all_event_ids(ledger, connection_id))
    assert ledger.active_engine(datetime.now(UTC)) is None
    sent_before_restart = {d.event_id for d in deliveries if d.state == DeliveryState.SUCCEEDED}
    assert sent_before_restart, "nothing was delivered before the signal"
    assert len(sent_before_restart) < len(deliveries), "the load finished before the signal; nothing was cut short"

    second = serve_processes(ledger_path)
    second.wait_for_url()
    _wait_all_succeeded(ledger, connection_id, timeout=40)
    assert second.stop(signal.SIGINT) == 0

    delivered = set(recording_receiver.ids())
    assert set(_all_event_ids(ledger, connection_id)) <= delivered
    assert all(request.signature_valid for request in recording_receiver.requests)
    output = "".join(first.lines + second.lines)
    assert token not in output
    assert any(entry.get("path") == "/v1/events" and entry.get("connection_id") == connection_id for entry in first.records())
    ledger.close()


@pytest.mark.slow
def test_serve_rejects_second_engine(serve_processes, tmp_path):
    ledger_path = tmp_path / "ledger.sqlite3"
    with Ledger.open(ledger_path) as ledger:
        now = datetime.now(UTC)
        ledger.register_engine(EngineInstance("tui-elsewhere", os.getpid(), "workstation", "tui", now, now))

    process = serve_processes(ledger_path)
    assert process.process.wait(30) == 1
    errors = [entry for entry in process.records() if entry["level"] == "error"]
    assert "another engine (tui" in errors[0]["message"]
